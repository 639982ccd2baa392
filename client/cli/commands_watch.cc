// pilotctl watch: follow the stream, prove every entry against a signed checkpoint, deliver it
// (a JSON line, or --exec), remember the position, and reconnect with back-off.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <thread>

#include "client/cli/cli.h"
#include "client/verifier.h"
#include "client/watch_state.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/tlog_policy.h"
#include "projections/key_rotation.h"

namespace pilotledger::cli {
namespace {

std::atomic<bool> g_stop{false};

using client::WatchState;

Result<WatchState> LoadState(const std::string& path) {
  Result<std::string> text = ReadInput(path);
  if (!text.ok()) return WatchState{};  // first run
  return client::ParseWatchState(*text);
}

Status SaveState(const std::string& path, const WatchState& s) { return WriteOutput(path, client::WatchStateText(s)); }

// Runs `command` with `input` on its standard input; true if it exits 0.
bool Exec(const std::string& command, const std::string& input) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[0], 0);
    close(fds[0]);
    close(fds[1]);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  (void)!write(fds[1], input.data(), input.size());
  close(fds[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class Watcher {
 public:
  Watcher(const Globals& g, std::string state_file, std::string types, std::string exec, std::optional<policy::Policy> witnesses)
      : g_(g), state_file_(std::move(state_file)), types_(std::move(types)), exec_(std::move(exec)), witnesses_(std::move(witnesses)) {}

  int Run(WatchState state) {
    state_ = std::move(state);
    std::chrono::seconds backoff(1);
    while (!g_stop) {
      Status s = Session();
      if (g_stop) break;
      if (s.code() == Code::kDataLoss) return Fail(s);  // a forged or forked log: stop, loudly
      std::cerr << "pilotctl watch: " << s.message() << "; reconnecting in " << backoff.count() << " s\n";
      for (int i = 0; i < backoff.count() * 10 && !g_stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      backoff = std::min(backoff * 2, std::chrono::seconds(30));
      if (s.code() == Code::kOk) backoff = std::chrono::seconds(1);
    }
    return kOk;
  }

 private:
  // One connection: read, prove and deliver until an error.
  Status Session() {
    PL_ASSIGN_OR_RETURN(auto c, Connect(g_));
    // Rotations while we were away (the server is stopped to rotate): checked before trusted.
    const size_t known = state_.keys.size();
    PL_ASSIGN_OR_RETURN(state_.keys, client::FollowKeyRotations(*c, std::move(state_.keys)));
    if (state_.keys.size() > known) {
      std::cerr << "pilotctl watch: followed the ledger key's rotation to " << state_.keys.back() << "\n";
      PL_RETURN_IF_ERROR(SaveState(state_file_, state_));
    }
    std::string target = "/v1/stream?from=" + std::to_string(state_.next);
    if (!types_.empty()) target += "&types=" + types_;
    PL_ASSIGN_OR_RETURN(auto ws, c->OpenStream(target));
    std::cerr << "pilotctl watch: connected to " << g_.server << ", from seq " << state_.next
              << (types_.empty() ? "" : ", types " + types_) << "\n";
    pending_.clear();
    expected_ = state_.next;
    caught_up_ = 0;
    while (!g_stop) {
      Result<std::string> m = ws->Read(std::chrono::milliseconds(500));
      if (!m.ok()) {
        if (m.status().message() == "timeout") continue;
        return m.status();
      }
      Result<Json> j = ParseStrictJson(*m);
      if (!j.ok() || !j->is_object()) return Violation("a malformed stream message");
      if (j->contains("entry")) {
        PL_RETURN_IF_ERROR(OnEntry((*j)["entry"]));
      } else if (j->contains("checkpoint")) {
        if (!(*j)["checkpoint"].is_string()) return Violation("a checkpoint message without a signed note");
        PL_RETURN_IF_ERROR(OnCheckpoint(*c, (*j)["checkpoint"].get<std::string>()));
      } else if (j->contains("caught_up")) {
        if (!(*j)["caught_up"].is_number_integer() || (*j)["caught_up"].get<int64_t>() < 0) return Violation("a malformed caught_up message");
        // It may advance the position past filtered-out seqs, but only as far as a verified checkpoint.
        caught_up_ = std::max(caught_up_, (*j)["caught_up"].get<uint64_t>());
        std::cerr << "pilotctl watch: caught up at " << caught_up_ << " (" << pending_.size()
                  << " waiting for a checkpoint); following live entries\n";
      }
    }
    return Status::Ok();
  }

  // The server broke the protocol: a forged or malicious stream. Stop loudly.
  static Status Violation(const std::string& what) { return Status(Code::kDataLoss, "the stream is not trustworthy: " + what); }

  // Entries come in seq order: without a type filter every seq, with one increasing seqs of those
  // types; a redacted entry is never of a public type.
  Status OnEntry(const Json& entry) {
    if (!entry.is_object() || !entry.contains("seq") || !entry["seq"].is_number_integer() || entry["seq"].get<int64_t>() < 0) return Violation("an entry without a seq");
    const uint64_t seq = entry["seq"];
    if (seq < expected_) return Status::Ok();  // already had it
    if (types_.empty() && seq != expected_) {
      return Violation("entry " + std::to_string(expected_) + " is missing (the next one sent is " + std::to_string(seq) + ")");
    }
    const bool redacted = entry.value("redacted", false);
    const std::string type = redacted ? entry.value("type", "") : (entry.contains("event") && entry["event"].is_object() ? entry["event"].value("type", "") : "");
    const EventTypeInfo* info = FindEventType(type);
    if (!info) return Violation("entry " + std::to_string(seq) + " has no known type");
    if (redacted && info->is_public) return Violation("entry " + std::to_string(seq) + " of public type " + type + " arrived redacted");
    if (type == kKeyRotatedType && !redacted) PL_RETURN_IF_ERROR(OnKeyRotation(seq, entry));
    if (!Asked(type) && type != kKeyRotatedType) {  // rotations come whatever the filter
      return Violation("entry " + std::to_string(seq) + " of type " + type + " is not among the types asked for");
    }
    expected_ = seq + 1;
    pending_.push_back(entry);
    return Status::Ok();
  }

  bool Asked(const std::string& type) const { return types_.empty() || ("," + types_ + ",").find("," + type + ",") != std::string::npos; }

  // A ledger.key_rotated entry: from a key trusted (the last, or one it already followed to the
  // next through /v1/ledger-keys), signed by the old and the new key; its new key signs from now.
  Status OnKeyRotation(uint64_t seq, const Json& json) {
    Result<Entry> entry = EntryFromJson(json);
    if (!entry.ok()) return Violation("entry " + std::to_string(seq) + " is malformed");
    const std::string old_key = entry->body().value("old_key", "");
    const auto at = std::find(state_.keys.begin(), state_.keys.end(), old_key);
    if (at == state_.keys.end()) {
      return Violation("entry " + std::to_string(seq) + ": the key rotation is refused: its old_key " + old_key + " is not a trusted ledger key");
    }
    Result<std::string> next = projections::CheckKeyRotation(entry->signed_event, *at);
    if (!next.ok()) return Violation("entry " + std::to_string(seq) + ": the key rotation is refused: " + next.status().message());
    if (at + 1 < state_.keys.end() && *(at + 1) != *next) {
      return Violation("entry " + std::to_string(seq) + ": the key rotation names another key than /v1/ledger-keys listed");
    }
    if (at + 1 == state_.keys.end()) {
      state_.keys.push_back(*next);
      std::cerr << "pilotctl watch: entry " << seq << " rotates the ledger key to " << *next << "\n";
    }
    return Status::Ok();
  }

  // The remembered checkpoint was signed by one of the keys trusted; new ones by the newest.
  Result<Checkpoint> VerifyRemembered(const std::string& note) const {
    Status last(Code::kDataLoss, "no trusted key");
    for (const std::string& k : state_.keys) {
      Result<note::Verifier> v = note::ParseVerifierKey(k);
      if (!v.ok()) continue;
      Result<Checkpoint> cp = VerifyCheckpoint(note, *v);
      if (cp.ok()) return cp;
      last = cp.status();
    }
    return last;
  }

  Status OnCheckpoint(client::LedgerClient& c, const std::string& note) {
    PL_ASSIGN_OR_RETURN(note::Verifier key, note::ParseVerifierKey(state_.keys.back()));
    Result<Checkpoint> cp = VerifyCheckpoint(note, key);
    if (!cp.ok()) return Status(Code::kDataLoss, "a streamed checkpoint is not signed by the trusted key: " + cp.status().message());
    if (witnesses_) {
      Result<policy::Witnessed> w = policy::CheckCheckpoint(note, key, *witnesses_);
      if (!w.ok()) {
        // Refused: no entry is delivered under it; the next checkpoint may carry the quorum.
        std::cerr << "pilotctl watch: refusing a checkpoint: " << w.status().message() << "\n";
        return Status::Ok();
      }
    }
    if (!state_.checkpoint.empty()) {
      Result<Checkpoint> remembered = VerifyRemembered(state_.checkpoint);
      if (!remembered.ok()) {
        return Status(Code::kDataLoss, "the remembered checkpoint is not signed by the trusted key (another ledger? start a new state file): " +
                                           remembered.status().message());
      }
      const Checkpoint old = *remembered;
      if (cp->size < old.size) return Status(Code::kDataLoss, "the log shrank from " + std::to_string(old.size) + " to " + std::to_string(cp->size));
      if (cp->size > old.size) {
        PL_ASSIGN_OR_RETURN(auto proof, c.ConsistencyProof(old.size, cp->size));
        if (Status s = merkle::VerifyConsistency(old.size, cp->size, proof, old.root, cp->root); !s.ok()) {
          return Status(Code::kDataLoss, "the log was rewritten or forked after " + std::to_string(old.size) + " entries: " + s.message());
        }
      } else if (cp->root != old.root) {
        return Status(Code::kDataLoss, "two checkpoints of " + std::to_string(cp->size) + " entries with different roots");
      }
    }
    state_.checkpoint = note;
    // Deliver, in order, every pending entry this checkpoint covers, each proven first.
    while (!pending_.empty() && pending_.front()["seq"].get<uint64_t>() < cp->size) {
      if (pending_.front()["seq"].get<uint64_t>() < state_.next) {  // delivered before a reconnection
        pending_.pop_front();
        continue;
      }
      const Json entry = pending_.front();
      const uint64_t seq = entry["seq"];
      Hash leaf_hash;
      if (entry.value("redacted", false)) {
        PL_ASSIGN_OR_RETURN(leaf_hash, HashFromBase64(entry.value("leaf_hash", "")));
      } else {
        leaf_hash = merkle::HashLeaf(WriteCanonical(entry));
      }
      PL_ASSIGN_OR_RETURN(auto proof, c.InclusionProof(seq, cp->size));
      if (Status s = merkle::VerifyInclusion(seq, cp->size, leaf_hash, proof, cp->root); !s.ok()) {
        return Status(Code::kDataLoss, "entry " + std::to_string(seq) + " is not in the signed log: " + s.message());
      }
      std::cerr << "pilotctl watch: entry " << seq << " (" << (entry.value("redacted", false) ? entry.value("type", "") + ", redacted" : entry["event"].value("type", ""))
                << ") proven in the checkpoint of " << Count(cp->size, "entry", "entries") << "\n";
      const std::string line = WriteCanonical(entry) + "\n";
      const std::string type = entry.value("redacted", false) ? entry.value("type", "") : entry["event"].value("type", "");
      if (!Asked(type)) {  // a key rotation, proven, followed, not asked for
      } else if (exec_.empty()) {
        std::cout << line << std::flush;
      } else if (!Exec(exec_, line)) {
        return Status(Code::kUnavailable, "--exec failed for entry " + std::to_string(seq) + "; it will be retried");
      }
      // Remember only after delivering: a crash in between repeats this entry, never skips it.
      state_.next = seq + 1;
      PL_RETURN_IF_ERROR(SaveState(state_file_, state_));
      pending_.pop_front();
    }
    // Every wanted entry below the marker (and below this verified checkpoint) has been delivered.
    if (pending_.empty() && caught_up_ > state_.next) state_.next = std::min(caught_up_, cp->size);
    return SaveState(state_file_, state_);
  }

  const Globals& g_;
  const std::string state_file_, types_, exec_;
  // --policy: a checkpoint without the witness quorum is refused (nothing is delivered under it).
  const std::optional<policy::Policy> witnesses_;
  WatchState state_;
  std::deque<Json> pending_;  // received, waiting for a checkpoint that covers them
  uint64_t expected_ = 0;     // the lowest seq the stream may send next
  uint64_t caught_up_ = 0;    // the stream's caught_up marker, once received
};

int Watch(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl watch: follow the log, proving each entry, one JSON line per entry (or --exec)");
  std::string types, state_file, exec, ledger_key, policy_file;
  uint64_t from = 0;
  o.add_options()("types", po::value(&types), "only these types, comma-separated (e.g. title.revoked)")
      ("state", po::value(&state_file)->required(), "where to remember the position between runs")
      ("exec", po::value(&exec), "run this shell command per entry, the entry JSON on its stdin; a failure retries it")
      ("ledger-key", po::value(&ledger_key), "the verifier key you trust (default: the one the state file pinned)")
      ("from", po::value(&from), "start at this seq when the state file is new")
      ("policy", po::value(&policy_file), "C2SP tlog-policy file: deliver only under checkpoints with its witness quorum");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl watch --state FILE [--types T] [--exec CMD] [--ledger-key KEY]")) return kOk;
  std::optional<policy::Policy> witnesses;
  if (!policy_file.empty()) {
    Result<policy::Policy> p = policy::Load(policy_file);
    if (!p.ok()) return Fail(p.status());
    witnesses = std::move(*p);
  }
  Result<WatchState> state = LoadState(state_file);
  if (!state.ok()) return Fail(state.status());
  if (state->checkpoint.empty() && state->next == 0) state->next = from;
  if (ledger_key.empty()) ledger_key = state->ledger_key;
  if (!state->ledger_key.empty() && std::find(state->keys.begin(), state->keys.end(), ledger_key) == state->keys.end()) {
    return Fail("--ledger-key differs from the key " + state_file + " pinned: " + state->ledger_key);
  }
  if (ledger_key.empty()) {
    auto c = Connect(g);
    if (!c.ok()) return Fail(c.status());
    Result<std::string> served = (*c)->LedgerKey();
    if (!served.ok()) return Fail(served.status());
    ledger_key = *served;
    std::cerr << "pilotctl watch: trusting the served ledger key " << ledger_key << " (pass --ledger-key to pin it)\n";
  }
  Result<note::Verifier> key = note::ParseVerifierKey(ledger_key);
  if (!key.ok()) return Fail(key.status());
  if (state->ledger_key.empty()) state->ledger_key = ledger_key;
  if (state->keys.empty()) state->keys = {ledger_key};
  {
    // A key that is not this ledger's is a usage mistake, not a forged log: say so before watching.
    auto c = Connect(g);
    Result<std::string> served = c.ok() ? (*c)->LedgerKey() : Result<std::string>(c.status());
    std::string served_key = served.ok() ? *served : "";
    while (!served_key.empty() && (served_key.back() == '\n' || served_key.back() == '\r')) served_key.pop_back();
    // The served key may be a later one that the trusted key rotated to.
    std::vector<std::string> keys = state->keys;
    if (served.ok() && served_key != keys.back()) {
      Result<std::vector<std::string>> followed = client::FollowKeyRotations(**c, keys);
      if (!followed.ok() && followed.status().code() == Code::kDataLoss) return Fail(followed.status());
      if (followed.ok()) keys = *followed;
    }
    if (served.ok() && served_key != keys.back()) {
      return Fail("the ledger key you trust is not the key of the ledger at " + g.server + " (it serves " + served_key +
                  "): check --ledger-key (or the key pinned in " + state_file + "), or the server");
    }
  }
  signal(SIGTERM, [](int) { g_stop = true; });
  signal(SIGINT, [](int) { g_stop = true; });
  return Watcher(g, state_file, types, exec, std::move(witnesses)).Run(*state);
}

}  // namespace

void AddWatchCommands(std::vector<Command>& commands) {
  commands.push_back({"watch", "follow the log (e.g. revocations), proving each entry; resumes where it stopped", Watch});
}

}  // namespace pilotledger::cli
