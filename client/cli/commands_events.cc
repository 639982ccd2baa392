// Building, signing and appending events: keygen, event, sign, append, and a shortcut per event
// type for an operator who holds the keys.
#include <random>

#include "client/cli/cli.h"
#include "ledger/encoding.h"

namespace pilotledger::cli {
namespace {

struct EventOptions {
  std::string id, time, out;
  std::vector<std::string> keys;
  std::vector<std::string> documents;
};

void AddEventOptions(po::options_description& o, EventOptions& e) {
  o.add_options()("key", po::value(&e.keys)->composing(), "sign with this key file (ACTOR=PEM or PEM); repeat for co-signers")
      ("id", po::value(&e.id), "event id (default: generated)")
      ("time", po::value(&e.time), "the signer's time claim, RFC 3339 UTC (default: now)")
      ("out", po::value(&e.out), "write the event to this file ('-' for stdout) instead of appending it")
      ("document", po::value(&e.documents)->composing(), "cite a file the decision rests on: NAME=FILE or FILE (hashed; the file stays here); repeat");
}

std::string GeneratedId(const std::string& type) {
  std::random_device rd;
  std::string random(6, '\0');
  for (char& c : random) c = static_cast<char>(rd());
  SystemClock clock;
  std::string stamp = FormatRfc3339Seconds(clock.Now());
  std::erase_if(stamp, [](char c) { return c == '-' || c == ':' || c == 'Z'; });
  return type + "-" + stamp + "-" + HexEncode(random);
}

int Report(const Globals& g, const client::AppendReceipt& r) {
  if (g.json) {
    PrintJson({{"seq", r.seq}, {"leaf_hash", HashBase64(r.leaf_hash)}, {"received", r.received}, {"created", r.created}});
  } else if (r.created) {
    std::cout << "appended at seq " << r.seq << " (received " << r.received << ", leaf hash " << HashBase64(r.leaf_hash) << ")\n";
  } else {
    std::cout << "already recorded at seq " << r.seq << " (received " << r.received << ")\n";
  }
  return kOk;
}

// A bad signature by `signer`: compares the keys that signed with the one the ledger registered,
// so that the message says "this key is not <signer>'s registered key" when that is the cause.
std::string ExplainBadSignature(client::LedgerClient& c, const std::string& signer, const std::vector<client::Identity>& keys) {
  Result<Json> actor = c.GetJson("/v1/actors/" + signer);
  if (!actor.ok()) return "";
  const std::string registered = actor->value("public_key", "");
  for (const client::Identity& k : keys) {
    if (k.actor == signer && k.key.public_key().ToBase64() != registered) {
      return ": this key is not " + signer + "'s registered key (it has public key " + k.key.public_key().ToBase64() +
             "; the ledger registered " + registered + " at seq " + (*actor)["registered_seq"].dump() + ")";
    }
  }
  if (keys.empty()) {
    return " with the key the ledger registered for " + signer + " (" + registered +
           "): the event was signed with another key, or changed after it was signed";
  }
  return "";
}

int AppendEvent(const Globals& g, const SignedEvent& event, const std::vector<client::Identity>& keys = {}) {
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<client::AppendReceipt> r = (*c)->Append(event);
  if (!r.ok() && r.status().code() == Code::kBadSignature && r.status().details().contains("signer")) {
    const std::string explained = ExplainBadSignature(**c, r.status().details()["signer"].get<std::string>(), keys);
    return Fail(Status(r.status().code(), r.status().message() + explained));
  }
  if (!r.ok()) return Fail(r.status());
  return Report(g, *r);
}

// Builds the event, signs it with every --key, then appends it or writes it to --out.
int Emit(const Globals& g, const std::string& type, Json body, const EventOptions& e) {
  SystemClock clock;
  Timestamp time = clock.Now();
  if (!e.time.empty()) {
    Result<Timestamp> t = ParseRfc3339(e.time);
    if (!t.ok()) return Fail("--time: " + t.status().message());
    time = *t;
  }
  for (const std::string& spec : e.documents) {
    Result<Json> cite = DocumentCitation(spec);
    if (!cite.ok()) return Fail(cite.status());
    if (!body.contains("documents")) body["documents"] = Json::array();
    body["documents"].push_back(*cite);
  }
  Result<SignedEvent> event = MakeEvent(e.id.empty() ? GeneratedId(type) : e.id, type, time, std::move(body));
  if (!event.ok()) return Fail(event.status());
  Result<std::vector<client::Identity>> keys = client::LoadIdentities(e.keys);
  if (!keys.ok()) return Fail(keys.status());
  for (const client::Identity& k : *keys) client::AddSignature(*event, k);
  if (!e.out.empty()) {
    if (Status s = WriteOutput(e.out, SubmissionJson(*event).dump(2, ' ', false) + "\n"); !s.ok()) return Fail(s);
    if (e.out != "-") std::cerr << "wrote " << type << " " << event->id << " with " << event->sigs.size() << " signature(s) to " << e.out << "\n";
    return kOk;
  }
  if (event->sigs.empty()) return Fail("an event needs at least one --key to be appended (or use --out to write it unsigned)");
  return AppendEvent(g, *event, *keys);
}

// "true"/"false" for boolean flags.
Result<bool> Bool(const std::string& name, const std::string& v) {
  if (v == "true" || v == "yes") return true;
  if (v == "false" || v == "no") return false;
  return Status(Code::kInvalidArgument, "--" + name + " takes true or false");
}

// "name=value" metrics: integers, or true/false.
Result<Json> Metrics(const std::vector<std::string>& items) {
  Json m = Json::object();
  for (const std::string& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) return Status(Code::kInvalidArgument, "--metric takes NAME=VALUE, got " + item);
    const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
    if (value == "true" || value == "false") {
      m[name] = value == "true";
    } else {
      Result<Json> n = ParseStrictJson(value);
      if (!n.ok() || !n->is_number_integer()) return Status(Code::kInvalidArgument, "metric " + name + " must be an integer or true/false");
      m[name] = *n;
    }
  }
  return m;
}


// A shortcut: positional unit (or other) argument, --campaign, and type-specific options.
struct Shortcut {
  std::string name, type, summary, positional;
  std::function<void(po::options_description&)> options;
  std::function<Result<Json>(const po::variables_map&)> body;
};

std::string Str(const po::variables_map& vm, const char* name) { return vm.count(name) ? vm[name].as<std::string>() : ""; }
std::vector<std::string> Strs(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::vector<std::string>>() : std::vector<std::string>{};
}

Json WithCampaign(const po::variables_map& vm, Json body) {
  body["campaign"] = Str(vm, "campaign");
  return body;
}

std::vector<Shortcut> Shortcuts() {
  const auto campaign = [](po::options_description& o) {
    o.add_options()("campaign", po::value<std::string>()->required(), "the campaign, e.g. 2023");
  };
  std::vector<Shortcut> s;
  s.push_back({"register", "actor.registered", "register an actor from its descriptor (pilotctl keygen prints one)", "descriptor",
               [](po::options_description&) {},
               [](const po::variables_map& vm) { return ReadJsonInput(Str(vm, "descriptor")); }});
  s.push_back({"revoke-actor", "actor.revoked", "retire an actor: it signs nothing after", "actor",
               [](po::options_description& o) { o.add_options()("reason", po::value<std::string>(), "why"); },
               [](const po::variables_map& vm) -> Result<Json> {
                 Json b = {{"actor", Str(vm, "actor")}};
                 if (vm.count("reason")) b["reason"] = Str(vm, "reason");
                 return b;
               }});
  s.push_back({"open-campaign", "campaign.opened", "open a campaign with its rule file (config/campaigns/*.json)", "rules",
               [](po::options_description&) {},
               [](const po::variables_map& vm) -> Result<Json> {
                 PL_ASSIGN_OR_RETURN(Json rules, ReadJsonInput(Str(vm, "rules")));
                 return Json{{"campaign", rules.value("campaign", "")}, {"rules", rules}};
               }});
  s.push_back({"amend-campaign", "campaign.amended", "replace a campaign's rules from now on", "rules",
               [](po::options_description& o) { o.add_options()("reason", po::value<std::string>(), "why"); },
               [](const po::variables_map& vm) -> Result<Json> {
                 PL_ASSIGN_OR_RETURN(Json rules, ReadJsonInput(Str(vm, "rules")));
                 Json b = {{"campaign", rules.value("campaign", "")}, {"rules", rules}};
                 if (vm.count("reason")) b["reason"] = Str(vm, "reason");
                 return b;
               }});
  s.push_back({"quota-exception", "quota.exception", "grant an authority extra places (category, total, or review)", "authority",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("category", po::value<std::string>()->required(), "enterprise|park|street|base|total|review")
                     ("extra", po::value<int64_t>()->required(), "extra places")
                     ("reason", po::value<std::string>()->required(), "why");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 return WithCampaign(vm, {{"authority", Str(vm, "authority")}, {"category", Str(vm, "category")},
                                          {"extra", vm["extra"].as<int64_t>()}, {"reason", Str(vm, "reason")}});
               }});
  s.push_back({"submit", "submission.filed", "file a unit's application (from a JSON file or flags)", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("file", po::value<std::string>(), "JSON {unit, metrics, scenarios}")
                     ("name", po::value<std::string>(), "unit name")("category", po::value<std::string>(), "enterprise|park|street|base")
                     ("subtype", po::value<std::string>(), "product|platform|institution|service (enterprises)")
                     ("region", po::value<std::string>(), "6-digit GB/T 2260 code of where it is")
                     ("authority", po::value<std::string>(), "who recommends it: a region authority code or soe:<actor>")
                     ("metric", po::value<std::vector<std::string>>()->composing(), "NAME=VALUE; repeat")
                     ("scenario", po::value<std::vector<std::string>>()->composing(), "scenario code; repeat");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 if (vm.count("file")) {
                   PL_ASSIGN_OR_RETURN(Json b, ReadJsonInput(Str(vm, "file")));
                   return WithCampaign(vm, std::move(b));
                 }
                 Json unit = {{"id", Str(vm, "unit")}, {"name", Str(vm, "name")}, {"category", Str(vm, "category")},
                              {"region", Str(vm, "region")}, {"authority", Str(vm, "authority")}};
                 if (vm.count("subtype")) unit["subtype"] = Str(vm, "subtype");
                 PL_ASSIGN_OR_RETURN(Json metrics, Metrics(Strs(vm, "metric")));
                 return WithCampaign(vm, {{"unit", unit}, {"metrics", metrics}, {"scenarios", Strs(vm, "scenario")}});
               }});
  const auto check_option = [](po::options_description& o) {
    o.add_options()("check", po::value<std::vector<std::string>>()->composing(),
                    "how the authority checked the unit: METHOD:YYYY-MM-DD:NOTE (material_review|site_visit); repeat");
  };
  s.push_back({"recommend", "recommendation.issued", "recommend a unit (the authority's three departments, or its SOE group)", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 check_option(o);
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 Json b = WithCampaign(vm, {{"unit_id", Str(vm, "unit")}});
                 if (vm.count("check")) {
                   PL_ASSIGN_OR_RETURN(b["checks"], CheckRecords(Strs(vm, "check")));
                 }
                 return b;
               }});
  s.push_back({"score", "score.recorded", "record an expert's score (0-100)", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("score", po::value<int64_t>()->required(), "0-100");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 return WithCampaign(vm, {{"unit_id", Str(vm, "unit")}, {"score", vm["score"].as<int64_t>()}});
               }});
  s.push_back({"spotcheck", "spotcheck.recorded", "record a field spot check", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("passed", po::value<std::string>()->required(), "true|false");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 PL_ASSIGN_OR_RETURN(bool passed, Bool("passed", Str(vm, "passed")));
                 return WithCampaign(vm, {{"unit_id", Str(vm, "unit")}, {"passed", passed}});
               }});
  s.push_back({"publish", "publication.issued", "publish units for objections until a deadline", "units",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("objection-deadline", po::value<std::string>()->required(), "RFC 3339 date-time");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 return WithCampaign(vm, {{"units", Strs(vm, "units")}, {"objection_deadline", Str(vm, "objection-deadline")}});
               }});
  s.push_back({"object", "objection.filed", "record an objection to a published unit", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("summary", po::value<std::string>()->required(), "what the objection says");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 return WithCampaign(vm, {{"unit_id", Str(vm, "unit")}, {"summary", Str(vm, "summary")}});
               }});
  s.push_back({"resolve", "objection.resolved", "resolve the objection at a seq", "objection",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("upheld", po::value<std::string>()->required(), "true|false")("note", po::value<std::string>(), "why");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 PL_ASSIGN_OR_RETURN(bool upheld, Bool("upheld", Str(vm, "upheld")));
                 Result<Json> seq = ParseStrictJson(Str(vm, "objection"));
                 if (!seq.ok() || !seq->is_number_integer()) return Status(Code::kInvalidArgument, "the objection is its seq");
                 Json b = WithCampaign(vm, {{"objection", *seq}, {"upheld", upheld}});
                 if (vm.count("note")) b["note"] = Str(vm, "note");
                 return b;
               }});
  s.push_back({"grant", "title.granted", "grant titles to published units (or, historical, from --descriptors)", "units",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("descriptors", po::value<std::string>(), "JSON file: a list of unit descriptors (historical campaigns)");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 if (vm.count("descriptors")) {
                   PL_ASSIGN_OR_RETURN(Json units, ReadJsonInput(Str(vm, "descriptors")));
                   return WithCampaign(vm, {{"units", units}});
                 }
                 if (!vm.count("units")) return Status(Code::kInvalidArgument, "name the units, or pass --descriptors");
                 return WithCampaign(vm, {{"units", Strs(vm, "units")}});
               }});
  s.push_back({"request-review", "review.requested", "request the review of a listed unit's title with its review form", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("metric", po::value<std::vector<std::string>>()->composing(), "the form's figures: NAME=VALUE; repeat")
                     ("scenario", po::value<std::vector<std::string>>()->composing(), "scenario code; repeat");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 PL_ASSIGN_OR_RETURN(Json metrics, Metrics(Strs(vm, "metric")));
                 return WithCampaign(vm, {{"unit_id", Str(vm, "unit")}, {"metrics", metrics}, {"scenarios", Strs(vm, "scenario")}});
               }});
  s.push_back({"recommend-review", "review.recommended", "recommend a unit under review (its form meets the rules; within the cap)", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("findings", po::value<std::string>()->required(),
                                 "JSON file: {industry_development, service_capability, industry_influence: {progress, note}}");
                 check_option(o);
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 PL_ASSIGN_OR_RETURN(Json findings, ReadJsonInput(Str(vm, "findings")));
                 Json b = WithCampaign(vm, {{"unit_id", Str(vm, "unit")}, {"findings", findings}});
                 if (vm.count("check")) {
                   PL_ASSIGN_OR_RETURN(b["checks"], CheckRecords(Strs(vm, "check")));
                 }
                 return b;
               }});
  s.push_back({"pass-review", "review.passed", "announce the units that passed the review", "units", campaign,
               [](const po::variables_map& vm) -> Result<Json> { return WithCampaign(vm, {{"units", Strs(vm, "units")}}); }});
  s.push_back({"revoke", "title.revoked", "revoke a unit's title(s) in a campaign's context", "unit",
               [&](po::options_description& o) {
                 campaign(o);
                 o.add_options()("reason", po::value<std::string>()->required(),
                                 "review_failed|review_not_requested|assessment_failed|objection_upheld|other")
                     ("note", po::value<std::string>(), "required for reason other");
               },
               [](const po::variables_map& vm) -> Result<Json> {
                 Json b = WithCampaign(vm, {{"unit_id", Str(vm, "unit")}, {"reason", Str(vm, "reason")}});
                 if (vm.count("note")) b["note"] = Str(vm, "note");
                 return b;
               }});
  return s;
}

