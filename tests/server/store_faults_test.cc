// Faults in RocksDB's own file I/O (tests/support/fault_fs.h, a FileSystemWrapper): under each fault
// the service answers 503 to the appends it could not persist, acknowledges nothing it did not
// persist, keeps serving reads, and takes appends again when the fault clears, without a restart.
// A power cut (unsynced data dropped) loses no acknowledged entry.
#include <atomic>
#include <thread>

#include "tests/server/service_fixture.h"
#include "tests/support/fault_fs.h"

namespace pilotledger::server {
namespace {

using namespace std::chrono_literals;
using pilotledger::testing::FaultFileSystem;

class StoreFaultsTest : public testing::ServiceTest {
 protected:
  void OpenWithFaults() { Open({}, fs_->MakeEnv()); }

  // Every acknowledged entry is at its seq with its leaf hash after a restart on the default file
  // system (which re-verifies every leaf, node and the checkpoint), and nothing else was added.
  void ExpectAcknowledgedSurviveRestart(const std::map<uint64_t, Hash>& acknowledged, uint64_t expected_size) {
    Close();
    Open();
    ASSERT_TRUE(service_);
    EXPECT_EQ(service_->log().size(), expected_size);
    for (const auto& [seq, hash] : acknowledged) {
      Result<Hash> h = service_->log().LeafHash(seq);
      ASSERT_TRUE(h.ok()) << "acknowledged entry " << seq << ": " << h.status().ToString();
      EXPECT_EQ(*h, hash) << "entry " << seq;
    }
    EXPECT_EQ(service_->Read([](const projections::State& s) { return s.size; }), expected_size);
  }

  std::shared_ptr<FaultFileSystem> fs_ = FaultFileSystem::Make();
};

struct FaultCase {
  const char* name;
  FaultFileSystem::Fault fault;
};

class EachWriteFault : public StoreFaultsTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(EachWriteFault, AppendsGet503ReadsGoOnAndAppendsResumeWhenTheFaultClears) {
  OpenWithFaults();
  const HttpResponse first = Post(ledger_.Register({"expert-1", "expert", "", "", ""}));
  ASSERT_EQ(first.status, 201) << first.body;

  fs_->Set(GetParam().fault, true);
  const SignedEvent second = ledger_.Register({"expert-2", "expert", "", "", ""});
  const HttpResponse refused = Post(second);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Json::parse(refused.body)["error"]["code"], "unavailable") << refused.body;
  EXPECT_GT(fs_->injected(), 0);
  EXPECT_EQ(Post(ledger_.Register({"expert-3", "expert", "", "", ""})).status, 503);  // still failing
  EXPECT_EQ(Get("/v1/actors/expert-1").status, 200);
  EXPECT_EQ(Get("/v1/actors/expert-2").status, 404);
  EXPECT_EQ(Get("/v1/entries?from=0&limit=10").status, 200);
  EXPECT_EQ(Get("/v1/checkpoint").status, 200);
  EXPECT_EQ(Get("/healthz").status, 503);
  EXPECT_EQ(service_->log().size(), 2u);

  fs_->ClearAll();
  // The same event again: it was not acknowledged, and now it is stored once. The store reopens
  // at most every 100 ms, so the first try after the fault may still get 503.
  HttpResponse accepted = Post(second);
  for (int i = 0; i < 40 && accepted.status == 503; ++i) {
    std::this_thread::sleep_for(25ms);
    accepted = Post(second);
  }
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(Json::parse(accepted.body)["seq"], 2);
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/v1/actors/expert-2").status, 200);
  EXPECT_EQ(Post(ledger_.Register({"expert-4", "expert", "", "", ""})).status, 201);

