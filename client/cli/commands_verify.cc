// Auditors' commands: verify (the whole ledger, independently), proof and verify-bundle (an offline
// proof that an entry is in the log).
#include "client/cli/cli.h"
#include "client/verifier.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"

namespace pilotledger::cli {
namespace {

int Verify(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl verify: verify the whole ledger independently (use --as an auditor key)");
  client::VerifyOptions v;
  bool no_compare = false;
  o.add_options()("ledger-key", po::value(&v.ledger_key)->required(), "the verifier key you trust")
      ("state", po::value(&v.state_file), "remember what was verified here; next time verify only what is new")
      ("no-compare", po::bool_switch(&no_compare), "skip comparing the served units and quotas with the replay");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl --as AUDITOR.pem verify --ledger-key KEY [--state FILE]")) return kOk;
  v.compare_projections = !no_compare;
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<client::VerifyReport> r = client::VerifyLedger(**c, v);
  if (!r.ok()) return Fail("verification FAILED: " + r.status().message());
  if (g.json) {
    PrintJson(r->ToJson());
    return kOk;
  }
  std::cout << "verified " << r->origin << ": " << r->size << " entries";
  if (r->from > 0) std::cout << " (" << r->size - r->from << " new since the remembered checkpoint of " << r->from << ", consistency proven)";
  std::cout << "\n  signatures    " << r->signatures << " checked; every signer registered, active and allowed by the genesis policy"
            << "\n  rules         every entry admissible by the campaign rules at its received time"
            << "\n  tree          root " << r->root << " equals the checkpoint signed by the trusted key";
  if (v.compare_projections) {
    std::cout << "\n  projections   " << r->units << " units and " << r->campaigns << " campaigns' quotas served equal the replay";
  }
  std::cout << "\n  took          " << r->seconds << " s\n";
  return kOk;
}

int Proof(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl proof: an offline bundle proving that an entry is in the log");
  uint64_t seq = 0;
  std::string out;
  o.add_options()("seq", po::value(&seq)->required(), "the entry")("out", po::value(&out)->required(), "bundle file ('-' for stdout)");
  po::variables_map vm;
  if (!Parse(args, o, {{"seq", 1}}, vm, "pilotctl proof SEQ --out FILE")) return kOk;
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
  Json hashes = Json::array();
  for (const Hash& h : *proof) hashes.push_back(HashBase64(h));
  const Json bundle = {{"format", client::kProofBundleFormat}, {"entry", *entry}, {"checkpoint", *note},
                       {"inclusion", {{"index", seq}, {"size", cp->size}, {"hashes", hashes}}}};
  if (Status s = WriteOutput(out, bundle.dump(2, ' ', false) + "\n"); !s.ok()) return Fail(s);
  if (out != "-") std::cerr << "wrote the proof of entry " << seq << " in the log of " << cp->size << " entries to " << out << "\n";
  return kOk;
}

int VerifyBundle(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl verify-bundle: check a proof bundle with no network");
  std::string file, ledger_key;
  o.add_options()("file", po::value(&file)->required(), "the bundle")("ledger-key", po::value(&ledger_key)->required(), "the verifier key you trust");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl verify-bundle FILE --ledger-key KEY")) return kOk;
  Result<note::Verifier> key = note::ParseVerifierKey(ledger_key);
  if (!key.ok()) return Fail(key.status());
  Result<std::string> text = ReadInput(file);
  if (!text.ok()) return Fail(text.status());
  Result<Json> bundle = ParseStrictJson(*text);
  if (!bundle.ok()) return Fail("the bundle is not valid JSON: " + bundle.status().message());
  Result<Json> entry = client::CheckProofBundle(*bundle, *key);
  if (!entry.ok()) return Fail("the bundle does NOT verify: " + entry.status().message());
  if (g.json) {
    PrintJson({{"verified", true}, {"entry", *entry}});
  } else if (entry->value("redacted", false)) {
    std::cout << "verified: entry " << (*entry)["seq"] << " (" << (*entry)["type"].get<std::string>() << ", redacted) is in the log\n";
  } else {
    const Json& e = (*entry)["event"];
    std::cout << "verified: entry " << (*entry)["seq"] << " (" << e["type"].get<std::string>() << " " << e["id"].get<std::string>()
              << ", received " << (*entry)["received"].get<std::string>() << ") is in the log signed by " << key->name << "\n";
  }
  return kOk;
}

}  // namespace

void AddVerifyCommands(std::vector<Command>& commands) {
  commands.push_back({"verify", "verify the whole ledger independently (signatures, policy, rules, tree, projections)", Verify});
  commands.push_back({"proof", "write an offline proof bundle for an entry", Proof});
  commands.push_back({"verify-bundle", "check a proof bundle with no network", VerifyBundle});
}

}  // namespace pilotledger::cli