int RunShortcut(const Shortcut& s, const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl " + s.name + ": " + s.summary);
  EventOptions e;
  const bool many = s.positional == "units";
  if (many && s.type == "title.granted") {  // or --descriptors, for a historical campaign
    o.add_options()(s.positional.c_str(), po::value<std::vector<std::string>>(), "the units' credit codes");
  } else if (many) {
    o.add_options()(s.positional.c_str(), po::value<std::vector<std::string>>()->required(), "the units' credit codes");
  } else {
    o.add_options()(s.positional.c_str(), po::value<std::string>()->required(), s.positional.c_str());
  }
  s.options(o);
  AddEventOptions(o, e);
  po::variables_map vm;
  if (!Parse(args, o, {{s.positional, many ? -1 : 1}}, vm, "pilotctl " + s.name + " " + s.positional + " [options]")) return kOk;
  Result<Json> body = s.body(vm);
  if (!body.ok()) return Fail(body.status());
  return Emit(g, s.type, std::move(*body), e);
}

int Keygen(const Globals&, const std::vector<std::string>& args) {
  po::options_description o("pilotctl keygen: a new Ed25519 key for an actor (file mode 0600); prints its descriptor");
  std::string actor, role, name, region, department, unit, out;
  o.add_options()("actor", po::value(&actor)->required(), "actor id")("role", po::value(&role)->required(),
                                                                       "ministry|provincial|soe_group|expert|applicant|auditor")
      ("name", po::value(&name), "display name (default: the actor id)")("region", po::value(&region), "provincial: authority code")
      ("department", po::value(&department), "ministry: miit|mca|nhc; provincial: miit|civil|health")
      ("unit", po::value(&unit), "applicant: its unit's credit code")("out", po::value(&out), "key file (default: ACTOR.pem)");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl keygen --actor ID --role ROLE [options]")) return kOk;
  if (!IsValidId(actor)) return Fail("--actor must be 1-64 characters of [A-Za-z0-9._:-]");
  Result<PrivateKey> key = PrivateKey::Generate();
  if (!key.ok()) return Fail(key.status());
  if (out.empty()) out = actor + ".pem";
  if (Status s = client::SaveIdentity(out, {actor, *key}); !s.ok()) return Fail(s);
  Json d = {{"actor", actor}, {"role", role}, {"name", name.empty() ? actor : name}, {"public_key", key->public_key().ToBase64()}};
  if (!region.empty()) d["region"] = region;
  if (!department.empty()) d["department"] = department;
  if (!unit.empty()) d["unit"] = unit;
  PrintJson(d);
  std::cerr << "wrote the private key of " << actor << " to " << out << " (keep it secret)\n";
  return kOk;
}

