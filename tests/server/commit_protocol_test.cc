// The commit protocol of server::LedgerService (docs/architecture.md): reads never wait for a
// synced write, an entry that cannot be applied is refused and never stored, and a store that
// refuses writes gives 503 until it takes them again — without a restart. On a real RocksDB in a
// temporary directory, through the transport-free Api where the HTTP status matters.
#include <sys/stat.h>

#include <algorithm>

#include "ledger/encoding.h"
#include "projections/snapshot.h"
#include "server/snapshots.h"
#include "tests/server/service_fixture.h"

namespace pilotledger::server {
namespace {

using namespace std::chrono_literals;
using CommitProtocolTest = testing::ServiceTest;

TEST_F(CommitProtocolTest, ReadsAnswerWhileABatchIsBeingSynced) {
  Open();
  ASSERT_OK(AppendSync(ledger_.Register({"expert-1", "expert", "", "", ""})).status());
  store_->Hold();
  auto pending = AppendAsync(ledger_.Register({"expert-2", "expert", "", "", ""}));
  ASSERT_TRUE(store_->WaitHeld(10s)) << "the append never reached its synced write";

  // The sync is held open; every kind of read answers now, and none sees the batch being synced.
  auto reads = std::async(std::launch::async, [&] {
    const uint64_t size = service_->Read([](const projections::State& s) { return s.size; });
    const bool has_new = HasActor("expert-2");
    const bool old_active = service_->FindActiveActor("expert-1").has_value();
    const HttpResponse actor = Get("/v1/actors/expert-1");
    const HttpResponse missing = Get("/v1/actors/expert-2");
    return std::make_tuple(size, has_new, old_active, actor.status, missing.status);
  });
  ASSERT_EQ(reads.wait_for(5s), std::future_status::ready) << "a read waited for the synced write";
  const auto [size, has_new, old_active, actor_status, missing_status] = reads.get();
  EXPECT_EQ(size, 2u);
  EXPECT_FALSE(has_new);
  EXPECT_TRUE(old_active);
  EXPECT_EQ(actor_status, 200);
  EXPECT_EQ(missing_status, 404);
  EXPECT_EQ(pending.wait_for(100ms), std::future_status::timeout);  // still not acknowledged

  store_->Release();
  ASSERT_OK_AND_ASSIGN(ledger::Receipt r, pending.get());
  EXPECT_EQ(r.seq, 2u);
  // Acknowledged only once the served state holds it (read-your-writes).
  EXPECT_TRUE(HasActor("expert-2"));
  EXPECT_EQ(Get("/v1/actors/expert-2").status, 200);
}

TEST_F(CommitProtocolTest, AnEventWhoseApplyFailsIsRefusedNeverStoredAndTheLedgerRestarts) {
  // The hook fails after the entry was applied to the working state, so the state must be rebuilt.
  Open([](const Entry& e) {
    if (e.signed_event.id == "reg-boom") return Status(Code::kInternal, "injected apply failure");
    return Status::Ok();
  });
  // Three in flight at once, so that the failure falls inside a batch.
  store_->Hold();
  auto blocker = AppendAsync(ledger_.Register({"expert-0", "expert", "", "", ""}));
  ASSERT_TRUE(store_->WaitHeld(10s));
  auto ok1 = AppendAsync(ledger_.Register({"expert-1", "expert", "", "", ""}));
  auto boom = AppendAsync(ledger_.Register({"boom", "expert", "", "", ""}, "reg-boom"));
  auto ok2 = AppendAsync(ledger_.Register({"expert-2", "expert", "", "", ""}));
  store_->Release();
  ASSERT_OK(blocker.get().status());
  ASSERT_OK_AND_ASSIGN(ledger::Receipt r1, ok1.get());
  Result<ledger::Receipt> refused = boom.get();
  ASSERT_OK_AND_ASSIGN(ledger::Receipt r2, ok2.get());
  EXPECT_EQ(refused.status().code(), Code::kInternal);
  EXPECT_NE(refused.status().message().find("reg-boom"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("not stored"), std::string::npos) << refused.status().message();
  // The three pass the signature check on the verify threads (one per core), so they reach the
  // sequencer in either order: the two good ones take 2 and 3 between them, the refused one nothing.
  EXPECT_EQ(std::min(r1.seq, r2.seq), 2u);
  EXPECT_EQ(std::max(r1.seq, r2.seq), 3u);
  EXPECT_EQ(service_->log().size(), 4u);
  EXPECT_FALSE(service_->log().FindId("reg-boom")->has_value());
  EXPECT_FALSE(HasActor("boom"));

  // Through HTTP: 500 internal, and nothing changes.
  const HttpResponse http = Post(ledger_.Register({"boom", "expert", "", "", ""}, "reg-boom"));
  EXPECT_EQ(http.status, 500) << http.body;
  EXPECT_EQ(Json::parse(http.body)["error"]["code"], "internal") << http.body;
  EXPECT_EQ(service_->log().size(), 4u);

  // The working state was rebuilt without it: the same actor registers under another event id.
  ASSERT_OK_AND_ASSIGN(ledger::Receipt again, AppendSync(ledger_.Register({"boom", "expert", "", "", ""}, "reg-boom-2")));
  EXPECT_EQ(again.seq, 4u);

  // The ledger restarts (the log replays) and serves.
  Close();
  Open();
  EXPECT_EQ(service_->log().size(), 5u);
  EXPECT_TRUE(HasActor("boom"));
  EXPECT_EQ(Get("/v1/actors/expert-2").status, 200);
  EXPECT_EQ(Post(ledger_.Register({"expert-3", "expert", "", "", ""})).status, 201);
}

TEST_F(CommitProtocolTest, AStoreThatRefusesWritesGives503ThenTakesAppendsAgainWithoutARestart) {
  Open();
  EXPECT_EQ(Post(ledger_.Register({"expert-1", "expert", "", "", ""})).status, 201);
  store_->Refuse(true);
  const HttpResponse refused = Post(ledger_.Register({"expert-2", "expert", "", "", ""}));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Json::parse(refused.body)["error"]["code"], "unavailable");
  EXPECT_EQ(Post(ledger_.Register({"expert-3", "expert", "", "", ""})).status, 503);
  EXPECT_FALSE(service_->healthy());
  EXPECT_EQ(Get("/healthz").status, 503);
  // Reads go on.
  EXPECT_EQ(Get("/v1/actors/expert-1").status, 200);
  EXPECT_EQ(Get("/v1/actors/expert-2").status, 404);
  EXPECT_EQ(Get("/v1/checkpoint").status, 200);
  EXPECT_EQ(service_->log().size(), 2u);

  store_->Refuse(false);
  const HttpResponse accepted = Post(ledger_.Register({"expert-2", "expert", "", "", ""}, "reg-expert-2"));
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_TRUE(service_->healthy());
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/v1/actors/expert-2").status, 200);
  EXPECT_EQ(service_->log().size(), 3u);

  Close();
  Open();
  EXPECT_EQ(service_->log().size(), 3u);
  EXPECT_FALSE(HasActor("expert-3"));
  EXPECT_TRUE(HasActor("expert-2"));
}

TEST_F(CommitProtocolTest, SnapshotsAreWrittenWhileServingAndResumedFrom) {
  ServiceOptions options;
  options.snapshot_interval = 5;
  ledger::Store* store = nullptr;
  options.wrap_store = [&store](std::unique_ptr<ledger::Store> inner) {
    store = inner.get();
    return inner;
  };
  OpenWith(options);
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::LoadPem(LedgerKeyPath(ledger_.data_dir())));
  for (int i = 0; i < 12; ++i) ASSERT_OK(AppendSync(ledger_.Register({"e-" + std::to_string(i), "expert", "", "", ""})).status());
  // The snapshot thread writes one while the service runs (at 6 or 11 entries).
  uint64_t stored = 0;
  for (int i = 0; i < 500 && stored < 6; ++i) {
    Result<StoredSnapshot> s = LoadSnapshot(*store, key.public_key());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    if (s->state) stored = s->state->size;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(stored, 6u);
  Close();  // the clean stop stores a snapshot of everything
  ASSERT_OK_AND_ASSIGN(auto reopened, ledger::OpenRocksStore(LedgerDbPath(ledger_.data_dir()), {}));
  ASSERT_OK_AND_ASSIGN(StoredSnapshot snapshot, LoadSnapshot(*reopened, key.public_key()));
  ASSERT_TRUE(snapshot.state.has_value());
  EXPECT_EQ(snapshot.state->size, 13u);
}

// The snapshot is stored in the binary form; one in the canonical JSON of earlier versions, signed,
// is still resumed from (an upgrade does not replay the log), and the next clean stop rewrites it.
TEST_F(CommitProtocolTest, ASnapshotInTheEarlierJsonFormIsStillResumedFrom) {
  Open();
  for (int i = 0; i < 4; ++i) ASSERT_OK(AppendSync(ledger_.Register({"e-" + std::to_string(i), "expert", "", "", ""})).status());
  Close();
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::LoadPem(LedgerKeyPath(ledger_.data_dir())));
  {
    ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(LedgerDbPath(ledger_.data_dir()), {}));
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> bytes, store->Get(kSnapshotKey));
    ASSERT_TRUE(bytes && bytes->starts_with(projections::kBinaryStateMagic));
    ASSERT_OK_AND_ASSIGN(StoredSnapshot stored, LoadSnapshot(*store, key.public_key()));
    ASSERT_TRUE(stored.state.has_value());
    // Written as an earlier version did: canonical JSON, signed over its SHA-256 (docs/storage.md).
    const std::string json = WriteCanonical(projections::StateToJson(*stored.state));
    const Hash digest = Sha256(json);
    ledger::WriteBatch batch;
    batch.Put(kSnapshotKey, json);
    batch.Put(kSnapshotSigKey, key.Sign("pilotledger:snapshot:v1\n" + std::string(AsBytes(digest))));
    ASSERT_OK(store->Write(batch, true));
  }
  ::testing::internal::CaptureStderr();
  Open();
  const std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(said.find("resuming from the projection snapshot of 5 entries"), std::string::npos) << said;
  EXPECT_TRUE(HasActor("e-3"));
  ASSERT_OK(AppendSync(ledger_.Register({"e-4", "expert", "", "", ""})).status());
  Close();
  ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(LedgerDbPath(ledger_.data_dir()), {}));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> bytes, store->Get(kSnapshotKey));
  ASSERT_TRUE(bytes && bytes->starts_with(projections::kBinaryStateMagic));
  ASSERT_OK_AND_ASSIGN(StoredSnapshot stored, LoadSnapshot(*store, key.public_key()));
  ASSERT_TRUE(stored.state.has_value());
  EXPECT_EQ(stored.state->size, 6u);
  EXPECT_TRUE(stored.state->FindActor("e-4") != nullptr);
}

