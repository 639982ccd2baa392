#include "server/witness.h"

#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <filesystem>

#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/merkle.h"

namespace pilotledger::server {
namespace {

HttpResponse TextAnswer(int status, const std::string& body, const std::string& type = "text/plain; charset=utf-8") {
  return HttpResponse{status, type, body};
}

bool ParseSize(std::string_view s, uint64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string StateKey(const std::string& origin) { return "w/" + origin; }

}  // namespace

std::string WitnessDbPath(const std::string& dir) { return dir + "/db"; }
std::string WitnessKeyPath(const std::string& dir) { return dir + "/witness-key.pem"; }
std::string WitnessNamePath(const std::string& dir) { return dir + "/witness-name"; }

Result<std::string> Witness::Init(const std::string& dir, const std::string& name) {
  if (!note::IsValidName(name)) return Status(Code::kInvalidArgument, "the witness name must be non-empty, with no space or '+'");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (std::filesystem::exists(WitnessKeyPath(dir))) return Status(Code::kInvalidArgument, dir + " already holds a witness");
  PL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate());
  PL_RETURN_IF_ERROR(key.SavePem(WitnessKeyPath(dir)));
  {
    std::ofstream out(WitnessNamePath(dir), std::ios::binary | std::ios::trunc);
    out << name << "\n";
    if (!out.flush()) return Status(Code::kInvalidArgument, "cannot write " + WitnessNamePath(dir));
  }
  ledger::StoreOptions options;
  options.create_if_missing = true;
  PL_ASSIGN_OR_RETURN(auto store, ledger::OpenRocksStore(WitnessDbPath(dir), options));
  return cosig::VerifierKeyString(name, key.public_key());
}

Result<std::unique_ptr<Witness>> Witness::Open(const std::string& dir, std::vector<note::Verifier> logs, const Clock& clock) {
  std::ifstream in(WitnessNamePath(dir));
  std::string name;
  if (!in || !std::getline(in, name)) return Status(Code::kNotFound, "no witness in " + dir + " (run 'pilotledgerd witness init')");
  struct stat st {};
  if (::stat(WitnessKeyPath(dir).c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    return Status(Code::kInvalidArgument, "the witness key " + WitnessKeyPath(dir) + " is readable by group or others; make it private with: chmod 600 " +
                                              WitnessKeyPath(dir));
  }
  PL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::LoadPem(WitnessKeyPath(dir)));
  PL_ASSIGN_OR_RETURN(auto store, ledger::OpenRocksStore(WitnessDbPath(dir), {}));
  return std::unique_ptr<Witness>(new Witness(std::move(store), cosig::Signer{name, key}, std::move(logs), clock));
}

Witness::Witness(std::unique_ptr<ledger::Store> store, cosig::Signer signer, std::vector<note::Verifier> logs, const Clock& clock)
    : store_(std::move(store)),
      signer_(std::move(signer)),
      verifier_key_(cosig::VerifierKeyString(signer_.name, signer_.key.public_key())),
      logs_(std::move(logs)),
      clock_(clock) {}

HttpResponse Witness::Handle(const HttpRequest& request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/add-checkpoint") {
    if (request.method != "POST") {
      HttpResponse r = TextAnswer(405, "add-checkpoint is a POST\n");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    return AddCheckpoint(request.body);
  }
  // GET /<lowercase hex SHA-256 of the origin>/checkpoint: the last checkpoint this witness cosigned.
  if (request.method == "GET" && path.size() == 1 + 64 + 11 && path.ends_with("/checkpoint")) {
    const std::string hex = path.substr(1, 64);
    for (const note::Verifier& log : logs_) {
      if (HashHex(Sha256(log.name)) != hex) continue;
      Result<std::optional<std::string>> state = store_->Get(StateKey(log.name));
      if (!state.ok()) return TextAnswer(500, state.status().message() + "\n");
      if (!*state) break;
      return TextAnswer(200, **state);
    }
    return TextAnswer(404, "this witness has cosigned no checkpoint of that log\n");
  }
  return TextAnswer(404, "no such endpoint " + path + "\n");
}

HttpResponse Witness::AddCheckpoint(const std::string& body) {
  std::string_view rest = body;
  const auto line = [&](std::string_view& out) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return false;
    out = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    return true;
  };
  std::string_view l;
  uint64_t old_size = 0;
  if (!line(l) || !l.starts_with("old ") || !ParseSize(l.substr(4), old_size)) return TextAnswer(400, "the first line must be \"old <size>\"\n");
  std::vector<Hash> proof;
  while (true) {
    if (!line(l)) return TextAnswer(400, "no blank line before the checkpoint\n");
    if (l.empty()) break;
    Result<Hash> h = HashFromBase64(l);
    if (!h.ok() || proof.size() >= 63) return TextAnswer(400, "a consistency proof line is not a base64 hash, or there are more than 63\n");
    proof.push_back(*h);
  }
  const std::string note(rest);
  const auto origin_end = note.find('\n');
  const std::string origin = note.substr(0, origin_end);
  std::vector<note::Verifier> keys;
  for (const note::Verifier& v : logs_) {
    if (v.name == origin) keys.push_back(v);
  }
  if (keys.empty()) return TextAnswer(404, "unknown log origin\n");
  Result<note::OpenedNote> opened = note::Open(note, keys);
  if (!opened.ok()) {
    const bool malformed = opened.status().message() == "malformed note";
    return TextAnswer(malformed ? 400 : 403, opened.status().message() + "\n");
  }
  Result<Checkpoint> cp = ParseCheckpointText(opened->text);
  if (!cp.ok() || cp->origin != origin) return TextAnswer(400, "malformed checkpoint\n");
  if (old_size > cp->size) return TextAnswer(400, "the old size exceeds the checkpoint's size\n");