int EventCmd(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl event: build an event of any type from a JSON body");
  std::string type, body_arg;
  EventOptions e;
  o.add_options()("type", po::value(&type)->required(), "event type, e.g. score.recorded")
      ("body", po::value(&body_arg)->required(), "the body: JSON text, or @FILE");
  AddEventOptions(o, e);
  po::variables_map vm;
  if (!Parse(args, o, {{"type", 1}}, vm, "pilotctl event TYPE --body JSON|@FILE [--key K] [--out FILE]")) return kOk;
  Result<Json> body = body_arg.rfind('@', 0) == 0 ? ReadJsonInput(body_arg) : ParseStrictJson(body_arg);
  if (!body.ok()) return Fail(body.status());
  if (e.out.empty() && e.keys.empty()) e.out = "-";
  return Emit(g, type, std::move(*body), e);
}

int Sign(const Globals&, const std::vector<std::string>& args) {
  po::options_description o("pilotctl sign: add signatures to an event file (it travels between signers)");
  std::string file, out;
  std::vector<std::string> keys;
  o.add_options()("file", po::value(&file)->required(), "the event file")
      ("key", po::value(&keys)->composing()->required(), "key file (ACTOR=PEM or PEM); repeat")
      ("out", po::value(&out), "write here (default: back to FILE)");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl sign FILE --key K [--key K] [--out FILE]")) return kOk;
  Result<std::string> text = ReadInput(file);
  if (!text.ok()) return Fail(text.status());
  Result<SignedEvent> event = ParseSubmission(*text, /*allow_unsigned=*/true);
  if (!event.ok()) return Fail(event.status());
  Result<std::vector<client::Identity>> ids = client::LoadIdentities(keys);
  if (!ids.ok()) return Fail(ids.status());
  for (const client::Identity& id : *ids) {
    for (const Signature& s : event->sigs) {
      if (s.signer == id.actor) return Fail(id.actor + " has already signed " + file);
    }
    client::AddSignature(*event, id);
  }
  if (Status s = WriteOutput(out.empty() ? file : out, SubmissionJson(*event).dump(2, ' ', false) + "\n"); !s.ok()) return Fail(s);
  std::cerr << event->id << " now carries " << event->sigs.size() << " signature(s)\n";
  return kOk;
}

