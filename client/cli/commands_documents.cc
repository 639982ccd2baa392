// Files and the decisions that rest on them: `--document` cites a file by its hash in any event,
// and check-document asks the ledger which entries cite exactly this file, with their proofs.
#include <filesystem>

#include "client/cli/cli.h"
#include "client/verifier.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"

namespace pilotledger::cli {

Result<Json> DocumentCitation(const std::string& spec) {
  const auto eq = spec.find('=');
  const std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
  std::string name = eq == std::string::npos ? std::filesystem::path(path).filename().string() : spec.substr(0, eq);
  if (name.empty()) return Status(Code::kInvalidArgument, "--document " + spec + ": the document needs a name (NAME=FILE)");
  PL_ASSIGN_OR_RETURN(std::string bytes, ReadInput(path));
  return Json{{"name", name}, {"sha256", HashHex(Sha256(bytes))}, {"bytes", int64_t(bytes.size())}};
}

namespace {

int CheckDocument(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl check-document: which decisions cite exactly this file? (each with its inclusion proof)");
  std::string file, ledger_key;
  o.add_options()("file", po::value(&file)->required(), "the file")("ledger-key", po::value(&ledger_key)->required(), "the verifier key you trust");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl check-document FILE --ledger-key KEY")) return kOk;
  Result<note::Verifier> key = note::ParseVerifierKey(ledger_key);
  if (!key.ok()) return Fail("--ledger-key: " + key.status().message());
  Result<std::string> bytes = ReadInput(file);
  if (!bytes.ok()) return Fail(bytes.status());
  const std::string hash = HashHex(Sha256(*bytes));
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<Json> answer = (*c)->GetJson("/v1/documents/" + hash);
  if (!answer.ok()) return FailRead(g, answer.status());
  Json verified = Json::array();
  for (const Json& cite : (*answer)["citations"]) {
    const Json bundle = {{"format", client::kProofBundleFormat}, {"entry", cite["entry"]}, {"checkpoint", (*answer)["checkpoint"]},
                         {"inclusion", cite["inclusion"]}};
    Result<Json> entry = client::CheckProofBundle(bundle, *key);
    if (!entry.ok()) return Fail("entry " + cite["seq"].dump() + " does NOT verify: " + entry.status().message());
    const bool redacted = entry->value("redacted", false);
    if (!redacted) {  // the entry itself must name this file, with its size
      bool named = false;
      for (const Json& d : (*entry)["event"]["body"].value("documents", Json::array())) {
        named = named || (d.value("sha256", "") == hash && d.value("bytes", int64_t{-1}) == int64_t(bytes->size()));
      }
      if (!named) return Fail("entry " + cite["seq"].dump() + " is in the log but does not cite " + hash + " with " + std::to_string(bytes->size()) + " bytes");
    }
    Json item = {{"seq", cite["seq"]}, {"type", cite["type"]}, {"redacted", redacted}, {"inclusion", true}};
    if (cite.contains("name")) item["name"] = cite["name"];
    verified.push_back(std::move(item));
  }
  if (g.json) {
    PrintJson({{"sha256", hash}, {"bytes", int64_t(bytes->size())}, {"size", (*answer)["size"]}, {"citations", verified}});
    return kOk;
  }
  std::cout << file << ": sha256 " << hash << ", " << bytes->size() << " bytes\n";
  if (verified.empty()) {
    std::cout << "no decision in the " << (*answer)["size"] << " entries of the signed checkpoint cites this file\n";
    return kOk;
  }
  for (const Json& v : verified) {
    std::cout << "  entry " << v["seq"] << " " << v["type"].get<std::string>()
              << (v.contains("name") ? " cites it as " + v["name"].get<std::string>() : std::string(" (redacted)"))
              << ": inclusion proven in the checkpoint of " << (*answer)["size"] << " entries\n";
  }
  return kOk;
}

}  // namespace

void AddDocumentCommands(std::vector<Command>& commands) {
  commands.push_back({"check-document", "which decisions cite exactly this file (with inclusion proofs)", CheckDocument});
}

}  // namespace pilotledger::cli