  Close();
  Open();
  EXPECT_EQ(service_->log().size(), 4u);
  EXPECT_TRUE(HasActor("expert-2"));
  EXPECT_TRUE(HasActor("expert-4"));
  EXPECT_FALSE(HasActor("expert-3"));
}

INSTANTIATE_TEST_SUITE_P(Faults, EachWriteFault,
                         ::testing::Values(FaultCase{"WalWrite", FaultFileSystem::kWalWrite},
                                           FaultCase{"WalSync", FaultFileSystem::kWalSync},
                                           FaultCase{"NoSpace", FaultFileSystem::kNoSpace},
                                           FaultCase{"AnySync", FaultFileSystem::kAnySync}),
                         [](const ::testing::TestParamInfo<FaultCase>& i) { return std::string(i.param.name); });

TEST_F(StoreFaultsTest, FaultsDuringConcurrentAppendsAcknowledgeOnlyWhatIsStored) {
  OpenWithFaults();
  std::atomic<bool> stop{false};
  std::atomic<int> next{0}, refused{0};
  std::mutex mu;
  std::map<uint64_t, Hash> acknowledged;
  std::vector<SignedEvent> events;
  for (int i = 0; i < 3000; ++i) events.push_back(ledger_.Register({"c-" + std::to_string(i), "expert", "", "", ""}));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i; !stop && (i = next++) < int(events.size());) {
        Result<ledger::Receipt> r = AppendSync(events[i]);
        if (r.ok()) {
          std::lock_guard lock(mu);
          acknowledged[r->seq] = r->leaf_hash;
        } else {
          EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
          ++refused;
        }
      }
    });
  }
  // Three bursts of failing syncs while the appenders run.
  for (int burst = 0; burst < 3; ++burst) {
    std::this_thread::sleep_for(40ms);
    fs_->Set(FaultFileSystem::kWalSync, true);
    std::this_thread::sleep_for(40ms);
    fs_->ClearAll();
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(refused.load(), 0);
  EXPECT_GT(acknowledged.size(), 0u);
  // Refused appends are repeated until stored: the ledger ends with every event exactly once.
  ASSERT_OK(AppendSync(ledger_.Register({"after", "expert", "", "", ""})).status());
  const uint64_t size = service_->log().size();
  EXPECT_EQ(size, 1 + acknowledged.size() + 1);  // genesis + every acknowledged + "after": no gap
  ExpectAcknowledgedSurviveRestart(acknowledged, size);
}

TEST_F(StoreFaultsTest, APowerCutLosesNoAcknowledgedEntry) {
  OpenWithFaults();
  std::map<uint64_t, Hash> acknowledged;
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(ledger::Receipt r, AppendSync(ledger_.Register({"p-" + std::to_string(i), "expert", "", "", ""})));
    acknowledged[r.seq] = r.leaf_hash;
  }
  fs_->PowerOff();  // nothing written from here on reaches the disk (the clean stop's snapshot neither)
  Close();
  fs_->DropUnsyncedData();
  Open();
  ASSERT_TRUE(service_);
  EXPECT_EQ(service_->log().size(), 51u);
  for (const auto& [seq, hash] : acknowledged) EXPECT_EQ(*service_->log().LeafHash(seq), hash) << seq;
  EXPECT_TRUE(HasActor("p-49"));
}

TEST_F(StoreFaultsTest, AFailedRenameOrReadAtOpenRefusesToStartNamingTheCauseAndChangesNothing) {
  Open();
  ASSERT_EQ(Post(ledger_.Register({"expert-1", "expert", "", "", ""})).status, 201);
  Close();
  Open();  // recovers the write-ahead log into a table file, which the read fault then hits
  Close();
  for (FaultFileSystem::Fault f : {FaultFileSystem::kRename, FaultFileSystem::kRead}) {
    fs_->ClearAll();
    fs_->Set(f, true);
    ServiceOptions options;
    options.data_dir = ledger_.data_dir();
    options.store_env = fs_->MakeEnv();
    Result<std::unique_ptr<LedgerService>> s = LedgerService::Open(options, clock_);
    ASSERT_FALSE(s.ok()) << "fault " << f;
    EXPECT_NE(s.status().message().find("injected"), std::string::npos) << s.status().ToString();
  }
  fs_->ClearAll();
  Open({}, fs_->MakeEnv());
  EXPECT_EQ(service_->log().size(), 2u);
  EXPECT_TRUE(HasActor("expert-1"));
}

}  // namespace
}  // namespace pilotledger::server
