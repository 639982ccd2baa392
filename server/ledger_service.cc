#include "server/ledger_service.h"

#include <malloc.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <latch>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "ledger/note.h"
#include "ledger/thread_name.h"
#include "projections/apply.h"
#include "projections/bodies.h"
#include "projections/snapshot.h"
#include "server/rotate_key.h"
#include "server/snapshots.h"

namespace pilotledger::server {

std::string LedgerDbPath(const std::string& dir) { return dir + "/db"; }
std::string LedgerKeyPath(const std::string& dir) { return dir + "/ledger-key.pem"; }

// The sequencer's side of the commit protocol (ledger::Admission): Check and Apply against the
// working state, the bodies they parsed kept for the re-apply on the other copy, and the swap.
class LedgerService::Admission final : public ledger::Admission {
 public:
  explicit Admission(LedgerService& service) : s_(service) {}

  Status Admit(const SignedEvent& event, std::any& prepared, Timestamp now) override {
    if (s_.log_check_.load() == LogCheck::kFailed) return s_.RefusedAppend();
    if (auto* body = std::any_cast<Result<projections::Body>>(&prepared)) {
      return projections::Check(*s_.working_, event, now, std::move(*body), &body_);
    }
    return projections::Check(*s_.working_, event, now, &body_);
  }
  // Called right after the Admit that accepted `entry`'s event, so body_ is its body.
  Status Apply(const Entry& entry) override {
    PL_RETURN_IF_ERROR(projections::Apply(*s_.working_, entry, &body_));
    if (s_.apply_hook_) PL_RETURN_IF_ERROR(s_.apply_hook_(entry));
    bodies_.push_back(std::move(body_));
    body_ = {};
    return Status::Ok();
  }
  Status Rollback(const std::vector<Entry>& kept) override {
    *s_.working_ = *s_.served_;  // the served state is only ever changed by this thread
    bodies_.resize(kept.size());
    for (size_t i = 0; i < kept.size(); ++i) PL_RETURN_IF_ERROR(projections::Apply(*s_.working_, kept[i], &bodies_[i]));
    return Status::Ok();
  }
  void Publish(const std::vector<Entry>& entries) override {
    // The log's checkpoint now covers this batch and nothing after it (the sequencer is its only
    // writer, and this is the sequencer thread): it goes with the state it describes.
    std::shared_ptr<const std::string> checkpoint = s_.log_->signed_checkpoint();
    {
      std::unique_lock lock(s_.state_mu_);
      std::swap(s_.served_, s_.working_);
      std::swap(s_.served_checkpoint_, checkpoint);
    }
    // No reader can hold the old served state any more: bring it level with the new one. The same
    // entries on the same state apply as they did a moment ago.
    for (size_t i = 0; i < entries.size(); ++i) {
      if (Status st = projections::Apply(*s_.working_, entries[i], &bodies_[i]); !st.ok()) {
        std::cerr << "pilotledgerd: re-applying entry " << entries[i].seq << " failed (" << st.message()
                  << "); copying the served state instead\n";
        *s_.working_ = *s_.served_;
        break;
      }
    }
    bodies_.clear();
    s_.RequestSnapshot(s_.served_->size);
  }

 private:
  LedgerService& s_;
  projections::Body body_;
  std::vector<projections::Body> bodies_;  // of the current batch's entries so far
};

LedgerService::LedgerService(const Clock& clock) : clock_(clock) {}

LedgerService::~LedgerService() {
  Stop();
  StopLogCheck();
}

Result<std::string> LedgerService::Init(const std::string& data_dir, const std::string& origin, const Json& authorities,
                                        const Json& policy, const Clock& clock) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(LedgerDbPath(data_dir), ec) || fs::exists(LedgerKeyPath(data_dir), ec)) {
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
  PL_RETURN_IF_ERROR(key.SavePem(LedgerKeyPath(data_dir)));
  PL_ASSIGN_OR_RETURN(auto store, ledger::OpenRocksStore(LedgerDbPath(data_dir), {.create_if_missing = true, .error_if_exists = true}));
  PL_RETURN_IF_ERROR(ledger::Log::Create(*store, key, origin, genesis, now));
  return verifier_key;
}