  std::lock_guard lock(mu_);
  Result<std::optional<std::string>> state = store_->Get(StateKey(origin));
  if (!state.ok()) return TextAnswer(500, state.status().message() + "\n");
  Checkpoint known{origin, 0, merkle::EmptyRoot()};
  if (*state) {
    Result<Checkpoint> k = ParseCheckpointText(**state);
    if (!k.ok()) return TextAnswer(500, "the witness's stored state is corrupt\n");
    known = *k;
  }
  if (old_size != known.size) return TextAnswer(409, std::to_string(known.size) + "\n", "text/x.tlog.size");
  if (cp->size == 0 && cp->root != merkle::EmptyRoot()) return TextAnswer(422, "a checkpoint of size 0 must have the empty tree's root\n");
  if (old_size == 0 && !proof.empty()) return TextAnswer(422, "a proof from size 0 must be empty\n");
  if (old_size == cp->size && cp->root != known.root) return TextAnswer(422, "same size, different root: the log forked\n");
  if (old_size > 0 && old_size < cp->size) {
    if (Status s = merkle::VerifyConsistency(old_size, cp->size, proof, known.root, cp->root); !s.ok()) {
      return TextAnswer(422, "the consistency proof does not verify: " + s.message() + "\n");
    }
  }
  const uint64_t now = static_cast<uint64_t>(std::max<int64_t>(clock_.Now().ms / 1000, 1));
  const std::string cosignature = cosig::Cosign(opened->text, now, signer_);
  // What the monitoring endpoint serves: the log's signature lines it verified, and ours.
  std::string stored = opened->text + "\n";
  const std::string prefix = "\xE2\x80\x94 " + origin + " ";
  for (const note::NoteSignature& s : opened->verified) stored += prefix + s.base64 + "\n";
  stored += cosignature;
  ledger::WriteBatch batch;
  batch.Put(StateKey(origin), stored);
  if (Status s = store_->Write(batch, /*sync=*/true); !s.ok()) return TextAnswer(503, "cannot store the new state: " + s.message() + "\n");
  return TextAnswer(200, cosignature);
}

}  // namespace pilotledger::server