int AppendCmd(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl append: submit a signed event file");
  std::string file;
  o.add_options()("file", po::value(&file)->required(), "the signed event file ('-' for stdin)");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl append FILE")) return kOk;
  Result<std::string> text = ReadInput(file);
  if (!text.ok()) return Fail(text.status());
  Result<SignedEvent> event = ParseSubmission(*text);
  if (!event.ok()) return Fail(event.status());
  return AppendEvent(g, *event);
}

}  // namespace

// "METHOD:YYYY-MM-DD:NOTE" checks of a recommendation (how the authority checked the unit).
Result<Json> CheckRecords(const std::vector<std::string>& items) {
  Json checks = Json::array();
  for (const std::string& item : items) {
    const auto a = item.find(':'), b = a == std::string::npos ? a : item.find(':', a + 1);
    if (b == std::string::npos) return Status(Code::kInvalidArgument, "--check takes METHOD:YYYY-MM-DD:NOTE, got " + item);
    checks.push_back({{"method", item.substr(0, a)}, {"date", item.substr(a + 1, b - a - 1)}, {"note", item.substr(b + 1)}});
  }
  return checks;
}

void AddEventCommands(std::vector<Command>& commands) {
  commands.push_back({"keygen", "create an actor's key and print its descriptor", Keygen});
  commands.push_back({"event", "build an event from a JSON body (unsigned unless --key)", EventCmd});
  commands.push_back({"sign", "add a signature to an event file", Sign});
  commands.push_back({"append", "submit a signed event file", AppendCmd});
  for (const Shortcut& s : Shortcuts()) {
    commands.push_back({s.name, s.summary + " (" + s.type + ")", [s](const Globals& g, const std::vector<std::string>& a) {
                          return RunShortcut(s, g, a);
                        }});
  }
}

}  // namespace pilotledger::cli
