#include "ledger/sequencer.h"

#include <future>
#include <set>

#include "tests/ledger/ledger_test_util.h"

namespace pilotledger::ledger {
namespace {

using testing::FakeClock;
using testing::TempDir;
using testing::TestEvent;

// Admits everything except ids starting with "bad", fails to apply ids starting with "boom", and
// keeps its working and served states as counts of applied entries.
class CountingAdmission final : public Admission {
 public:
  Status Admit(const SignedEvent& e, std::any&, Timestamp) override {
    if (e.id.rfind("bad", 0) == 0) return RuleViolation("test_rule", "refused " + e.id);
    return Status::Ok();
  }
  Status Apply(const Entry& e) override {
    ++working;
    if (e.signed_event.id.rfind("boom", 0) == 0) return Status(Code::kInternal, "cannot apply " + e.signed_event.id);
    return Status::Ok();
  }
  Status Rollback(const std::vector<Entry>& kept) override {
    ++rollbacks;
    working = served + int(kept.size());
    return Status::Ok();
  }
  void Publish(const std::vector<Entry>& entries) override {
    served += int(entries.size());
    ++commits;
  }
  std::atomic<int> working{0}, served{0}, commits{0}, rollbacks{0};
};

class SequencerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *PrivateKey::Generate();
    ASSERT_OK_AND_ASSIGN(store_, OpenRocksStore(dir_ / "db", {.create_if_missing = true}));
    faulty_ = std::make_unique<testing::FaultyStore>(*store_);
    ASSERT_OK(Log::Create(*store_, key_, "test.pilotledger/log", testing::GenesisEvent(), Timestamp{1}));
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(*faulty_, key_));
    sequencer_ = std::make_unique<Sequencer>(*log_, clock_, admission_, [this](const std::vector<AppendedLeaf>& leaves) {
      std::lock_guard lock(mu_);
      for (const auto& l : leaves) published_.push_back(l.seq);
    });
  }
  Result<Receipt> AppendSync(SignedEvent e) {
    std::promise<Result<Receipt>> p;
    auto f = p.get_future();
    sequencer_->Append(std::move(e), [&p](Result<Receipt> r) { p.set_value(std::move(r)); });
    return f.get();
  }

  TempDir dir_;
  PrivateKey key_;
  FakeClock clock_;
  CountingAdmission admission_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<testing::FaultyStore> faulty_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<Sequencer> sequencer_;
  std::mutex mu_;
  std::vector<uint64_t> published_;
};

TEST_F(SequencerTest, ConcurrentAppendsGetGaplessSeqsInFewSyncedWrites) {
  constexpr int kThreads = 8, kPerThread = 300;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> seqs;
  std::atomic<int> pending{kThreads * kPerThread};
  std::promise<void> all_done;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        sequencer_->Append(TestEvent("t" + std::to_string(t) + "-" + std::to_string(i)), [&](Result<Receipt> r) {
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          EXPECT_TRUE(r->created);
          {
            std::lock_guard lock(mu);
            seqs.insert(r->seq);
          }
          if (--pending == 0) all_done.set_value();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  all_done.get_future().wait();
  ASSERT_EQ(seqs.size(), size_t(kThreads * kPerThread));
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), uint64_t(kThreads * kPerThread));
  EXPECT_EQ(log_->size(), uint64_t(kThreads * kPerThread + 1));
  EXPECT_EQ(admission_.working, kThreads * kPerThread);
  EXPECT_EQ(admission_.served, kThreads * kPerThread);
  // Group commit: every write carried many appends.
  EXPECT_LT(faulty_->writes(), kThreads * kPerThread / 4);
  std::lock_guard lock(mu_);
  ASSERT_EQ(published_.size(), size_t(kThreads * kPerThread));
  for (size_t i = 0; i < published_.size(); ++i) ASSERT_EQ(published_[i], i + 1);
}

TEST_F(SequencerTest, RepeatReturnsTheOriginalReceiptAndReusedIdIsDuplicate) {
  clock_.Set(5000);
  ASSERT_OK_AND_ASSIGN(Receipt first, AppendSync(TestEvent("a")));
  EXPECT_TRUE(first.created);
  clock_.Set(9000);
  ASSERT_OK_AND_ASSIGN(Receipt again, AppendSync(TestEvent("a")));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.seq, first.seq);
  EXPECT_EQ(again.leaf_hash, first.leaf_hash);
  EXPECT_EQ(again.received.ms, 5000);
  Result<Receipt> dup = AppendSync(TestEvent("a", "score.recorded", {{"campaign", "2023"}, {"unit_id", "y"}, {"score", 1}}));
  EXPECT_EQ(dup.status().code(), Code::kDuplicateId);
  EXPECT_EQ(log_->size(), 2u);
}

