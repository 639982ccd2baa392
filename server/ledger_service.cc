#include "server/ledger_service.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "ledger/note.h"
#include "projections/apply.h"
#include "projections/bodies.h"
#include "projections/snapshot.h"

namespace pilotledger::server {
namespace {

std::string DbPath(const std::string& dir) { return dir + "/db"; }
std::string KeyPath(const std::string& dir) { return dir + "/ledger-key.pem"; }

bool IsActorType(const std::string& type) { return type.rfind("actor.", 0) == 0; }

}  // namespace

void StageSnapshot(const projections::State& state, ledger::WriteBatch& batch) {
  batch.Put(kSnapshotKey, WriteCanonical(projections::StateToJson(state)));
}

Result<std::optional<projections::State>> LoadSnapshot(const ledger::Store& store) {
  PL_ASSIGN_OR_RETURN(auto bytes, store.Get(kSnapshotKey));
  if (!bytes) return std::optional<projections::State>();
  Result<Json> j = ParseStrictJson(*bytes);
  if (!j.ok()) return Status(Code::kDataLoss, "the snapshot does not parse: " + j.status().message());
  PL_ASSIGN_OR_RETURN(projections::State state, projections::StateFromJson(*j));
  return std::optional<projections::State>(std::move(state));
}

Status Replay(const ledger::Log& log, projections::State& state, uint64_t until) {
  for (uint64_t from = state.size; from < until; from += 1000) {
    PL_ASSIGN_OR_RETURN(auto leaves, log.ReadLeaves(from, std::min<uint64_t>(1000, until - from)));
    for (const std::string& leaf : leaves) {
      PL_ASSIGN_OR_RETURN(Entry entry, ParseEntryLeaf(leaf));
      if (Status st = projections::Apply(state, entry); !st.ok()) {
        return Status(Code::kDataLoss, "replaying the log: " + st.message());
      }
    }
  }
  return Status::Ok();
}

// Runs Check and Apply on the sequencer thread, holding the state lock from the first admission of
// a batch until it is durable, so that readers never see state the log does not hold.
class LedgerService::Admission final : public ledger::Admission {
 public:
  explicit Admission(LedgerService& service) : s_(service) {}

  void BeginBatch() override {
    lock_ = std::unique_lock(s_.state_mu_);
    changed_actors_.clear();
  }
  Status Admit(const SignedEvent& event, Timestamp now) override {
    if (s_.failed_) return Status(Code::kUnavailable, "the ledger's projections are unusable; restart the server");
    return projections::Check(s_.state_, event, now, &body_);
  }
  // Called right after the Admit that accepted `entry`'s event, so body_ is its body.
  void Apply(const Entry& entry) override {
    if (Status st = projections::Apply(s_.state_, entry, &body_); !st.ok()) {
      std::cerr << "pilotledgerd: cannot apply an admitted entry: " << st.ToString() << "\n";
      s_.failed_ = true;
    }
    if (IsActorType(entry.type())) changed_actors_.push_back(entry.body().value("actor", ""));
  }
  void Stage(ledger::WriteBatch& batch, uint64_t size_after) override {
    if (s_.snapshot_interval_ == 0 || size_after - s_.snapshot_size_ < s_.snapshot_interval_) return;
    StageSnapshot(s_.state_, batch);
    pending_snapshot_ = size_after;
  }
  void EndBatch(bool committed) override {
    if (committed && pending_snapshot_) s_.snapshot_size_ = pending_snapshot_;
    pending_snapshot_ = 0;
    if (!committed) s_.failed_ = true;
    if (committed && !changed_actors_.empty()) s_.UpdateDirectory(&changed_actors_);
    lock_.unlock();
  }