Result<std::unique_ptr<LedgerService>> LedgerService::Open(const ServiceOptions& options, const Clock& clock) {
  std::unique_ptr<LedgerService> s(new LedgerService(clock));
  // The ledger key signs every checkpoint: refuse one that others on the machine could read.
  const std::string key_path = LedgerKeyPath(options.data_dir);
  PL_RETURN_IF_ERROR(CheckKeyFileMode(key_path));
  Result<PrivateKey> key = PrivateKey::LoadPem(key_path);
  if (!key.ok()) {
    if (key.status().code() == Code::kNotFound) {
      return Status(Code::kNotFound, "no ledger in " + options.data_dir + " (create one with pilotledgerd init)");
    }
    return key.status();
  }
  PL_ASSIGN_OR_RETURN(s->store_, ledger::OpenRocksStore(LedgerDbPath(options.data_dir),
                                                             {.write_buffer_bytes = options.rocksdb_write_buffer_bytes, .env = options.store_env}));
  if (options.wrap_store) s->store_ = options.wrap_store(std::move(s->store_));
  // A key rotation interrupted between its commit and its key file's rename is finished here.
  PL_ASSIGN_OR_RETURN(std::optional<PrivateKey> rotated, FinishKeyRotation(options.data_dir, *s->store_, *key));
  if (rotated) key = std::move(*rotated);
  if (options.verify_on_start != "background" && options.verify_on_start != "full") {
    return Status(Code::kInvalidArgument, "verify_on_start must be \"background\" or \"full\", not \"" + options.verify_on_start + "\"");
  }
  const bool background = options.verify_log && options.verify_on_start == "background";
  const ledger::OpenCheck check = !options.verify_log ? ledger::OpenCheck::kNone : background ? ledger::OpenCheck::kBorder : ledger::OpenCheck::kFull;
  // The stored snapshot is read and decoded while the log opens (both only read the store; the
  // log's node cache is ~75 ms at 10^7 entries, and the snapshot's read is on one core at first).
  // The future is waited for on every path out, before the store it reads can go.
  std::future<Result<StoredSnapshot>> loading =
      std::async(std::launch::async, [&store = *s->store_, public_key = key->public_key()] { return LoadSnapshot(store, public_key); });
  PL_ASSIGN_OR_RETURN(s->log_, ledger::Log::Open(*s->store_, *key, check));
  s->key_ = *key;

  // Resume from the stored snapshot when it is authentic and usable; replay the rest of the log.
  // One that fails its signature is tampering or damage: refuse to serve rather than guess.
  s->served_ = std::make_unique<projections::State>();
  Result<StoredSnapshot> snapshot = loading.get();
  if (!snapshot.ok()) {
    return Status(snapshot.status().code(), snapshot.status().message() + "; `pilotledgerd rebuild --data " + options.data_dir +
                                                "` compares it with a replay and `--write` replaces it");
  }
  if (!snapshot->ignored.empty()) {
    std::cerr << "pilotledgerd: not using the projection snapshot (" << snapshot->ignored << "); replaying the log\n";
  } else if (snapshot->state && snapshot->state->size > s->log_->size()) {
    return Status(Code::kDataLoss, "the projection snapshot reflects " + std::to_string(snapshot->state->size) +
                                       " entries but the log holds " + std::to_string(s->log_->size()));
  } else if (snapshot->state) {
    *s->served_ = std::move(*snapshot->state);
    std::cerr << "pilotledgerd: resuming from the projection snapshot of " << s->served_->size << " entries\n";
  }
  s->snapshot_size_ = s->served_->size;
  s->snapshot_requested_ = s->served_->size;
  PL_RETURN_IF_ERROR(Replay(*s->log_, *s->served_, s->log_->size()));
  if (s->served_->size - s->snapshot_size_ >= options.compact_after_replay) {
    // A long replay leaves the state spread over a heap fragmented by its temporaries (262
    // against 198 MiB resident for the same state loaded from a snapshot, at 10^6 entries):
    // encoded, freed and read back, it is laid out afresh (~0.4 s at 10^6 entries;
    // docs/performance.md (g)).
    std::string bytes = projections::StateToBinary(*s->served_);
    s->served_.reset();
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
    PL_ASSIGN_OR_RETURN(projections::State compact, projections::StateFromBinary(bytes, projections::Source::kStored));
    s->served_ = std::make_unique<projections::State>(std::move(compact));
    std::cerr << "pilotledgerd: replayed " << s->served_->size - s->snapshot_size_ << " entries; the state is laid out afresh\n";
  }
  if (s->served_->origin != s->log_->origin()) {
    return Status(Code::kDataLoss, "the genesis entry names origin " + s->served_->origin + " but the log is " + s->log_->origin());
  }
  s->served_checkpoint_ = s->log_->signed_checkpoint();
  if (s->served_->ledger_key != s->log_->verifier_key()) {
    return Status(Code::kDataLoss, "the ledger key file is not the key the log names last (" + s->served_->ledger_key + ")");
  }
  s->working_ = std::make_unique<projections::State>(*s->served_);  // shares every chunk (cow_map.h)
#if defined(__GLIBC__)
  // The snapshot's JSON and the replay's temporaries are freed by now, but glibc keeps the pages
  // and they stay resident: give them back before serving (docs/performance.md, (g)).
  ::malloc_trim(0);
#endif
  s->apply_hook_ = options.apply_hook;
  s->snapshot_interval_ = options.snapshot_interval;
  if (s->snapshot_interval_ > 0) s->snapshot_thread_ = std::thread([self = s.get()] { self->RunSnapshots(); });
  s->admission_ = std::make_unique<Admission>(*s);
  const unsigned verifiers = options.verify_threads ? options.verify_threads : std::max(1u, std::thread::hardware_concurrency());
  s->verify_pool_ = std::make_unique<boost::asio::thread_pool>(verifiers);
  // One naming task per thread: each waits for the others, so each runs on a thread of its own.
  auto named = std::make_shared<std::latch>(verifiers);
  for (unsigned i = 0; i < verifiers; ++i) {
    boost::asio::post(*s->verify_pool_, [named] {
      NameThisThread("pl-verify");
      named->arrive_and_wait();
    });
  }
  LedgerService* self = s.get();
  s->sequencer_ = std::make_unique<ledger::Sequencer>(
      *s->log_, clock, *s->admission_, [self](const std::vector<ledger::AppendedLeaf>& l) { self->OnCommitted(l); },
      options.sequencer);
  if (background) {
    s->log_check_ = LogCheck::kRunning;
    s->log_check_thread_ = std::thread([self] { self->RunLogCheck(); });
  }
  return s;
}

