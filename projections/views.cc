#include "projections/views.h"

#include <algorithm>

#include "ledger/event.h"
#include "projections/bodies.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

void PutSeq(Json& j, const char* name, const std::optional<uint64_t>& seq) {
  if (seq) j[name] = *seq;
}

// A track; without `full`, only what public entries (the publication) say.
Json TrackJson(const Track& t, bool full) {
  Json j = Json::object();
  PutSeq(j, "published_seq", t.published_seq);
  if (t.objection_deadline) j["objection_deadline"] = FormatRfc3339Millis(*t.objection_deadline);
  if (!full) return j;
  PutSeq(j, "recommended_seq", t.recommended_seq);
  PutSeq(j, "rejected_seq", t.rejected_seq);
  Json scores = Json::array();
  int64_t sum = 0;
  for (const Score& s : t.scores) {
    scores.push_back({{"seq", s.seq}, {"expert", s.expert}, {"score", s.score}});
    sum += s.score;
  }
  j["scores"] = scores;
  // The mean in hundredths, so that the answer stays integral: 8750 is 87.50.
  j["mean_score_x100"] = t.scores.empty() ? Json(nullptr) : Json(sum * 100 / int64_t(t.scores.size()));
  Json checks = Json::array();
  for (const SpotCheck& s : t.spot_checks) checks.push_back({{"seq", s.seq}, {"passed", s.passed}});
  j["spot_checks"] = checks;
  Json objections = Json::array();
  for (const Objection& o : t.objections) {
    Json oj = {{"seq", o.seq}, {"summary", o.summary}, {"upheld", o.upheld}};
    PutSeq(oj, "resolved_seq", o.resolved_seq);
    objections.push_back(oj);
  }
  j["objections"] = objections;
  Json authority_checks = Json::array();
  for (const CheckRecord& c : t.checks) authority_checks.push_back({{"method", c.method}, {"date", c.date}, {"note", c.note}});
  j["checks"] = authority_checks;
  if (t.refusal) {
    j["refusal"] = {{"seq", t.refusal->seq}, {"reason", t.refusal->reason}};
    if (!t.refusal->note.empty()) j["refusal"]["note"] = t.refusal->note;
  } else {
    j["refusal"] = nullptr;
  }
  return j;
}

// Whether public entries tie the unit to an application or review (published, granted or passed).
bool PublicTrack(const Application& a) { return a.published_seq || a.granted_seq; }
bool PublicTrack(const Review& r) { return r.published_seq || r.passed_seq; }

bool InCampaign(const Unit& u, const std::string& campaign, bool full) {
  if (u.titles.count(campaign)) return true;
  const auto a = u.applications.find(campaign);
  const auto r = u.reviews.find(campaign);
  if (full) return a != u.applications.end() || r != u.reviews.end();
  return (a != u.applications.end() && PublicTrack(a->second)) || (r != u.reviews.end() && PublicTrack(r->second));
}

}  // namespace

// Without `full`, only what public entries say: granted, or published.
std::string ApplicationState(const Application& a, bool full) {
  if (a.granted_seq) return "granted";
  if (!full) return "published";
  if (a.rejected_seq || a.refusal) return "rejected";
  if (a.published_seq) return "published";
  if (a.recommended_seq) return "recommended";
  return "submitted";
}

std::string ReviewState(const Review& r, bool full) {
  if (r.passed_seq) return "passed";
  if (!full) return "published";
  if (r.refusal) return "failed";
  if (r.rejected_seq) return "rejected";
  if (r.published_seq) return "published";
  if (r.recommended_seq) return "recommended";
  return "requested";
}

std::string UnitStatus(const Unit& u, bool full) {
  if (u.HasActiveTitle()) return "titled";
  if (!u.titles.empty()) return "revoked";
  const Application* latest = nullptr;
  for (const auto& [c, a] : u.applications) {
    if ((full || PublicTrack(a)) && (!latest || a.submitted_seq > latest->submitted_seq)) latest = &a;
  }
  return latest ? ApplicationState(*latest, full) : "unknown";
}

std::optional<Json> DueForRevocation(const State& state, const Unit& u) {
  for (const auto& [id, c] : state.campaigns) {
    if (!c.rules.review) continue;
    bool under_review = false;
    for (const std::string& batch : c.rules.review->batches) {
      if (auto t = u.titles.find(batch); t != u.titles.end() && t->second.active()) under_review = true;
    }
    if (!under_review) continue;
    const bool closed = c.rules.deadline && state.last_received > *c.rules.deadline;
    const auto r = u.reviews.find(id);
    if (r != u.reviews.end()) {
      if (const auto failed = r->second.FailedSpotCheck(); failed && !r->second.passed_seq) {
        return Json{{"campaign", id}, {"reason", "review_failed"}, {"detail", "failed a field spot check"}};
      }
      if (r->second.rejected_seq) {
        return Json{{"campaign", id}, {"reason", "review_failed"}, {"detail", "an objection was upheld"}};
      }
    }
    if (!closed) continue;
    if (r == u.reviews.end()) {
      if (!c.Listed(u.d.authority, u.d.id)) continue;  // not under review: never asked to request one
      return Json{{"campaign", id}, {"reason", "review_not_requested"}, {"detail", "no review requested by " + c.rules.deadline_text}};
    }
    if (!r->second.recommended_seq) {
      return Json{{"campaign", id}, {"reason", "review_failed"}, {"detail", "not recommended by its authority by " + c.rules.deadline_text}};
    }
  }
  return std::nullopt;
}

