// Auditors' commands: verify (the whole ledger, independently), proof and verify-bundle (an offline
// proof that an entry is in the log).
#include <algorithm>
#include <map>

#include "client/bundle.h"
#include "client/cli/cli.h"
#include "client/tlog_sources.h"
#include "client/verifier.h"
#include "ledger/tlog_policy.h"
#include "ledger/tlog_proof.h"
#include "ledger/encoding.h"
#include "ledger/event.h"
#include "projections/actors.h"
#include "projections/key_rotation.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"

namespace pilotledger::cli {
namespace {


// What a public reader (no --as) can verify: the checkpoint's signature, every entry at its seq,
// the signatures of every public entry by the signer's registered key (the actor registry is
// public), the tree from every leaf hash (a redacted entry carries its own), and that the public
// unit views are exactly what the public entries say. Not: the contents and signatures of
// redacted entries, the signing policy, the campaign rules, and the non-public projections.
struct PublicReport {
  std::string origin, root;
  uint64_t size = 0, public_entries = 0, redacted = 0, signatures = 0, units = 0, rotations = 0;
};

// The unit ids a public entry names (publications, titles, review lists and results, revocations).
std::vector<std::string> NamedUnits(const std::string& type, const Json& body) {
  std::vector<std::string> ids;
  if (type == "publication.issued" || type == "title.granted" || type == "review.passed") {
    for (const Json& u : body.value("units", Json::array())) ids.push_back(u.is_object() ? u.value("id", "") : u.get<std::string>());
  } else if (type == "title.revoked") {
    ids.push_back(body.value("unit_id", ""));
  } else if (type == "review.scope") {  // the review list: authority -> unit ids
    const Json lists = body.value("units", Json::object());
    for (const auto& [authority, units] : lists.items()) {
      for (const Json& u : units) ids.push_back(u.get<std::string>());
    }
  }
  return ids;
}

Result<PublicReport> VerifyPublic(client::LedgerSource& c, const std::string& ledger_key) {
  const auto bad = [](const std::string& what) { return Status(Code::kDataLoss, what); };
  PublicReport r;
  // The key rotations since the trusted key, each checked before its key is trusted.
  PL_ASSIGN_OR_RETURN(std::vector<std::string> keys, client::FollowKeyRotations(c, {ledger_key}));
  r.rotations = keys.size() - 1;
  PL_ASSIGN_OR_RETURN(note::Verifier key, note::ParseVerifierKey(keys.back()));
  std::string current_key = ledger_key;  // as the replay of the rotations has it
  PL_ASSIGN_OR_RETURN(std::string note, c.SignedCheckpoint());
  Result<Checkpoint> cp = VerifyCheckpoint(note, key);
  if (!cp.ok()) return bad("the served checkpoint is not signed by the trusted ledger key: " + cp.status().message());
  r.origin = cp->origin;
  std::map<std::string, projections::Actor> actors;
  std::map<std::string, std::vector<std::pair<uint64_t, std::string>>> named;  // unit -> public entries naming it
  std::vector<Hash> leaves;
  while (leaves.size() < cp->size) {
    PL_ASSIGN_OR_RETURN(Json page, c.Entries(leaves.size(), std::min<uint64_t>(1000, cp->size - leaves.size())));
    if (!page.contains("entries") || page["entries"].empty()) return bad("the server served no entry " + std::to_string(leaves.size()));
    for (const Json& e : page["entries"]) {
      const uint64_t seq = leaves.size();
      if (seq == cp->size) break;
      const std::string where = "entry " + std::to_string(seq);
      if (e.value("redacted", false)) {
        if (e.value("seq", uint64_t(-1)) != seq) return bad(where + " is served as another seq: a gap or a reordering");
        const EventTypeInfo* info = FindEventType(e.value("type", ""));
        if (!info || info->is_public) return bad(where + " is redacted but of the public type " + e.value("type", "") + "");
        Result<Hash> h = HashFromBase64(e.value("leaf_hash", ""));
        if (!h.ok()) return bad(where + " is redacted without a valid leaf hash");
        leaves.push_back(*h);
        ++r.redacted;
        continue;
      }
      const std::string leaf = WriteCanonical(e);
      Result<Entry> entry = ParseEntryLeaf(leaf);
      if (!entry.ok()) return bad(where + " is malformed: " + entry.status().message());
      if (entry->seq != seq) return bad(where + " is served as seq " + std::to_string(entry->seq) + ": a gap or a reordering");
      const EventTypeInfo* info = FindEventType(entry->type());
      if (!info || !info->is_public) return bad(where + " of the non-public type " + entry->type() + " was served to a public reader");
      if (seq == 0) {
        if (entry->type() != kGenesisType) return bad("entry 0 is not the genesis");
        if (entry->body().value("ledger_key", "") != ledger_key) return bad("the genesis entry names another ledger key");
        for (const Json& d : entry->body().value("authorities", Json::array())) {
          PL_ASSIGN_OR_RETURN(projections::Actor a, projections::ParseActor(d, "authorities"));
          actors[a.id] = a;
        }
      } else if (entry->type() == kKeyRotatedType) {
        Result<std::string> next = projections::CheckKeyRotation(entry->signed_event, current_key);
        if (!next.ok()) return bad(where + ": the key rotation is refused: " + next.status().message());
        current_key = *next;
        r.signatures += entry->signed_event.sigs.size();
      } else {
        const std::string input = SigningInput(entry->signed_event.canonical);
        for (const Signature& sig : entry->signed_event.sigs) {
          const auto a = actors.find(sig.signer);
          if (a == actors.end()) return bad(where + " is signed by " + sig.signer + ", not a registered actor");
          if (!a->second.active()) return bad(where + " is signed by " + sig.signer + ", retired at entry " + std::to_string(*a->second.revoked_seq));
          if (!a->second.key.Verify(input, sig.sig)) return bad(where + ": the signature of " + sig.signer + " does not verify with its registered key");
          ++r.signatures;
        }
        if (entry->type() == "actor.registered") {
          PL_ASSIGN_OR_RETURN(projections::Actor a, projections::ParseActor(entry->body(), "body"));
          a.registered_seq = seq;
          actors[a.id] = a;
        } else if (entry->type() == "actor.revoked") {
          if (auto a = actors.find(entry->body().value("actor", "")); a != actors.end()) a->second.revoked_seq = seq;
        }
        for (const std::string& id : NamedUnits(entry->type(), entry->body())) named[id].emplace_back(seq, entry->type());
      }
      leaves.push_back(merkle::HashLeaf(leaf));
      ++r.public_entries;
    }
  }
  merkle::CompactRange range;
  for (const Hash& h : leaves) range.Append(h, [](merkle::NodeId, const Hash&) {});
  if (range.Root() != cp->root) return bad("the " + std::to_string(cp->size) + " leaves served do not hash to the signed checkpoint's root");
  if (current_key != keys.back()) {
    return bad("the checkpoint is signed by " + keys.back() + ", but the log's key after its rotations is " + current_key);
  }
  r.size = cp->size;
  r.root = HashBase64(cp->root);
  // The public unit views: exactly the units public entries name, each with exactly that history.
  std::vector<std::string> listed;
  for (std::string cursor;;) {
    PL_ASSIGN_OR_RETURN(Json page, c.GetJson("/v1/units?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor)));
    if (page.value("as_of", uint64_t{0}) != r.size) return Status(Code::kUnavailable, "the ledger grew during the verification; run it again");
    for (const Json& u : page["units"]) listed.push_back(u["id"]);
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
  }
  std::vector<std::string> expected;
  for (const auto& [id, entries] : named) expected.push_back(id);
  if (listed != expected) {
    return bad("the server lists " + std::to_string(listed.size()) + " public units; the public entries name " + std::to_string(expected.size()));
  }
  for (const auto& [id, entries] : named) {
    PL_ASSIGN_OR_RETURN(Json u, c.GetJson("/v1/units/" + id));
    if (u.value("as_of", uint64_t{0}) != r.size) return Status(Code::kUnavailable, "the ledger grew during the verification; run it again");
    std::vector<std::pair<uint64_t, std::string>> history;
    for (const Json& h : u["history"]) history.emplace_back(h["seq"].get<uint64_t>(), h["type"].get<std::string>());
    if (history != entries) return bad("unit " + id + ": the served history differs from the public entries that name it");
    bool active = false;
    for (const auto& [campaign, t] : u["titles"].items()) {
      const auto granted = std::find(entries.begin(), entries.end(), std::make_pair(t.value("granted_seq", uint64_t(-1)), std::string("title.granted")));
      if (granted == entries.end()) return bad("unit " + id + ": its title " + campaign + " is not backed by a title.granted entry naming it");
      active = active || t.value("active", false);
    }
    const std::string status = u.value("status", "");
    if ((status == "titled") != active) return bad("unit " + id + " is served as " + status + ", which its titles do not support");
    ++r.units;
  }
  return r;
}

int VerifyPublicCmd(const Globals& g, client::LedgerSource& c, const std::string& ledger_key) {
  Result<note::Verifier> key = note::ParseVerifierKey(ledger_key);
  if (!key.ok()) return Fail("verification FAILED: --ledger-key: " + key.status().message());
  Result<PublicReport> r = VerifyPublic(c, ledger_key);
  if (!r.ok()) return Fail("verification FAILED: " + r.status().message());
  const std::string not_checked =
      "the contents and signatures of the " + Count(r->redacted, "redacted entry", "redacted entries") +
      "; whether each signer was allowed to sign (the policy) and the campaign rules, which need every entry; quotas, "
      "eligibility, scores and other non-public projections";
  if (g.json) {
    PrintJson({{"mode", "public"}, {"origin", r->origin}, {"size", r->size}, {"root", r->root}, {"public_entries", r->public_entries},
               {"redacted", r->redacted}, {"signatures", r->signatures}, {"units", r->units}, {"rotations", r->rotations},
               {"not_checked", not_checked}});
    return kOk;
  }
  std::cout << "verified as a public reader " << r->origin << ": " << Count(r->size, "entry", "entries") << " ("
            << r->public_entries << " public, " << r->redacted << " redacted)"
            << "\n  signatures    " << r->signatures << " of the public entries checked with the signers' registered keys"
            << "\n  tree          root " << r->root << " from every leaf hash equals the checkpoint signed by the trusted key"
            << (r->rotations ? " (after " + Count(r->rotations, "key rotation", "key rotations") + " signed by the old and the new key)" : "")
            << "\n  projections   " << Count(r->units, "public unit", "public units") << " served exactly as the public entries say"
            << "\n  NOT checked   " << not_checked << "; run verify --as an auditor or ministry key for those\n";
  return kOk;
}

int Verify(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl verify: verify the whole ledger independently (--as an auditor or ministry key), or without --as what a public reader may see");
  client::VerifyOptions v;
  bool no_compare = false;
  bool public_mode = false, from_tiles = false;
  std::string policy_file;
  o.add_options()("ledger-key", po::value(&v.ledger_key)->required(), "the verifier key you trust")
      ("tiles", po::bool_switch(&from_tiles), "read the log from the C2SP tlog-tiles API (/tlog/) instead of /v1/entries")
      ("policy", po::value(&policy_file), "C2SP tlog-policy file: refuse a checkpoint without its witness quorum")
      ("public", po::bool_switch(&public_mode), "verify what a public reader may see (the default without --as)")
      ("state", po::value(&v.state_file), "remember what was verified here; next time verify only what is new")
      ("no-compare", po::bool_switch(&no_compare), "skip comparing the served units and quotas with the replay");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl [--as AUDITOR.pem] verify --ledger-key KEY [--state FILE] [--public] [--tiles] [--policy FILE]")) return kOk;
  v.compare_projections = !no_compare;
  std::optional<policy::Policy> witness_policy;
  if (!policy_file.empty()) {
    Result<policy::Policy> p = policy::Load(policy_file);
    if (!p.ok()) return Fail(p.status());
    witness_policy = std::move(*p);
  }
  // Without a policy a malformed key is reported where it always was (after the public-reader note).
  Result<note::Verifier> trusted = note::ParseVerifierKey(v.ledger_key);
  if (witness_policy && !trusted.ok()) return Fail("verification FAILED: --ledger-key: " + trusted.status().message());
  // The source: the JSON API or the tiles, behind the witness policy if one is given.
  const auto verify_from = [&](client::LedgerClient& client, const std::function<int(client::LedgerSource&)>& run) {
    client::ClientSource json_source(client);
    client::TilesSource tile_source(client);
    client::LedgerSource& base = from_tiles ? static_cast<client::LedgerSource&>(tile_source) : json_source;
    if (!witness_policy) return run(base);
    client::WitnessedSource witnessed(base, *trusted, *witness_policy, client::ClientOptions{g.ca_file});
    return run(witnessed);
  };
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  if (public_mode || g.reader.empty()) {
    if (!v.state_file.empty()) return Fail("--state is for the full verification (with --as an auditor or ministry key)");
    if (g.reader.empty()) std::cerr << "pilotctl verify: no --as KEYFILE, so verifying as a public reader (redacted entries cannot be checked)\n";
    Globals anonymous = g;
    anonymous.reader.clear();  // --public reads as the public does, whatever --as says
    auto pc = Connect(anonymous);
    if (!pc.ok()) return Fail(pc.status());
    return verify_from(**pc, [&](client::LedgerSource& source) { return VerifyPublicCmd(g, source, v.ledger_key); });
  }
  Result<client::VerifyReport> r = Status(Code::kInternal, "not run");
  verify_from(**c, [&](client::LedgerSource& source) {
    r = client::VerifyLedger(source, v);
    return kOk;
  });
  if (!r.ok()) return Fail("verification FAILED: " + r.status().message());
  if (g.json) {
    PrintJson(r->ToJson());
    return kOk;
  }
  std::cout << "verified " << r->origin << ": " << Count(r->size, "entry", "entries");
  if (r->from > 0) std::cout << " (" << r->size - r->from << " new since the remembered checkpoint of " << r->from << ", consistency proven)";
  std::cout << "\n  signatures    " << r->signatures << " checked; every signer registered, active and allowed by the genesis policy"
            << "\n  rules         every entry admissible by the campaign rules at its received time"
            << "\n  tree          root " << r->root << " equals the checkpoint signed by the trusted key";
  if (r->rotations > 0) {
    std::cout << "\n  key           followed " << Count(r->rotations, "key rotation", "key rotations")
              << " (each signed by the old and the new key); the checkpoint is signed by " << r->ledger_key;
  }
  if (v.compare_projections) {
    std::cout << "\n  projections   " << Count(r->units, "unit", "units") << " and " << Count(r->campaigns, "campaign's quotas", "campaigns' quotas")
              << " served equal the replay";
  }
  if (witness_policy) std::cout << "\n  witnesses     the checkpoint carries the quorum of cosignatures " << policy_file << " requires";
  std::cout << "\n  took          " << r->seconds << " s\n";
  return kOk;
}

int Proof(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl proof: an offline bundle proving that an entry is in the log");
  uint64_t seq = 0;
  std::string out, format = "json";
  o.add_options()("seq", po::value(&seq)->required(), "the entry")("out", po::value(&out)->required(), "bundle file ('-' for stdout)")
      ("format", po::value(&format), "json (the PilotLedger bundle, with the signers' registrations) or tlog-proof (c2sp.org/tlog-proof@v1)");
  po::variables_map vm;
  if (!Parse(args, o, {{"seq", 1}}, vm, "pilotctl proof SEQ --out FILE [--format json|tlog-proof]")) return kOk;
  if (format != "json" && format != "tlog-proof") return Fail("--format is json or tlog-proof");
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<std::string> note = (*c)->SignedCheckpoint();
  if (!note.ok()) return Fail(note.status());
  Result<Checkpoint> cp = ParseCheckpointText(note->substr(0, note->find("\n\n") + 1));
  if (!cp.ok()) return Fail(cp.status());
  Result<Json> entry = (*c)->Entry(seq);
  if (!entry.ok()) return Fail(entry.status());
  Result<std::vector<Hash>> proof = (*c)->InclusionProof(seq, cp->size);
  if (!proof.ok()) return Fail(proof.status());
  if (format == "tlog-proof") {
    // The extra line carries the entry as this reader sees it (the leaf, or the redaction stub),
    // which the verifier hashes (or whose leaf_hash it takes) and proves against the checkpoint.
    const std::string text = tlogproof::Format({WriteCanonical(*entry), seq, *proof, *note});
    if (Status s = WriteOutput(out, text); !s.ok()) return Fail(s);
    if (out != "-") std::cerr << "wrote the tlog-proof of entry " << seq << " in the log of " << Count(cp->size, "entry", "entries") << " to " << out << "\n";
    return kOk;
  }
  Json hashes = Json::array();
  for (const Hash& h : *proof) hashes.push_back(HashBase64(h));
  Json bundle = {{"format", client::kProofBundleFormat}, {"entry", *entry}, {"checkpoint", *note},
                 {"inclusion", {{"index", seq}, {"size", cp->size}, {"hashes", hashes}}}};
  // The entries that registered its signers' keys, each with its proof in the same tree, so that
  // the signatures can be checked offline too.
  if (!entry->value("redacted", false)) {
    Json signers = Json::array();
    for (const Json& sig : (*entry)["sigs"]) {
      const std::string signer = sig.value("signer", "");
      Result<Json> actor = (*c)->GetJson("/v1/actors/" + signer);
      if (!actor.ok()) return Fail(actor.status());
      const uint64_t reg = (*actor)["registered_seq"].get<uint64_t>();
      Result<Json> reg_entry = (*c)->Entry(reg);
      if (!reg_entry.ok()) return Fail(reg_entry.status());
      Result<std::vector<Hash>> reg_proof = (*c)->InclusionProof(reg, cp->size);
      if (!reg_proof.ok()) return Fail(reg_proof.status());
      Json reg_hashes = Json::array();
      for (const Hash& h : *reg_proof) reg_hashes.push_back(HashBase64(h));
      signers.push_back({{"actor", signer}, {"entry", *reg_entry}, {"inclusion", {{"index", reg}, {"size", cp->size}, {"hashes", reg_hashes}}}});
    }
    bundle["signers"] = signers;
  }
  if (Status s = WriteOutput(out, bundle.dump(2, ' ', false) + "\n"); !s.ok()) return Fail(s);
  if (out != "-") std::cerr << "wrote the proof of entry " << seq << " in the log of " << Count(cp->size, "entry", "entries") << " to " << out << "\n";
  return kOk;
}

// verify-bundle of a c2sp.org/tlog-proof@v1 file: the checkpoint (and its witnesses), then the
// entry of the extra line at the index, by its inclusion proof.
int VerifyTlogProof(const Globals& g, const std::string& text, const note::Verifier& key, const std::optional<policy::Policy>& witnesses) {
  const auto refuse = [](const std::string& why) { return Fail("the tlog-proof does NOT verify: " + why); };
  Result<tlogproof::Proof> p = tlogproof::Parse(text);
  if (!p.ok()) return refuse(p.status().message());
  Result<Checkpoint> cp = VerifyCheckpoint(p->checkpoint, key);
  if (!cp.ok()) return refuse("the checkpoint is not signed by the trusted key: " + cp.status().message());
  size_t cosigned = 0;
  if (witnesses) {
    Result<policy::Witnessed> w = policy::CheckCheckpoint(p->checkpoint, key, *witnesses);
    if (!w.ok()) return refuse(w.status().message());
    cosigned = w->cosigned.size();
  }
  if (p->extra.empty()) return refuse("it has no extra line carrying the entry");
  Result<Json> entry = ParseStrictJson(p->extra);
  if (!entry.ok() || !entry->is_object()) return refuse("the extra line is not an entry");
  const bool redacted = entry->value("redacted", false);
  Hash leaf_hash = merkle::HashLeaf(p->extra);
  if (redacted) {
    Result<Hash> h = HashFromBase64(entry->value("leaf_hash", ""));
    if (!h.ok()) return refuse("the redacted entry has no leaf hash");
    leaf_hash = *h;
  } else if (WriteCanonical(*entry) != p->extra || !ParseEntryLeaf(p->extra).ok()) {
    return refuse("the extra line is not a canonical entry");
  }
  if (entry->value("seq", uint64_t(-1)) != p->index) return refuse("the entry is not the one at index " + std::to_string(p->index));
  if (Status s = merkle::VerifyInclusion(p->index, cp->size, leaf_hash, p->hashes, cp->root); !s.ok()) return refuse(s.message());
  if (g.json) {
    PrintJson({{"verified", true}, {"format", std::string(tlogproof::kHeader)}, {"entry", *entry}, {"size", cp->size},
               {"cosignatures", cosigned}});
    return kOk;
  }
  std::cout << "verified: entry " << p->index << (redacted ? " (redacted)" : "") << " is in the log signed by " << key.name
            << "\n  inclusion     proven in the checkpoint of " << Count(cp->size, "entry", "entries") << " signed by the trusted key\n";
  if (witnesses) std::cout << "  witnesses     " << cosigned << " valid cosignatures; the policy's quorum is met\n";
  std::cout << "  not proven    the signatures on the entry (a tlog-proof carries no signers' registrations; use --format json)\n";
  return kOk;
}

int VerifyBundle(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl verify-bundle: check a proof bundle with no network: that the entry is in the signed log, and its signatures with the signers' registrations the bundle carries");
  std::string file, ledger_key, policy_file;
  o.add_options()("file", po::value(&file)->required(), "the bundle (JSON, or a c2sp.org/tlog-proof@v1 file)")
      ("ledger-key", po::value(&ledger_key)->required(), "the verifier key you trust")
      ("policy", po::value(&policy_file), "C2SP tlog-policy file: refuse a checkpoint without its witness quorum");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl verify-bundle FILE --ledger-key KEY [--policy FILE]")) return kOk;
  Result<note::Verifier> key = note::ParseVerifierKey(ledger_key);
  if (!key.ok()) return Fail(key.status());
  Result<std::string> text = ReadInput(file);
  if (!text.ok()) return Fail(text.status());
  std::optional<policy::Policy> witness_policy;
  if (!policy_file.empty()) {
    Result<policy::Policy> p = policy::Load(policy_file);
    if (!p.ok()) return Fail(p.status());
    witness_policy = std::move(*p);
  }
  if (text->starts_with(tlogproof::kHeader)) return VerifyTlogProof(g, *text, *key, witness_policy);
  Result<Json> bundle = ParseStrictJson(*text);
  if (!bundle.ok()) return Fail("the bundle is not valid JSON: " + bundle.status().message());
  Result<client::BundleReport> r = client::VerifyProofBundle(*bundle, *key);
  if (!r.ok()) return Fail("the bundle does NOT verify: " + r.status().message());
  if (witness_policy) {
    Result<policy::Witnessed> w = policy::CheckCheckpoint((*bundle)["checkpoint"].get<std::string>(), *key, *witness_policy);
    if (!w.ok()) return Fail("the bundle does NOT verify: " + w.status().message());
  }
  const std::string not_proven = std::string(r->signatures_checked ? "" : "the signatures on the entry; ") +
                                 "that the signers were still active and allowed to sign it, and that it was admissible under the rules "
                                 "(pilotctl verify checks those over the whole log)";
  if (g.json) {
    PrintJson({{"verified", true}, {"entry", r->entry}, {"inclusion", true}, {"signatures_checked", r->signatures_checked},
               {"signatures", r->signatures}, {"not_proven", not_proven}});
    return kOk;
  }
  if (r->redacted) {
    std::cout << "verified: entry " << r->seq << " (" << r->type << ", redacted) is in the log signed by " << key->name << "\n";
  } else {
    std::cout << "verified: entry " << r->seq << " (" << r->type << " " << r->id << ", received " << r->received
              << ") is in the log signed by " << key->name << "\n";
  }
  std::cout << "  inclusion     proven in the checkpoint of " << Count(r->tree_size, "entry", "entries") << " signed by the trusted key\n";
  if (r->signatures_checked) {
    std::cout << "  signatures    " << r->signatures << " of " << r->sig_count
              << " verify with the keys their signers' registration entries record (proven in the same tree)\n";
  } else {
    std::cout << "  signatures    NOT checked: " << (r->redacted ? "the entry is redacted" : "the bundle carries no signers' registrations") << "\n";
  }
  std::cout << "  not proven    " << not_proven << "\n";
  return kOk;
}

}  // namespace

void AddVerifyCommands(std::vector<Command>& commands) {
  commands.push_back({"verify", "verify the ledger independently: all of it --as an auditor, or what the public may see", Verify});
  commands.push_back({"proof", "write an offline proof bundle for an entry", Proof});
  commands.push_back({"verify-bundle", "check a proof bundle with no network (inclusion and signatures)", VerifyBundle});
}

}  // namespace pilotledger::cli