TEST_F(SequencerTest, RepeatWithinOneBatchIsAcknowledgedOnceCommitted) {
  std::vector<std::future<Result<Receipt>>> results;
  std::vector<std::promise<Result<Receipt>>> promises(3);
  for (int i = 0; i < 3; ++i) results.push_back(promises[i].get_future());
  {
    // Hold the queue so all three land in one batch is not guaranteed; the outcome must not depend on it.
    for (int i = 0; i < 3; ++i) {
      sequencer_->Append(TestEvent("same"), [&promises, i](Result<Receipt> r) { promises[i].set_value(std::move(r)); });
    }
  }
  int created = 0;
  std::set<uint64_t> seqs;
  for (auto& f : results) {
    Result<Receipt> r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    created += r->created;
    seqs.insert(r->seq);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(seqs.size(), 1u);
  EXPECT_EQ(log_->size(), 2u);
}

TEST_F(SequencerTest, RefusedEventChangesNothing) {
  Result<Receipt> r = AppendSync(TestEvent("bad-1"));
  EXPECT_EQ(r.status().code(), Code::kRuleViolation);
  EXPECT_EQ(log_->size(), 1u);
  EXPECT_FALSE(log_->FindId("bad-1")->has_value());
  ASSERT_OK_AND_ASSIGN(Receipt ok, AppendSync(TestEvent("good-1")));
  EXPECT_EQ(ok.seq, 1u);
}

TEST_F(SequencerTest, ReceivedNeverRunsBackwards) {
  clock_.Set(10000);
  ASSERT_OK_AND_ASSIGN(Receipt a, AppendSync(TestEvent("a")));
  clock_.Set(4000);
  ASSERT_OK_AND_ASSIGN(Receipt b, AppendSync(TestEvent("b")));
  EXPECT_EQ(a.received.ms, 10000);
  EXPECT_EQ(b.received.ms, 10000);
}

TEST_F(SequencerTest, StorageFailureIsRefusedAndAppendsSucceedOnceTheStoreTakesWritesAgain) {
  ASSERT_OK_AND_ASSIGN(Receipt a, AppendSync(TestEvent("a")));
  faulty_->FailWrites(true);
  Result<Receipt> b = AppendSync(TestEvent("b"));
  EXPECT_EQ(b.status().code(), Code::kUnavailable);
  EXPECT_FALSE(sequencer_->writable());
  EXPECT_EQ(admission_.rollbacks, 1);
  EXPECT_EQ(admission_.working, admission_.served);  // rolled back to the served state
  EXPECT_EQ(AppendSync(TestEvent("b")).status().code(), Code::kUnavailable);  // still refused
  faulty_->FailWrites(false);
  ASSERT_OK_AND_ASSIGN(Receipt c, AppendSync(TestEvent("c")));  // no restart
  EXPECT_TRUE(sequencer_->writable());
  EXPECT_EQ(c.seq, 2u);
  EXPECT_EQ(log_->size(), 3u);
  EXPECT_EQ(admission_.served, 2);
  sequencer_.reset();
  log_.reset();
  ASSERT_OK_AND_ASSIGN(log_, Log::Open(*store_, key_));
  EXPECT_EQ(log_->size(), 3u);
  EXPECT_EQ(*log_->LeafHash(1), a.leaf_hash);
  EXPECT_EQ(*log_->LeafHash(2), c.leaf_hash);
  EXPECT_FALSE(log_->FindId("b")->has_value());
}

TEST_F(SequencerTest, AnEntryThatCannotBeAppliedIsRefusedAndNeverStored) {
  std::vector<std::future<Result<Receipt>>> results;
  std::vector<std::promise<Result<Receipt>>> promises(3);
  for (int i = 0; i < 3; ++i) results.push_back(promises[i].get_future());
  const std::vector<std::string> ids = {"ok-1", "boom-1", "ok-2"};
  for (int i = 0; i < 3; ++i) {
    sequencer_->Append(TestEvent(ids[i]), [&promises, i](Result<Receipt> r) { promises[i].set_value(std::move(r)); });
  }
  std::vector<Result<Receipt>> r;
  for (auto& f : results) r.push_back(f.get());
  ASSERT_TRUE(r[0].ok()) << r[0].status().ToString();
  EXPECT_EQ(r[1].status().code(), Code::kInternal);
  EXPECT_NE(r[1].status().message().find("boom-1"), std::string::npos) << r[1].status().message();
  ASSERT_TRUE(r[2].ok()) << r[2].status().ToString();
  EXPECT_EQ(log_->size(), 3u);
  EXPECT_FALSE(log_->FindId("boom-1")->has_value());
  EXPECT_EQ(admission_.served, 2);
  EXPECT_EQ(admission_.working, 2);
  EXPECT_GE(admission_.rollbacks, 1);
}

TEST_F(SequencerTest, StopFinishesQueuedAppendsThenRefuses) {
  std::atomic<int> ok{0};
  for (int i = 0; i < 500; ++i) {
    sequencer_->Append(TestEvent("q" + std::to_string(i)), [&](Result<Receipt> r) { ok += r.ok(); });
  }
  sequencer_->Stop();
  EXPECT_EQ(ok, 500);
  EXPECT_EQ(log_->size(), 501u);
  EXPECT_EQ(AppendSync(TestEvent("late")).status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace pilotledger::ledger