Status LedgerService::RefusedAppend() const {
  return Status(Code::kUnavailable, "the ledger does not accept appends: the check of the stored log found " + log_check_problem() +
                                        " (docs/operations.md: restore the data directory from a backup)");
}

void LedgerService::RunLogCheck() {
  NameThisThread("pl-log-check");
  const auto started = std::chrono::steady_clock::now();
  const uint64_t size = log_->size();
  const Status st = log_->VerifyStored(log_check_stop_);
  if (log_check_stop_.load()) return;  // stopping: neither passed nor failed
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  LogCheck result = LogCheck::kPassed;
  {
    std::lock_guard lock(log_check_mu_);
    if (st.code() == Code::kDataLoss) {
      result = LogCheck::kFailed;
      log_check_problem_ = st.message();
      std::cerr << "pilotledgerd: the background check of the stored log failed: " << st.message()
                << "; appends are refused (503) from now on, reads go on\n";
    } else if (!st.ok()) {
      result = LogCheck::kUnfinished;
      log_check_problem_ = st.ToString();
      std::cerr << "pilotledgerd: the background check of the stored log could not finish: " << st.ToString() << "\n";
    } else {
      std::cerr << "pilotledgerd: the background check of the stored log passed: " << size << " entries, their tree nodes and id records, in "
                << seconds << " s\n";
    }
    log_check_ = result;
  }
  log_check_cv_.notify_all();
}

void LedgerService::StopLogCheck() {
  log_check_stop_ = true;
  if (log_check_thread_.joinable()) log_check_thread_.join();
  log_check_cv_.notify_all();
}

std::string LedgerService::log_check_problem() const {
  std::lock_guard lock(log_check_mu_);
  return log_check_problem_;
}

LedgerService::LogCheck LedgerService::WaitForLogCheck() const {
  std::unique_lock lock(log_check_mu_);
  log_check_cv_.wait(lock, [&] { return log_check_.load() != LogCheck::kRunning || log_check_stop_.load(); });
  return log_check_.load();
}