// The start's replay parses on several threads and applies in order: the same state as a replay on
// one thread, whatever the batch size and the number of parsers, and the served one.
TEST_F(CommitProtocolTest, TheReplayOnSeveralThreadsGivesTheStateOfTheReplayOnOne) {
  Open();
  for (int i = 0; i < 30; ++i) ASSERT_OK(AppendSync(ledger_.Register({"r-" + std::to_string(i), "expert", "", "", ""})).status());
  const std::string served = service_->Read([](const projections::State& s) { return projections::StateToBinary(s); });
  Close();
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::LoadPem(LedgerKeyPath(ledger_.data_dir())));
  ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(LedgerDbPath(ledger_.data_dir()), {}));
  ASSERT_OK_AND_ASSIGN(auto log, ledger::Log::Open(*store, key, ledger::OpenCheck::kBorder));
  ASSERT_EQ(log->size(), 31u);
  for (const ReplayOptions options : {ReplayOptions{1, 1000}, ReplayOptions{1, 4}, ReplayOptions{2, 1}, ReplayOptions{3, 7}, ReplayOptions{8, 5}}) {
    projections::State state;
    ASSERT_OK(Replay(*log, state, log->size(), options));
    EXPECT_EQ(projections::StateToBinary(state), served) << options.threads << " threads, batches of " << options.batch;
    // From the middle too (a snapshot's tail).
    projections::State half;
    ASSERT_OK(Replay(*log, half, 13, options));
    ASSERT_OK(Replay(*log, half, log->size(), options));
    EXPECT_EQ(projections::StateToBinary(half), served) << options.threads << " threads, batches of " << options.batch;
  }
}