 private:
  LedgerService& s_;
  std::unique_lock<std::shared_mutex> lock_;
  std::vector<std::string> changed_actors_;
  projections::Body body_;
  uint64_t pending_snapshot_ = 0;
};

LedgerService::LedgerService(const Clock& clock) : clock_(clock) {}

LedgerService::~LedgerService() { Stop(); }

Result<std::string> LedgerService::Init(const std::string& data_dir, const std::string& origin, const Json& authorities,
                                        const Json& policy, const Clock& clock) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(DbPath(data_dir), ec) || fs::exists(KeyPath(data_dir), ec)) {
    return Status(Code::kInvalidArgument, data_dir + " already holds a ledger; refusing to overwrite it");
  }
  if (!note::IsValidName(origin)) {
    return Status(Code::kInvalidArgument, "the origin must be non-empty UTF-8 without spaces or '+', e.g. pilotledger.example/log");
  }
  PL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate());
  const std::string verifier_key = note::VerifierKeyString(origin, key.public_key());
  const Json body = {{"origin", origin}, {"ledger_key", verifier_key}, {"authorities", authorities}, {"policy", policy}};
  if (Status s = projections::CheckGenesisBody(body); !s.ok()) {
    return Status(Code::kInvalidArgument, "invalid genesis: " + s.message() + " (" + s.details().value("field", "") + ")");
  }
  fs::create_directories(data_dir, ec);
  if (ec) return Status(Code::kInvalidArgument, "cannot create " + data_dir + ": " + ec.message());
  ::chmod(data_dir.c_str(), 0700);
  const Timestamp now = clock.Now();
  PL_ASSIGN_OR_RETURN(SignedEvent genesis, MakeEvent("genesis", std::string(kGenesisType), now, body));
  PL_RETURN_IF_ERROR(key.SavePem(KeyPath(data_dir)));
  PL_ASSIGN_OR_RETURN(auto store, ledger::OpenRocksStore(DbPath(data_dir), {.create_if_missing = true, .error_if_exists = true}));
  PL_RETURN_IF_ERROR(ledger::Log::Create(*store, key, origin, genesis, now));
  return verifier_key;
}

Result<std::unique_ptr<LedgerService>> LedgerService::Open(const ServiceOptions& options, const Clock& clock) {
  std::unique_ptr<LedgerService> s(new LedgerService(clock));
  Result<PrivateKey> key = PrivateKey::LoadPem(KeyPath(options.data_dir));
  if (!key.ok()) {
    if (key.status().code() == Code::kNotFound) {
      return Status(Code::kNotFound, "no ledger in " + options.data_dir + " (create one with pilotledgerd init)");
    }
    return key.status();
  }
  PL_ASSIGN_OR_RETURN(s->store_, ledger::OpenRocksStore(DbPath(options.data_dir), {}));
  PL_ASSIGN_OR_RETURN(s->log_, ledger::Log::Open(*s->store_, *key));

  // Resume from the stored snapshot when it is usable; replay the rest of the log.
  Result<std::optional<projections::State>> snapshot = LoadSnapshot(*s->store_);
  if (!snapshot.ok()) {
    std::cerr << "pilotledgerd: ignoring the projection snapshot (" << snapshot.status().message() << "); replaying the log\n";
  } else if (*snapshot && (*snapshot)->size <= s->log_->size()) {
    s->state_ = std::move(**snapshot);
  }
  s->snapshot_size_ = s->state_.size;
  PL_RETURN_IF_ERROR(Replay(*s->log_, s->state_, s->log_->size()));
  if (s->state_.origin != s->log_->origin()) {
    return Status(Code::kDataLoss, "the genesis entry names origin " + s->state_.origin + " but the log is " + s->log_->origin());
  }
  s->UpdateDirectory(nullptr);
  s->admission_ = std::make_unique<Admission>(*s);
  LedgerService* self = s.get();
  s->snapshot_interval_ = options.snapshot_interval;
  s->sequencer_ = std::make_unique<ledger::Sequencer>(
      *s->log_, clock, *s->admission_, [self](const std::vector<ledger::AppendedLeaf>& l) { self->OnCommitted(l); },
      options.sequencer);
  return s;
}

void LedgerService::Stop() {
  if (!sequencer_) return;
  sequencer_->Stop();
  // A clean stop leaves a snapshot of everything, so the next start replays nothing.
  std::unique_lock lock(state_mu_);
  if (!failed_ && state_.size > snapshot_size_) {
    ledger::WriteBatch batch;
    StageSnapshot(state_, batch);
    if (Status st = store_->Write(batch, /*sync=*/true); st.ok()) {
      snapshot_size_ = state_.size;
    } else {
      std::cerr << "pilotledgerd: cannot write the projection snapshot: " << st.ToString() << "\n";
    }
  }
}

void LedgerService::Append(SignedEvent event, ledger::Sequencer::Done done) {
  projections::PreverifySignatures(event, [this](const std::string& id) -> std::optional<PublicKey> {
    std::shared_lock lock(directory_mu_);
    const auto it = directory_.find(id);
    if (it == directory_.end()) return std::nullopt;
    return it->second.key;
  });
  sequencer_->Append(std::move(event), std::move(done));
}

