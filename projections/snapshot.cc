#include "projections/snapshot.h"

#include "projections/bodies.h"
#include "projections/internal/snapshot_json.h"

namespace pilotledger::projections {
namespace {

// Optional values are written only when present.
void Put(Json& j, const char* name, const std::optional<uint64_t>& v) {
  if (v) j[name] = *v;
}
void Put(Json& j, const char* name, const std::optional<Timestamp>& v) {
  if (v) j[name] = v->ms;
}
std::optional<uint64_t> Seq(const Json& j, const char* name) {
  if (!j.contains(name)) return std::nullopt;
  return j.at(name).get<uint64_t>();
}
std::optional<Timestamp> Time(const Json& j, const char* name) {
  if (!j.contains(name)) return std::nullopt;
  return Timestamp{j.at(name).get<int64_t>()};
}

Json TrackJson(const Track& t) {
  Json j = Json::object();
  Put(j, "recommended", t.recommended_seq);
  Put(j, "published", t.published_seq);
  Put(j, "objection_deadline", t.objection_deadline);
  Put(j, "rejected", t.rejected_seq);
  if (t.refusal) j["refusal"] = {t.refusal->seq, t.refusal->reason, t.refusal->note};
  Json authority_checks = Json::array();
  for (const CheckRecord& c : t.checks) authority_checks.push_back({c.method, c.date, c.note});
  j["checks"] = authority_checks;
  Json scores = Json::array(), checks = Json::array(), objections = Json::array();
  for (const Score& s : t.scores) scores.push_back({s.seq, s.expert, s.score});
  for (const SpotCheck& s : t.spot_checks) checks.push_back({s.seq, s.passed});
  for (const Objection& o : t.objections) {
    Json oj = {{"seq", o.seq}, {"summary", o.summary}, {"upheld", o.upheld}};
    Put(oj, "resolved", o.resolved_seq);
    objections.push_back(oj);
  }
  j["scores"] = scores;
  j["spot_checks"] = checks;
  j["objections"] = objections;
  return j;
}

void TrackFrom(const Json& j, Track& t) {
  t.recommended_seq = Seq(j, "recommended");
  t.published_seq = Seq(j, "published");
  t.objection_deadline = Time(j, "objection_deadline");
  t.rejected_seq = Seq(j, "rejected");
  for (const Json& c : j.at("checks")) t.checks.push_back({c[0].get<std::string>(), c[1].get<std::string>(), c[2].get<std::string>()});
  if (j.contains("refusal")) {
    const Json& r = j.at("refusal");
    t.refusal = Refusal{r[0].get<uint64_t>(), r[1].get<std::string>(), r[2].get<std::string>()};
  }
  for (const Json& s : j.at("scores")) t.scores.push_back({s[0].get<uint64_t>(), s[1].get<std::string>(), s[2].get<int64_t>()});
  for (const Json& s : j.at("spot_checks")) t.spot_checks.push_back({s[0].get<uint64_t>(), s[1].get<bool>()});
  for (const Json& o : j.at("objections")) {
    t.objections.push_back({o.at("seq").get<uint64_t>(), o.at("summary").get<std::string>(), Seq(o, "resolved"), o.at("upheld").get<bool>()});
  }
}

Json UnitJson(const Unit& u) {
  Json apps = Json::object(), reviews = Json::object(), titles = Json::object(), history = Json::array();
  for (const auto& [c, a] : u.applications) {
    Json j = TrackJson(a);
    j["submitted"] = a.submitted_seq;
    j["category"] = a.category;
    j["subtype"] = a.subtype;
    j["metrics"] = a.metrics;
    j["scenarios"] = a.scenarios;
    Put(j, "granted", a.granted_seq);
    apps[c] = j;
  }
  for (const auto& [c, r] : u.reviews) {
    Json j = TrackJson(r);
    j["requested"] = r.requested_seq;
    j["metrics"] = r.metrics;
    j["scenarios"] = r.scenarios;
    Json findings = Json::object();
    for (const auto& [area, f] : r.findings) findings[area] = {f.progress, f.note};
    j["findings"] = findings;
    Put(j, "passed", r.passed_seq);
    reviews[c] = j;
  }
  for (const auto& [c, t] : u.titles) {
    Json j = {{"granted", t.granted_seq}, {"revoked_in", t.revoked_in}, {"reason", t.reason}, {"note", t.note}};
    Put(j, "revoked", t.revoked_seq);
    titles[c] = j;
  }
  for (const auto& [seq, type] : u.history) history.push_back({seq, EventTypeName(type)});
  Json assessments = Json::array();
  for (const Assessment& a : u.assessments) assessments.push_back({a.seq, a.campaign, a.passed, a.note});
  return {{"assessments", assessments},
          {"descriptor", UnitDescriptorJson(u.d)}, {"applications", apps}, {"reviews", reviews}, {"titles", titles}, {"history", history}};
}

Status UnitFrom(const Json& j, Unit& u) {
  PL_ASSIGN_OR_RETURN(u.d, ParseUnitDescriptor(j.at("descriptor"), "descriptor"));
  for (const auto& [c, a] : j.at("applications").items()) {
    Application& app = u.applications[c];
    TrackFrom(a, app);
    app.submitted_seq = a.at("submitted").get<uint64_t>();
    app.category = a.at("category").get<std::string>();
    app.subtype = a.at("subtype").get<std::string>();
    app.metrics = a.at("metrics");
    app.scenarios = a.at("scenarios").get<std::vector<std::string>>();
    app.granted_seq = Seq(a, "granted");
  }
  for (const auto& [c, r] : j.at("reviews").items()) {
    Review& review = u.reviews[c];
    TrackFrom(r, review);
    review.requested_seq = r.at("requested").get<uint64_t>();
    review.metrics = r.at("metrics");
    review.scenarios = r.at("scenarios").get<std::vector<std::string>>();
    for (const auto& [area, f] : r.at("findings").items()) review.findings[area] = {f[0].get<bool>(), f[1].get<std::string>()};
    review.passed_seq = Seq(r, "passed");
  }
  for (const auto& [c, t] : j.at("titles").items()) {
    u.titles[c] = Title{t.at("granted").get<uint64_t>(), Seq(t, "revoked"), t.at("revoked_in").get<std::string>(),
                        t.at("reason").get<std::string>(), t.at("note").get<std::string>()};
  }
  for (const Json& h : j.at("history")) {
    const std::optional<EventType> type = EventTypeFromName(h[1].get<std::string>());
    if (!type) return Status(Code::kDataLoss, "unit " + u.d.id + " has history of an unknown event type");
    u.history.emplace_back(h[0].get<uint64_t>(), *type);
  }
  for (const Json& a : j.at("assessments")) {
    u.assessments.push_back({a[0].get<uint64_t>(), a[1].get<std::string>(), a[2].get<bool>(), a[3].get<std::string>()});
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

Json CampaignJson(const Campaign& c) {
  Json exceptions = Json::array();
  for (const QuotaException& e : c.exceptions) exceptions.push_back({e.seq, e.authority, e.category, e.extra, e.reason});
  Json review_requested = Json::object();
  for (const auto& [authority, ids] : c.review_requested) review_requested[authority] = ids;
  Json requirements = Json::object();
  for (const auto& [authority, r] : c.review_requirements) requirements[authority] = {r.seq, r.documents, r.note};
  Json closed = c.closed_seq ? Json(*c.closed_seq) : Json(nullptr);
return Json{{"closed", closed},
                       {"review_scope", c.review_scope},
                       {"scope_seqs", c.scope_seqs},
                       {"review_requirements", requirements},
                       {"id", c.id},
                       {"rules", c.rules_json},
                       {"opened", c.opened_seq},
                       {"rules_seq", c.rules_seq},
                       {"amended", c.amended_seqs},
                       {"exceptions", exceptions},
                       {"publications", c.publications},
                       {"recommended", c.recommended},
                       {"review_requested", review_requested},
                       {"review_recommended", c.review_recommended}};
}

Json CampaignsJson(const State& s) {
  Json campaigns = Json::array();
  for (const auto& [id, c] : s.campaigns) campaigns.push_back(CampaignJson(c));
  return campaigns;
}

// Throws nlohmann's exceptions on a malformed campaign (the callers catch them).
Result<Campaign> CampaignFromJson(const Json& cj) {
  Campaign c;
  c.id = cj.at("id").get<std::string>();
  c.rules_json = cj.at("rules");
  PL_ASSIGN_OR_RETURN(c.rules, ParseRules(c.rules_json));
  c.opened_seq = cj.at("opened").get<uint64_t>();
  c.rules_seq = cj.at("rules_seq").get<uint64_t>();
  c.amended_seqs = cj.at("amended").get<std::vector<uint64_t>>();
  for (const Json& e : cj.at("exceptions")) {
    c.exceptions.push_back({e[0].get<uint64_t>(), e[1].get<std::string>(), e[2].get<std::string>(), e[3].get<int64_t>(),
                            e[4].get<std::string>()});
  }
  c.publications = cj.at("publications").get<std::vector<uint64_t>>();
  c.recommended = cj.at("recommended").get<std::map<std::string, std::map<std::string, int64_t>>>();
  for (const auto& [authority, ids] : cj.at("review_requested").items()) {
    c.review_requested[authority] = ids.get<std::set<std::string>>();
  }
  c.review_recommended = cj.at("review_recommended").get<std::map<std::string, int64_t>>();
  c.review_scope = cj.at("review_scope").get<std::map<std::string, std::map<std::string, uint64_t>>>();
  c.scope_seqs = cj.at("scope_seqs").get<std::vector<uint64_t>>();
  if (!cj.at("closed").is_null()) c.closed_seq = cj.at("closed").get<uint64_t>();
  for (const auto& [authority, r] : cj.at("review_requirements").items()) {
    c.review_requirements[authority] = {r[0].get<uint64_t>(), r[1].get<std::vector<std::string>>(), r[2].get<std::string>()};
  }
  return c;
}

}  // namespace internal

Json LedgerKeysJson(const State& s) {
  Json keys = Json::array();
  for (const State::LedgerKeyEpoch& k : s.ledger_keys) {
    Json j = {{"key", k.key}, {"from", k.from_seq}};
    if (k.from_seq > 0) j["rotated_at"] = k.from_seq - 1;
    keys.push_back(std::move(j));
  }
  return keys;
}

Json StateToJson(const State& s) {
  Json actors = Json::array(), units = Json::array(), objections = Json::array();
  for (const auto& [id, a] : s.actors) {
    Json d = ActorJson(a);
    d.erase("active");
    d.erase("registered_seq");
    d.erase("revoked_seq");
    Json j = {{"descriptor", d}, {"registered", a.registered_seq}};
    Put(j, "revoked", a.revoked_seq);
    actors.push_back(j);
  }
  for (const auto& [id, u] : s.units) units.push_back(UnitJson(u));
  for (const auto& [seq, ref] : s.objections) objections.push_back({seq, ref.unit, ref.campaign, ref.review});
  Json documents = Json::object();
  for (const auto& [hash, cites] : s.documents) {
    for (const Citation& c : cites) documents[hash].push_back({c.seq, c.type, c.name, c.bytes});
  }
  return {{"format", 1},
          {"apply_version", kApplyVersion},
          {"size", s.size},
          {"last_received", s.last_received.ms},
          {"origin", s.origin},
          {"ledger_key", s.ledger_key},
          {"ledger_keys", LedgerKeysJson(s)},
          {"policy", s.genesis_policy},
          {"actors", actors},
          {"campaigns", internal::CampaignsJson(s)},
          {"units", units},
          {"objections", objections},
          {"documents", documents}};
}

Result<State> StateFromJson(const Json& j, Source source) {
  try {
    if (j.at("format") != 1) return Status(Code::kDataLoss, "unknown snapshot format");
    if (j.value("apply_version", 0) != kApplyVersion) {
      return Status(Code::kDataLoss, "the snapshot was made by another version of the rules (apply version " +
                                         std::to_string(j.value("apply_version", 0)) + ")");
    }
    State s;
    s.size = j.at("size").get<uint64_t>();
    s.last_received = Timestamp{j.at("last_received").get<int64_t>()};
    s.origin = j.at("origin").get<std::string>();
    s.ledger_key = j.at("ledger_key").get<std::string>();
    s.ledger_keys = {{s.ledger_key, 0}};  // snapshots from before rotations: the genesis key
    if (j.contains("ledger_keys")) {
      s.ledger_keys.clear();
      for (const Json& k : j.at("ledger_keys")) s.ledger_keys.push_back({k.at("key").get<std::string>(), k.at("from").get<uint64_t>()});
    }
    s.genesis_policy = j.at("policy");
    PL_ASSIGN_OR_RETURN(s.policy, ParsePolicy(s.genesis_policy));
    for (const Json& a : j.at("actors")) {
      PL_ASSIGN_OR_RETURN(Actor actor, ParseActor(a.at("descriptor"), "actor", source));
      actor.registered_seq = a.at("registered").get<uint64_t>();
      actor.revoked_seq = Seq(a, "revoked");
      if (actor.active()) s.active_keys[actor.key.raw()] = actor.id;
      if (actor.role == "soe_group") s.soe_authorities.insert(actor.authority());
      s.actors[actor.id] = std::move(actor);
    }
    for (const Json& cj : j.at("campaigns")) {
      PL_ASSIGN_OR_RETURN(Campaign c, internal::CampaignFromJson(cj));
      s.campaigns[c.id] = std::move(c);
    }
    for (const Json& uj : j.at("units")) {
      Unit u;
      PL_RETURN_IF_ERROR(UnitFrom(uj, u));
      s.units[u.d.id] = std::move(u);
    }
    for (const Json& o : j.at("objections")) {
      s.objections[o[0].get<uint64_t>()] = {o[1].get<std::string>(), o[2].get<std::string>(), o[3].get<bool>()};
    }
    for (const auto& [hash, cites] : j.at("documents").items()) {
      for (const Json& c : cites) {
        s.documents[hash].push_back({c[0].get<uint64_t>(), c[1].get<std::string>(), c[2].get<std::string>(), c[3].get<int64_t>()});
      }
    }
    return s;
  } catch (const std::exception& e) {
    return Status(Code::kDataLoss, std::string("the snapshot is malformed: ") + e.what());
  }
}

}  // namespace pilotledger::projections