void LedgerService::RequestSnapshot(uint64_t size) {
  if (snapshot_interval_ == 0 || size - snapshot_requested_ < snapshot_interval_) return;
  snapshot_requested_ = size;
  std::lock_guard lock(snapshot_mu_);
  snapshot_wanted_ = true;
  snapshot_cv_.notify_one();
}

void LedgerService::RunSnapshots() {
  NameThisThread("pl-snapshot");
  // The lowest CPU priority (Linux: per thread): encoding and signing a snapshot takes a core for
  // a while, which the appends' and reads' threads should get first. SCHED_IDLE runs it only on
  // a core nothing else wants; nice 19 where that policy is refused (docs/performance.md,
  // "Snapshots off the log", "The snapshot beside the write path").
  ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 19);
  const sched_param idle{};
  ::sched_setscheduler(0, SCHED_IDLE, &idle);  // 0: this thread
  for (;;) {
    {
      std::unique_lock lock(snapshot_mu_);
      snapshot_cv_.wait(lock, [&] { return snapshot_wanted_ || snapshot_stop_; });
      if (snapshot_stop_) return;
      snapshot_wanted_ = false;
    }
    // A consistent copy under the readers' lock (shared: readers go on; the next swap waits for
    // it, but the copy shares the big maps' chunks, cow_map.h, so it takes microseconds), then
    // serialised and written with no lock held; the sequencer clones a chunk it writes meanwhile.
    snapshot_writing_ = true;
    std::unique_ptr<projections::State> copy = Read([](const projections::State& st) {
      return std::make_unique<projections::State>(st);
    });
    const Status st = WriteSnapshot(*store_, *copy, *key_);
    snapshot_writing_ = false;
    if (st.ok()) {
      snapshot_size_ = copy->size;
      snapshots_written_.fetch_add(1);
    } else {
      std::cerr << "pilotledgerd: cannot write the projection snapshot: " << st.ToString() << "\n";
    }
  }
}

void LedgerService::Stop() {
  if (!sequencer_) return;
  if (verify_pool_) {  // what it holds goes to the sequencer first
    {
      std::lock_guard lock(verify_mu_);
      verify_stopped_ = true;
    }
    verify_pool_->join();
  }
  sequencer_->Stop();
  if (snapshot_thread_.joinable()) {
    {
      std::lock_guard lock(snapshot_mu_);
      snapshot_stop_ = true;
      snapshot_cv_.notify_one();
    }
    snapshot_thread_.join();
  }
  // A clean stop leaves a snapshot of everything, so the next start replays nothing.
  if (served_->size > snapshot_size_) {
    if (Status st = WriteSnapshot(*store_, *served_, *key_); st.ok()) {
      snapshot_size_ = served_->size;
    } else {
      std::cerr << "pilotledgerd: cannot write the projection snapshot: " << st.ToString() << "\n";
    }
  }
}

// The actor `id` if it is registered and active in `st`, else null.
static const projections::Actor* ActiveActorIn(const projections::State& st, const std::string& id) {
  const projections::Actor* a = st.FindActor(id);
  return a && a->active() ? a : nullptr;
}

void LedgerService::Append(SignedEvent event, ledger::Sequencer::Done done) {
  if (log_check_.load() == LogCheck::kFailed) return done(RefusedAppend());
  std::lock_guard lock(verify_mu_);
  if (verify_stopped_) return sequencer_->Append(std::move(event), std::move(done));  // answers kUnavailable
  boost::asio::post(*verify_pool_, [this, event = std::move(event), done = std::move(done)]() mutable {
    // Only the key is copied out of the served state (not the whole actor: its strings).
    projections::PreverifySignatures(event, [this](const std::string& id) -> std::optional<PublicKey> {
      return Read([&](const projections::State& st) -> std::optional<PublicKey> {
        const projections::Actor* a = ActiveActorIn(st, id);
        if (!a) return std::nullopt;
        return a->key;
      });
    });
    // The body is parsed here too, before sequencing: it depends on the event alone.
    std::any body = projections::ParseBodyForCheck(event);
    sequencer_->Append(std::move(event), std::move(done), std::move(body));
  });
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
  return Read([&](const projections::State& st) -> std::optional<projections::Actor> {
    const projections::Actor* a = ActiveActorIn(st, id);
    if (!a) return std::nullopt;
    return *a;
  });
}

}  // namespace pilotledger::server