Json UnitView(const State& state, const Unit& u, bool full) {
  Json j = UnitDescriptorJson(u.d);
  j["status"] = UnitStatus(u, full);
  // Derived from reviews, spot checks and objections: not public.
  const auto due = full ? DueForRevocation(state, u) : std::nullopt;
  j["due_for_revocation"] = due ? *due : Json(nullptr);
  Json titles = Json::object();
  for (const auto& [c, t] : u.titles) {
    Json tj = {{"granted_seq", t.granted_seq}, {"active", t.active()}};
    if (t.revoked_seq) {
      tj["revoked_seq"] = *t.revoked_seq;
      tj["revoked_in"] = t.revoked_in;
      tj["reason"] = t.reason;
      if (!t.note.empty()) tj["note"] = t.note;
    }
    titles[c] = tj;
  }
  j["titles"] = titles;
  if (full) {  // assessments are not public; the revocations they lead to are
    Json assessments = Json::array();
    for (const Assessment& a : u.assessments) {
      assessments.push_back({{"seq", a.seq}, {"campaign", a.campaign}, {"passed", a.passed}, {"note", a.note}});
    }
    j["assessments"] = assessments;
  }
  Json apps = Json::object(), eligibility = Json::object();
  for (const auto& [c, a] : u.applications) {
    if (!full && !PublicTrack(a)) continue;  // nothing public about it yet
    Json aj = TrackJson(a, full);
    aj["state"] = ApplicationState(a, full);
    if (full) aj["submitted_seq"] = a.submitted_seq;
    PutSeq(aj, "granted_seq", a.granted_seq);
    if (full) {
      aj["metrics"] = a.metrics;
      aj["scenarios"] = a.scenarios;
    }
    apps[c] = aj;
    if (const Campaign* campaign = state.FindCampaign(c)) {
      if (full) {
        Json e = EligibilityJson(Evaluate(campaign->rules, a.category, a.subtype, a.metrics, a.scenarios));
        e["rules_seq"] = campaign->rules_seq;
        eligibility[c] = e;
      }
    }
  }
  j["applications"] = apps;
  j["eligibility"] = eligibility;
  Json reviews = Json::object();
  for (const auto& [c, r] : u.reviews) {
    if (!full && !PublicTrack(r)) continue;
    Json rj = TrackJson(r, full);
    rj["state"] = ReviewState(r, full);
    if (full) {
      rj["requested_seq"] = r.requested_seq;
      rj["metrics"] = r.metrics;
      rj["scenarios"] = r.scenarios;
      Json findings = Json::object();
      for (const auto& [area, f] : r.findings) findings[area] = {{"progress", f.progress}, {"note", f.note}};
      rj["findings"] = findings;
      if (const Campaign* campaign = state.FindCampaign(c)) {
        Json e = EligibilityJson(Evaluate(campaign->rules, u.d.category, u.d.subtype, r.metrics, r.scenarios));
        e["rules_seq"] = campaign->rules_seq;
        rj["eligibility"] = e;
      }
    }
    PutSeq(rj, "passed_seq", r.passed_seq);
    reviews[c] = rj;
  }
  j["reviews"] = reviews;
  Json history = Json::array();
  for (const auto& [seq, type] : u.history) {
    const EventTypeInfo* info = FindEventType(type);
    if (full || (info && info->is_public)) history.push_back({{"seq", seq}, {"type", EventTypeName(type)}});
  }
  j["history"] = history;
  return j;
}

bool PubliclyKnown(const Unit& u) {
  for (const auto& [seq, type] : u.history) {
    if (const EventTypeInfo* info = FindEventType(type); info && info->is_public) return true;
  }
  return false;
}

Json UnitList(const State& state, const UnitFilter& f, const std::string& cursor, size_t limit,
              const std::function<bool(const Unit&)>& visible, const std::function<bool(const Unit&)>& full) {
  Json units = Json::array();
  Json next = nullptr;
  for (auto it = state.units.upper_bound(cursor); it != state.units.end(); ++it) {
    const Unit& u = it->second;
    if (!f.authority.empty() && u.d.authority != f.authority) continue;
    if (!f.region.empty() && u.d.region != f.region) continue;
    if (!f.category.empty() && u.d.category != f.category) continue;
    if (!f.name.empty() && u.d.name.find(f.name) == std::string::npos) continue;
    if (!visible(u)) continue;
    const bool in_full = full(u);  // filters see only what the reader may see
    if (!f.campaign.empty() && !InCampaign(u, f.campaign, in_full)) continue;
    if (!f.status.empty() && UnitStatus(u, in_full) != f.status) continue;
    if (units.size() == limit) {
      next = units.back()["id"];
      break;
    }
    units.push_back(UnitView(state, u, in_full));
  }
  return {{"units", units}, {"next_cursor", next}};
}

