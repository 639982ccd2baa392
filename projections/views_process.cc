// The views of the process around each decision: the review list (review.scope) with who requested
// a review, and (later) each campaign's outcomes and open items. Pure functions of the state.
#include "projections/views.h"

namespace pilotledger::projections {
namespace {

bool HoldsTitleOf(const Unit& u, const std::vector<std::string>& batches) {
  for (const std::string& b : batches) {
    if (auto t = u.titles.find(b); t != u.titles.end() && t->second.active()) return true;
  }
  return false;
}

}  // namespace

Json ReviewScopeView(const State& state, const Campaign& c) {
  const bool passed = c.rules.deadline && state.last_received > *c.rules.deadline;
  const std::vector<std::string> batches = c.rules.review ? c.rules.review->batches : std::vector<std::string>{};
  std::set<std::string> authorities;
  for (const auto& [a, units] : c.review_scope) authorities.insert(a);
  for (const auto& [a, req] : c.review_requirements) authorities.insert(a);
  Json list = Json::array();
  for (const std::string& authority : authorities) {
    Json listed = Json::array(), not_requested = Json::array();
    if (const auto it = c.review_scope.find(authority); it != c.review_scope.end()) {
      for (const auto& [id, seq] : it->second) {
        const Unit* u = state.FindUnit(id);
        if (!u) continue;
        Json item = {{"unit_id", id}, {"name", u->d.name}, {"category", u->d.category}, {"listed_seq", seq},
                     {"title_active", HoldsTitleOf(*u, batches)}};
        const auto r = u->reviews.find(c.id);
        if (r != u->reviews.end()) {
          item["requested_seq"] = r->second.requested_seq;
          item["state"] = ReviewState(r->second);
        } else {
          item["requested_seq"] = nullptr;
          item["state"] = passed ? "not_requested" : "listed";
          if (passed) not_requested.push_back(id);
        }
        listed.push_back(std::move(item));
      }
    }
    Json aj = {{"authority", authority}, {"listed", listed}, {"not_requested", not_requested}};
    if (const auto req = c.review_requirements.find(authority); req != c.review_requirements.end()) {
      aj["requirements"] = {{"seq", req->second.seq}, {"required_documents", req->second.documents}};
      if (!req->second.note.empty()) aj["requirements"]["note"] = req->second.note;
    } else {
      aj["requirements"] = nullptr;
    }
    list.push_back(std::move(aj));
  }
  return {{"campaign", c.id},
          {"base_rule", c.rules.review ? Json(c.rules.review->base) : Json(nullptr)},
          {"deadline", c.rules.deadline ? Json(c.rules.deadline_text) : Json(nullptr)},
          {"deadline_passed", passed},
          {"scope_seqs", c.scope_seqs},
          {"authorities", list}};
}

}  // namespace pilotledger::projections
