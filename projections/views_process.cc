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

Json RefusalJson(const Refusal& r) {
  Json j = {{"seq", r.seq}, {"reason", r.reason}};
  if (!r.note.empty()) j["note"] = r.note;
  return j;
}

// The revocation decided in review campaign `c` for `u`, if any.
const Title* RevokedIn(const Unit& u, const Campaign& c) {
  for (const auto& [granted_in, t] : u.titles) {
    if (t.revoked_seq && t.revoked_in == c.id) return &t;
  }
  return nullptr;
}

}  // namespace

Json OutcomeView(const State& state, const Campaign& c) {
  const bool passed = c.rules.deadline && state.last_received > *c.rules.deadline;
  const std::vector<std::string> batches = c.rules.review ? c.rules.review->batches : std::vector<std::string>{};
  Json units = Json::array(), open = Json::array();
  const auto item = [&](const Unit& u, const char* track, const char* what) {
    open.push_back({{"unit_id", u.d.id}, {"track", track}, {"item", what}});
  };
  for (const auto& [id, u] : state.units) {
    const Json base = {{"unit_id", id}, {"name", u.d.name}, {"authority", u.d.authority}, {"category", u.d.category}};
    if (const auto a = u.applications.find(c.id); a != u.applications.end() && a->second.recommended_seq) {
      Json j = base;
      j["track"] = "selection";
      j["recommended_seq"] = *a->second.recommended_seq;
      if (a->second.granted_seq) {
        j["outcome"] = {{"state", "granted"}, {"seq", *a->second.granted_seq}};
      } else if (a->second.refusal) {
        j["outcome"] = RefusalJson(*a->second.refusal);
        j["outcome"]["state"] = "rejected";
      } else {
        j["outcome"] = nullptr;
        item(u, "selection", "no outcome: grant the title or record application.rejected");
      }
      units.push_back(std::move(j));
    }
    const auto r = u.reviews.find(c.id);
    const bool holds = HoldsTitleOf(u, batches);
    if (r != u.reviews.end() && r->second.recommended_seq) {
      Json j = base;
      j["track"] = "review";
      j["recommended_seq"] = *r->second.recommended_seq;
      const Title* revoked = RevokedIn(u, c);
      if (r->second.passed_seq) {
        j["outcome"] = {{"state", "passed"}, {"seq", *r->second.passed_seq}};
      } else if (r->second.refusal) {
        j["outcome"] = RefusalJson(*r->second.refusal);
        j["outcome"]["state"] = "failed";
        if (holds) item(u, "review", "failed its review: revoke the title (review_failed)");
      } else if (!holds) {
        j["outcome"] = {{"state", "revoked"}, {"seq", revoked ? Json(*revoked->revoked_seq) : Json(nullptr)}};
      } else {
        j["outcome"] = nullptr;
        item(u, "review", "no outcome: record review.passed or review.failed");
      }
      units.push_back(std::move(j));
    } else if (passed && holds && c.rules.review) {
      if (r == u.reviews.end() && c.Listed(u.d.authority, id)) item(u, "review", "listed, no review requested: revoke the title (review_not_requested)");
      if (r != u.reviews.end()) item(u, "review", "not recommended by its authority: revoke the title (review_failed)");
    }
  }
  return {{"campaign", c.id}, {"closed_seq", c.closed_seq ? Json(*c.closed_seq) : Json(nullptr)}, {"units", units}, {"open_items", open}};
}

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