// A damaged leaf in the middle stops a replay on several parsers, each parsing ahead of the
// applier: the error is the leaf's (data loss), whatever the pipeline's shape, and the replay
// returns (its parsers stopped, their batches freed) instead of waiting or applying past it.
TEST_F(CommitProtocolTest, ADamagedLeafStopsTheReplayOnSeveralThreadsWithItsError) {
  Open();
  for (int i = 0; i < 40; ++i) ASSERT_OK(AppendSync(ledger_.Register({"d-" + std::to_string(i), "expert", "", "", ""})).status());
  Close();
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::LoadPem(LedgerKeyPath(ledger_.data_dir())));
  ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(LedgerDbPath(ledger_.data_dir()), {}));
  ASSERT_OK_AND_ASSIGN(auto log, ledger::Log::Open(*store, key, ledger::OpenCheck::kBorder));
  ledger::WriteBatch damage;
  damage.Put("e" + EncodeBigEndian64(17), "{\"event\":not json");
  ASSERT_OK(store->Write(damage, /*sync=*/true));
  for (const ReplayOptions options : {ReplayOptions{1, 1000}, ReplayOptions{2, 1}, ReplayOptions{2, 3}, ReplayOptions{3, 2}, ReplayOptions{8, 1}}) {
    projections::State state;
    const Status st = Replay(*log, state, log->size(), options);
    EXPECT_EQ(st.code(), Code::kDataLoss) << options.threads << " threads, batches of " << options.batch << ": " << st.ToString();
    EXPECT_NE(st.message().find("does not parse"), std::string::npos) << st.message();
    EXPECT_EQ(state.size, 17u) << "applied up to the damaged leaf, not past it";
  }
}