Json CampaignSummary(const Campaign& c) {
  Json j = {{"campaign", c.id},
            {"title", c.rules.title},
            {"historical", c.rules.historical},
            {"provisional", c.rules.provisional},
            {"opened_seq", c.opened_seq},
            {"rules_seq", c.rules_seq},
            {"amended_seqs", c.amended_seqs},
            {"publications", c.publications},
            {"review", c.rules.review.has_value()}};
  j["closed_seq"] = c.closed_seq ? Json(*c.closed_seq) : Json(nullptr);
  j["deadline"] = c.rules.deadline ? Json(c.rules.deadline_text) : Json(nullptr);
  return j;
}

Json CampaignView(const Campaign& c) {
  Json j = CampaignSummary(c);
  j["rules"] = c.rules_json;
  return j;
}

Json QuotaView(const State& state, const Campaign& c) {
  std::map<std::string, std::string> authorities(c.rules.authority_kinds.begin(), c.rules.authority_kinds.end());
  for (const std::string& soe : state.soe_authorities) authorities[soe] = "soe_group";
  Json list = Json::array();
  for (const auto& [authority, kind] : authorities) {
    Json places = Json::object();
    const std::vector<std::string> categories = kind == "soe_group" ? std::vector<std::string>{"total"} : c.rules.categories;
    const auto used_it = c.recommended.find(authority);
    for (const std::string& category : categories) {
      const auto limit = c.rules.Quota(kind, category);
      int64_t used = 0;
      if (used_it != c.recommended.end() && used_it->second.count(category)) used = used_it->second.at(category);
      places[category] = {{"limit", limit ? Json(*limit) : Json(nullptr)}, {"extra", c.Extra(authority, category)}, {"used", used}};
    }
    Json aj = {{"authority", authority}, {"kind", kind}, {"places", places}};
    Json exceptions = Json::array();
    for (const QuotaException& e : c.exceptions) {
      if (e.authority == authority) {
        exceptions.push_back({{"seq", e.seq}, {"category", e.category}, {"extra", e.extra}, {"reason", e.reason}});
      }
    }
    aj["exceptions"] = exceptions;
    if (c.rules.review) {
      const int64_t base = ReviewBase(state, c, authority);
      const int64_t recommended = c.review_recommended.count(authority) ? c.review_recommended.at(authority) : 0;
      const int64_t cap = c.rules.review->cap_bp * base / 10000;
      const int64_t extra = c.Extra(authority, "review");
      // Requests whose reviewed title has since been revoked leave the base; recommendations
      // already made stay counted, so `recommended` can exceed today's cap (each was within the
      // cap when it was made; the server checks that at every recommendation).
      int64_t requested = 0, recommended_revoked = 0, revoked_since_request = 0;
      if (const auto req = c.review_requested.find(authority); req != c.review_requested.end()) {
        requested = int64_t(req->second.size());
        for (const std::string& id : req->second) {
          const Unit* u = state.FindUnit(id);
          if (!u) continue;
          bool holds = false;
          for (const std::string& batch : c.rules.review->batches) {
            if (auto t = u->titles.find(batch); t != u->titles.end() && t->second.active()) holds = true;
          }
          revoked_since_request += !holds;
          const auto r = u->reviews.find(c.id);
          if (r == u->reviews.end() || !r->second.recommended_seq) continue;
          recommended_revoked += !holds;
        }
      }
      Json review = {{"base", base},
                     {"base_rule", c.rules.review->base},
                     {"listed", c.review_scope.count(authority) ? int64_t(c.review_scope.at(authority).size()) : 0},
                     {"cap", cap},
                     {"cap_bp", c.rules.review->cap_bp},
                     {"extra", extra},
                     {"recommended", recommended},
                     {"requested", requested},
                     {"revoked_since_request", revoked_since_request},
                     {"recommended_revoked", recommended_revoked},
                     {"remaining", std::max<int64_t>(0, cap + extra - recommended)}};
      if (recommended > cap + extra) {
        const int64_t revoked = revoked_since_request;
        review["note"] = std::to_string(recommended) + (recommended == 1 ? " recommendation exceeds" : " recommendations exceed") +
                         " today's cap of " + std::to_string(cap + extra) +
                         " without breaking a rule: each was within the cap when it was made and stays counted, but since then " +
                         std::to_string(revoked) + " of the " + std::to_string(requested) + " titles under review " +
                         (revoked == 1 ? "was" : "were") + " revoked, shrinking the base to " + std::to_string(base) +
                         "; no further recommendation is admitted";
      }
      aj["review"] = review;
    }
    list.push_back(aj);
  }
  return {{"campaign", c.id}, {"authorities", list}};
}

}  // namespace pilotledger::projections