void LedgerService::AddListener(EntryListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void LedgerService::OnCommitted(const std::vector<ledger::AppendedLeaf>& leaves) {
  std::lock_guard lock(listeners_mu_);
  for (const EntryListener& l : listeners_) l(leaves);
}

std::optional<projections::Actor> LedgerService::FindActiveActor(const std::string& id) const {
  std::shared_lock lock(directory_mu_);
  const auto it = directory_.find(id);
  if (it == directory_.end()) return std::nullopt;
  return it->second;
}

void LedgerService::UpdateDirectory(const std::vector<std::string>* ids) {
  std::unique_lock lock(directory_mu_);
  const auto put = [&](const projections::Actor& a) {
    if (a.active()) {
      directory_[a.id] = a;
    } else {
      directory_.erase(a.id);
    }
  };
  if (!ids) {
    for (const auto& [id, a] : state_.actors) put(a);
    return;
  }
  for (const std::string& id : *ids) {
    if (const projections::Actor* a = state_.FindActor(id)) put(*a);
  }
}

}  // namespace pilotledger::server

namespace pilotledger::server {
namespace {

// The path of the first place where `a` and `b` differ ("units[3].titles.2017.revoked"), or "".
std::string FirstDifference(const Json& a, const Json& b, const std::string& path) {
  if (a.type() != b.type()) return path.empty() ? "(root)" : path;
  if (a.is_object()) {
    for (const auto& [k, v] : a.items()) {
      const std::string p = path.empty() ? k : path + "." + k;
      if (!b.contains(k)) return p;
      if (std::string d = FirstDifference(v, b[k], p); !d.empty()) return d;
    }
    for (const auto& [k, v] : b.items()) {
      if (!a.contains(k)) return path.empty() ? k : path + "." + k;
    }
    return "";
  }
  if (a.is_array()) {
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (std::string d = FirstDifference(a[i], b[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
    }
    return a.size() == b.size() ? "" : path + ".length";
  }
  return a == b ? "" : path;
}

}  // namespace

Result<std::string> Rebuild(const std::string& data_dir, bool write) {
  PL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::LoadPem(KeyPath(data_dir)));
  Result<std::unique_ptr<ledger::Store>> store = ledger::OpenRocksStore(DbPath(data_dir), {});
  if (!store.ok()) return Status(store.status().code(), store.status().message() + " (is pilotledgerd serve running on it?)");
  PL_ASSIGN_OR_RETURN(auto log, ledger::Log::Open(**store, key));
  Result<std::optional<projections::State>> stored = LoadSnapshot(**store);
  std::string report = "verified the log: " + std::to_string(log->size()) + " entries, tree and checkpoint agree\n";
  projections::State replayed;
  Status difference;
  if (!stored.ok()) {
    difference = Status(Code::kDataLoss, "the stored snapshot is unreadable: " + stored.status().message());
  } else if (!*stored) {
    report += "no stored snapshot to compare\n";
  } else if ((*stored)->size > log->size()) {
    difference = Status(Code::kDataLoss, "the stored snapshot reflects " + std::to_string((*stored)->size) + " entries, more than the log holds");
  } else {
    PL_RETURN_IF_ERROR(Replay(*log, replayed, (*stored)->size));
    const Json expected = projections::StateToJson(replayed), actual = projections::StateToJson(**stored);
    const std::string path = FirstDifference(expected, actual, "");
    if (!path.empty()) {
      difference = Status(Code::kDataLoss, "the stored snapshot at " + std::to_string(replayed.size) +
                                               " entries differs from a replay from genesis, first at " + path);
    } else {
      report += "the stored snapshot (" + std::to_string(replayed.size) + " entries) equals a replay from genesis\n";
    }
  }
  PL_RETURN_IF_ERROR(Replay(*log, replayed, log->size()));
  if (write) {
    ledger::WriteBatch batch;
    StageSnapshot(replayed, batch);
    PL_RETURN_IF_ERROR((*store)->Write(batch, /*sync=*/true));
    report += "wrote a new snapshot of all " + std::to_string(replayed.size) + " entries\n";
  }
  if (!difference.ok()) return Status(difference.code(), report + difference.message());
  return report;
}

}  // namespace pilotledger::server