// After a long replay at start the state is encoded, freed and read back (laid out afresh in
// memory): the service then serves exactly the replayed state, and appends go on.
TEST_F(CommitProtocolTest, AStateCompactedAfterALongReplayIsTheReplayedState) {
  Open();
  for (int i = 0; i < 8; ++i) ASSERT_OK(AppendSync(ledger_.Register({"c-" + std::to_string(i), "expert", "", "", ""})).status());
  const std::string before = service_->Read([](const projections::State& s) { return projections::StateToBinary(s); });
  Close();
  {
    ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(LedgerDbPath(ledger_.data_dir()), {}));
    ledger::WriteBatch batch;
    batch.Delete(kSnapshotKey);
    batch.Delete(kSnapshotSigKey);
    ASSERT_OK(store->Write(batch, true));
  }
  ServiceOptions options;
  options.compact_after_replay = 5;
  ::testing::internal::CaptureStderr();
  OpenWith(options);
  const std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(said.find("replayed 9 entries; the state is laid out afresh"), std::string::npos) << said;
  EXPECT_EQ(service_->Read([](const projections::State& s) { return projections::StateToBinary(s); }), before);
  ASSERT_OK(AppendSync(ledger_.Register({"c-8", "expert", "", "", ""})).status());
  EXPECT_TRUE(HasActor("c-8"));
  EXPECT_EQ(Get("/v1/actors/c-7").status, 200);
}

TEST_F(CommitProtocolTest, ALedgerKeyReadableByOthersIsRefusedWithTheFix) {
  const std::string key = LedgerKeyPath(ledger_.data_dir());
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // init creates it private
  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  ServiceOptions options;
  options.data_dir = ledger_.data_dir();
  Result<std::unique_ptr<LedgerService>> s = LedgerService::Open(options, clock_);
  EXPECT_EQ(s.status().code(), Code::kForbidden);
  EXPECT_EQ(s.status().message(), "the ledger key " + key + " is readable by group or others (mode 0640); make it private with: chmod 600 " + key);
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  Open();
  EXPECT_EQ(service_->log().size(), 1u);
}

}  // namespace
}  // namespace pilotledger::server
