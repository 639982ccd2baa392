#include "ledger/log.h"

#include <filesystem>
#include <fstream>
#include <random>

#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/ledger/naive_tree.h"
#include "tests/support/fault_fs.h"

namespace pilotledger::ledger {
namespace {

using testing::FaultyStore;
using testing::TempDir;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *PrivateKey::Generate();
    OpenStore();
    ASSERT_OK(Log::Create(*store_, key_, "test.pilotledger/log", testing::GenesisEvent(), Timestamp{1000}));
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(*store_, key_));
  }
  void OpenStore() {
    ASSERT_OK_AND_ASSIGN(store_, OpenRocksStore(dir_ / "db", {.create_if_missing = true}));
  }
  void Reopen() {
    log_.reset();
    store_.reset();
    OpenStore();
  }
  std::vector<AppendedLeaf> AppendN(int n, int64_t received = 2000) {
    std::vector<Entry> entries;
    for (int i = 0; i < n; ++i) {
      entries.push_back({log_->size() + i, Timestamp{received}, testing::TestEvent("ev-" + std::to_string(log_->size() + i))});
    }
    Result<std::vector<AppendedLeaf>> r = log_->Append(entries);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<AppendedLeaf>{};
  }
  Checkpoint VerifiedCheckpoint() {
    const note::Verifier v = *note::ParseVerifierKey(log_->verifier_key());
    Result<Checkpoint> c = VerifyCheckpoint(*log_->signed_checkpoint(), v);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }

  TempDir dir_;
  PrivateKey key_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Log> log_;
};

TEST_F(LogTest, CreateWritesGenesisAsEntryZeroWithASignedCheckpoint) {
  EXPECT_EQ(log_->size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::string leaf, log_->ReadLeaf(0));
  ASSERT_OK_AND_ASSIGN(Entry genesis, ParseEntryLeaf(leaf));
  EXPECT_EQ(genesis.type(), "ledger.genesis");
  EXPECT_TRUE(genesis.signed_event.sigs.empty());
  EXPECT_EQ(FormatRfc3339Millis(genesis.received), "1970-01-01T00:00:01.000Z");
  const Checkpoint c = VerifiedCheckpoint();
  EXPECT_EQ(c.size, 1u);
  EXPECT_EQ(c.root, merkle::HashLeaf(leaf));
  EXPECT_EQ(log_->verifier_key().substr(0, 21), "test.pilotledger/log+");
}

TEST_F(LogTest, CreateRefusesAStoreThatHoldsALedger) {
  EXPECT_EQ(Log::Create(*store_, key_, "test.pilotledger/log", testing::GenesisEvent(), Timestamp{1}).code(),
            Code::kInvalidArgument);
}

TEST_F(LogTest, AppendServesLeavesRootsAndProofsThatVerify) {
  std::vector<Hash> leaf_hashes = {*log_->LeafHash(0)};
  for (int round = 0; round < 20; ++round) {
    for (const AppendedLeaf& a : AppendN(round % 7 + 1)) leaf_hashes.push_back(a.leaf_hash);
  }
  const uint64_t size = log_->size();
  ASSERT_EQ(size, leaf_hashes.size());
  const Checkpoint c = VerifiedCheckpoint();
  EXPECT_EQ(c.size, size);
  ASSERT_OK_AND_ASSIGN(Hash root, log_->RootAt(size));
  EXPECT_EQ(root, c.root);
  for (uint64_t s = 1; s <= size; s += 5) {
    ASSERT_OK_AND_ASSIGN(Hash root_s, log_->RootAt(s));
    for (uint64_t i = 0; i < s; i += 3) {
      ASSERT_OK_AND_ASSIGN(auto proof, log_->InclusionProof(i, s));
      ASSERT_OK(merkle::VerifyInclusion(i, s, leaf_hashes[i], proof, root_s));
    }
    ASSERT_OK_AND_ASSIGN(auto consistency, log_->ConsistencyProof(s, size));
    ASSERT_OK(merkle::VerifyConsistency(s, size, consistency, root_s, root));
  }
  ASSERT_OK_AND_ASSIGN(auto leaves, log_->ReadLeaves(3, 10));
  ASSERT_EQ(leaves.size(), 10u);
  EXPECT_EQ(merkle::HashLeaf(leaves[0]), leaf_hashes[3]);
  ASSERT_OK_AND_ASSIGN(auto tail, log_->ReadLeaves(size - 2, 1000));
  EXPECT_EQ(tail.size(), 2u);
}

// Proofs take the tree's upper levels (2^6 leaves and up) from memory and compute the lower ones
// from one range of leaf hashes: every proof equals the RFC 6962 reference's, before and after a
// reopen (the cache loaded from the store) and after more appends (the cache extended), and reads
// at most one store range per block of 64 leaves it touches.
TEST_F(LogTest, ProofsFromTheNodeCacheEqualTheReferenceAndReadAtMostTwoRanges) {
  std::vector<Hash> leaf_hashes = {*log_->LeafHash(0)};
  const auto append = [&](int n) {
    for (const AppendedLeaf& a : AppendN(n)) leaf_hashes.push_back(a.leaf_hash);
  };
  for (int round = 0; round < 30; ++round) append(round % 2 ? 41 : 3);  // 661 entries
  // `counted`: the store `log` reads through, to count its reads (null: not counted).
  const auto check = [&](Log& log, const FaultyStore* counted) {
    const auto reads = [&] { return counted ? counted->reads() : 0; };
    const uint64_t size = log.size();
    ASSERT_EQ(size, leaf_hashes.size());
    merkle::NaiveTree naive(leaf_hashes);
    for (uint64_t s : {uint64_t{1}, uint64_t{2}, uint64_t{63}, uint64_t{64}, uint64_t{65}, uint64_t{128}, uint64_t{129},
                       uint64_t{511}, uint64_t{512}, uint64_t{513}, size - 1, size}) {
      if (s == 0 || s > size) continue;
      SCOPED_TRACE("size " + std::to_string(s));
      ASSERT_OK_AND_ASSIGN(Hash root, log.RootAt(s));
      EXPECT_EQ(root, naive.Mth(0, s));
      for (uint64_t i = 0; i < s; i += s / 7 + 1) {
        const int before = reads();
        ASSERT_OK_AND_ASSIGN(auto proof, log.InclusionProof(i, s));
        EXPECT_LE(reads() - before, 2) << "inclusion of " << i;
        EXPECT_EQ(proof, naive.Path(i, 0, s)) << "inclusion of " << i;
      }
      for (uint64_t m = 1; m < s; m += s / 5 + 1) {
        const int before = reads();
        ASSERT_OK_AND_ASSIGN(auto proof, log.ConsistencyProof(m, s));
        EXPECT_LE(reads() - before, 3) << "consistency from " << m;
        EXPECT_EQ(proof, naive.Subproof(m, 0, s, true)) << "consistency from " << m;
      }
    }
  };
  check(*log_, nullptr);  // the cache as the appends filled it
  {
    FaultyStore counted(*store_);
    log_.reset();
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(counted, key_));  // loaded from the store
    check(*log_, &counted);
    append(200);  // past 768 and 832: new nodes at levels 6 to 9
    check(*log_, &counted);
    log_.reset();
  }
  ASSERT_OK_AND_ASSIGN(log_, Log::Open(*store_, key_));
  append(7);
  FaultyStore counted(*store_);
  ASSERT_OK_AND_ASSIGN(auto reopened, Log::Open(counted, key_, OpenCheck::kBorder));
  check(*reopened, &counted);
}

TEST_F(LogTest, ReadsBeyondTheLogAreNotFoundOrInvalid) {
  AppendN(3);
  EXPECT_EQ(log_->ReadLeaf(4).status().code(), Code::kNotFound);
  EXPECT_EQ(log_->InclusionProof(4, 4).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(log_->InclusionProof(0, 5).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(log_->ConsistencyProof(3, 2).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(log_->ConsistencyProof(1, 5).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(log_->ReadLeaves(4, 10)->empty());
}

TEST_F(LogTest, IdIndexRemembersSeqEventHashAndReceived) {
  AppendN(2, 5000);
  ASSERT_OK_AND_ASSIGN(auto found, log_->FindId("ev-2"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->seq, 2u);
  EXPECT_EQ(found->event_hash, Sha256(testing::TestEvent("ev-2").canonical));
  EXPECT_EQ(found->received.ms, 5000);
  EXPECT_FALSE(log_->FindId("ev-9")->has_value());
}

TEST_F(LogTest, ReopenRestoresEverything) {
  AppendN(37);
  const std::string checkpoint = *log_->signed_checkpoint();
  Reopen();
  ASSERT_OK_AND_ASSIGN(log_, Log::Open(*store_, key_));
  EXPECT_EQ(log_->size(), 38u);
  EXPECT_EQ(*log_->signed_checkpoint(), checkpoint);
  EXPECT_EQ(log_->last_received().ms, 2000);
  AppendN(5);
  EXPECT_EQ(VerifiedCheckpoint().size, 43u);
}

TEST_F(LogTest, OpenWithAnotherKeyIsDataLoss) {
  AppendN(2);
  Reopen();
  Result<std::unique_ptr<Log>> r = Log::Open(*store_, *PrivateKey::Generate());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_NE(r.status().message().find("checkpoint"), std::string::npos);
}

TEST_F(LogTest, ReopenFlagsFlippedLeafByteAsDataLoss) {
  AppendN(9);
  ASSERT_OK_AND_ASSIGN(std::string leaf, log_->ReadLeaf(5));
  Reopen();
  leaf[leaf.find("\"score\":80") + 8] = '9';  // still canonical JSON, different bytes
  WriteBatch tamper;
  tamper.Put(std::string("e") + EncodeBigEndian64(5), leaf);
  ASSERT_OK(store_->Write(tamper, true));
  Result<std::unique_ptr<Log>> r = Log::Open(*store_, key_);
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_NE(r.status().message().find("entry 5"), std::string::npos) << r.status().message();
}

TEST_F(LogTest, ReopenFlagsMissingEntryAsDataLoss) {
  AppendN(9);
  Reopen();
  WriteBatch tamper;
  tamper.Delete(std::string("e") + EncodeBigEndian64(7));
  ASSERT_OK(store_->Write(tamper, true));
  Result<std::unique_ptr<Log>> r = Log::Open(*store_, key_);
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_NE(r.status().message().find("entry 7"), std::string::npos) << r.status().message();
}

TEST_F(LogTest, FailedWriteLeavesTheLogUnchanged) {
  AppendN(4);
  const std::string checkpoint = *log_->signed_checkpoint();
  testing::FaultyStore faulty(*store_);
  log_.reset();
  ASSERT_OK_AND_ASSIGN(log_, Log::Open(faulty, key_));
  faulty.FailWrites(true);
  std::vector<Entry> entries = {{5, Timestamp{3000}, testing::TestEvent("ev-5")}};
  EXPECT_EQ(log_->Append(entries).status().code(), Code::kUnavailable);
  EXPECT_EQ(log_->size(), 5u);
  EXPECT_EQ(*log_->signed_checkpoint(), checkpoint);
  faulty.FailWrites(false);
  ASSERT_TRUE(log_->Append(entries).ok());
  EXPECT_EQ(VerifiedCheckpoint().size, 6u);
}

// A write that reached the store but reported failure (a write-ahead log record that a restart would
// replay) is erased before the next write: its entries and id records never reappear.
TEST_F(LogTest, WriteThatFailedAfterReachingTheStoreIsErasedBeforeTheNextOne) {
  AppendN(4);
  testing::FaultyStore faulty(*store_);
  log_.reset();
  ASSERT_OK_AND_ASSIGN(log_, Log::Open(faulty, key_));
  faulty.ApplyThenFail(true);
  std::vector<Entry> orphan = {{5, Timestamp{3000}, testing::TestEvent("orphan-5")},
                               {6, Timestamp{3000}, testing::TestEvent("orphan-6")}};
  EXPECT_EQ(log_->Append(orphan).status().code(), Code::kUnavailable);
  EXPECT_TRUE(store_->Get("iorphan-6")->has_value());  // the failed write did land
  EXPECT_EQ(log_->size(), 5u);
  faulty.ApplyThenFail(false);
  std::vector<Entry> next = {{5, Timestamp{3000}, testing::TestEvent("next-5")}};
  ASSERT_OK_AND_ASSIGN(auto appended, log_->Append(next));
  EXPECT_FALSE(store_->Get("iorphan-5")->has_value());
  EXPECT_FALSE(store_->Get("iorphan-6")->has_value());
  log_.reset();
  ASSERT_OK_AND_ASSIGN(log_, Log::Open(*store_, key_));  // verifies every leaf, node and the checkpoint
  EXPECT_EQ(log_->size(), 6u);
  EXPECT_EQ(*log_->LeafHash(5), appended[0].leaf_hash);
  EXPECT_FALSE(log_->FindId("orphan-5")->has_value());
  ASSERT_TRUE(log_->FindId("next-5")->has_value());
}

TEST_F(LogTest, RecoverAfterAFailedWriteWaitsForTheStore) {
  AppendN(2);
  testing::FaultyStore faulty(*store_);
  log_.reset();
  ASSERT_OK_AND_ASSIGN(log_, Log::Open(faulty, key_));
  faulty.ApplyThenFail(true);
  std::vector<Entry> orphan = {{3, Timestamp{3000}, testing::TestEvent("orphan-3")}};
  EXPECT_EQ(log_->Append(orphan).status().code(), Code::kUnavailable);
  faulty.ApplyThenFail(false);
  faulty.FailWrites(true);
  EXPECT_EQ(log_->Recover().code(), Code::kUnavailable);
  faulty.FailWrites(false);
  ASSERT_OK(log_->Recover());
  EXPECT_FALSE(store_->Get("iorphan-3")->has_value());
  ASSERT_OK(log_->Recover());  // nothing pending
}

}  // namespace
}  // namespace pilotledger::ledger

namespace pilotledger::ledger {
namespace {

// Reads that sweep the store once (ReadKind::kBulk: the replay, the log check) leave the block
// cache as it was; ordinary reads fill it.
TEST(StoreTest, BulkReadsDoNotFillTheBlockCache) {
  testing::TempDir dir;
  const auto open = [&] {
    return OpenRocksStore(dir / "db", {.create_if_missing = true, .write_buffer_bytes = 64 << 10});
  };
  {
    ASSERT_OK_AND_ASSIGN(auto store, open());
    for (int b = 0; b < 20; ++b) {
      WriteBatch batch;
      for (int i = 0; i < 100; ++i) {
        char key[16];
        std::snprintf(key, sizeof key, "e%06d", b * 100 + i);
        batch.Put(key, std::string(1000, char('a' + i % 26)));
      }
      ASSERT_OK(store->Write(batch, true));  // 64 KiB memtables: most of it is in table files
    }
  }
  ASSERT_OK_AND_ASSIGN(auto store, open());
  const auto cached = [&] { return store->Property("rocksdb.block-cache-usage").value_or(~uint64_t{0}); };
  const uint64_t empty = cached();
  ASSERT_LT(empty, uint64_t{64} << 10);
  size_t seen = 0;
  const auto count = [&](std::string_view, std::string_view) { return ++seen, true; };
  ASSERT_OK(store->Scan("e", "f", count, ReadKind::kBulk));
  EXPECT_EQ(seen, 2000u);
  ASSERT_OK_AND_ASSIGN(auto one, store->Get("e000042", ReadKind::kBulk));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->size(), 1000u);
  EXPECT_EQ(cached(), empty);
  ASSERT_OK(store->Get("e000042").status());
  const uint64_t after_get = cached();
  EXPECT_GT(after_get, empty);
  ASSERT_OK(store->Scan("e", "f", count));
  EXPECT_GT(cached(), after_get + (uint64_t{1} << 20));  // most of the ~2 MB of values
}

// Store::GetLarge (the projection snapshot's load) gives the value as RocksDB read it, without a
// copy: held in the block cache while it is held, dropped from it once released (larger than a
// shard of the cache), the same bytes as Get's; null when absent. A store that is not RocksDB's
// (the default) gives Get's string.
TEST(StoreTest, ALargeValueIsReadWithoutACopyAndLeavesTheBlockCacheAsItWas) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, OpenRocksStore(dir / "db", {.create_if_missing = true, .block_cache_bytes = size_t{16} << 20}));
  std::string big(size_t{6} << 20, '\0');
  std::mt19937 rng(3);
  for (char& c : big) c = char(rng() % 7);  // compressible, as a snapshot is
  ASSERT_OK(store->Ingest({{"x/snapshot", big}, {"x/snapshot-sig", "sig"}}));
  const auto cached = [&] { return store->Property("rocksdb.block-cache-usage").value_or(~uint64_t{0}); };
  const uint64_t before = cached();
  ASSERT_LT(before, uint64_t{1} << 20);
  {
    ASSERT_OK_AND_ASSIGN(auto value, store->GetLarge("x/snapshot"));
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(value->bytes(), big);
    EXPECT_GE(cached(), before + big.size());  // the block itself, pinned while the value is held
    ASSERT_OK_AND_ASSIGN(auto copy, store->Get("x/snapshot", ReadKind::kBulk));
    EXPECT_EQ(copy, big);
  }
  EXPECT_LT(cached(), before + (uint64_t{1} << 20));
  ASSERT_OK_AND_ASSIGN(auto none, store->GetLarge("x/none"));
  EXPECT_EQ(none, nullptr);
  testing::FaultyStore other(*store);
  ASSERT_OK_AND_ASSIGN(auto value, other.GetLarge("x/snapshot"));
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->bytes(), big);
  EXPECT_EQ(other.reads(), 1);  // through its Get
  ASSERT_OK_AND_ASSIGN(none, other.GetLarge("x/none"));
  EXPECT_EQ(none, nullptr);
}

// Store::Ingest (the projection snapshot's write): the pairs replace earlier values together, are
// on stable storage when it returns (they survive losing every unsynced byte), and a failed
// ingestion changes nothing and leaves no file behind.
TEST(StoreTest, IngestedPairsReplaceEarlierValuesDurablyAndAFailedIngestionChangesNothing) {
  testing::TempDir dir;
  const auto fs = pilotledger::testing::FaultFileSystem::Make();
  const auto open = [&] { return OpenRocksStore(dir / "db", {.create_if_missing = true, .env = fs->MakeEnv()}); };
  const auto get = [](const Store& store, std::string_view key) {
    Result<std::optional<std::string>> v = store.Get(key);
    return v.ok() && v->has_value() ? **v : std::string("<none>");
  };
  const std::string big(3 << 20, 's');  // larger than a memtable's worth of entries in a test
  {
    ASSERT_OK_AND_ASSIGN(auto store, open());
    WriteBatch batch;
    batch.Put("x/a", "old");
    batch.Put("x/c", "kept");
    ASSERT_OK(store->Write(batch, true));
    ASSERT_OK(store->Ingest({{"x/a", big}, {"x/b", "sig"}}));
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir / "db") / "pilotledger-ingest.sst.tmp"));  // moved in
    EXPECT_EQ(get(*store, "x/a"), big);
    EXPECT_EQ(get(*store, "x/b"), "sig");
    EXPECT_EQ(get(*store, "x/c"), "kept");
    // Not through the memtable (nor the write-ahead log with it): the 3 MiB are in a table file.
    EXPECT_LT(store->Property("rocksdb.cur-size-all-mem-tables").value_or(~uint64_t{0}), uint64_t{1} << 20);

    fs->Set(pilotledger::testing::FaultFileSystem::kAnySync, true);
    const Status failed = store->Ingest({{"x/a", "new"}, {"x/b", "new-sig"}});
    fs->ClearAll();
    EXPECT_EQ(failed.code(), Code::kUnavailable) << failed.ToString();
    EXPECT_EQ(get(*store, "x/a"), big);
    EXPECT_EQ(get(*store, "x/b"), "sig");
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir / "db") / "pilotledger-ingest.sst.tmp"));

    WriteBatch unsynced;  // a later write that never reaches stable storage
    unsynced.Put("x/a", "lost");
    ASSERT_OK(store->Write(unsynced, false));
    fs->PowerOff();  // the close syncs nothing either
  }
  fs->DropUnsyncedData();
  ASSERT_OK_AND_ASSIGN(auto store, OpenRocksStore(dir / "db", {}));
  EXPECT_EQ(get(*store, "x/a"), big);
  EXPECT_EQ(get(*store, "x/b"), "sig");
  EXPECT_EQ(get(*store, "x/c"), "kept");
  std::vector<std::string> keys;
  ASSERT_OK(store->Scan("x", "y", [&](std::string_view k, std::string_view) { return keys.emplace_back(k), true; }));
  EXPECT_EQ(keys, (std::vector<std::string>{"x/a", "x/b", "x/c"}));
}

// A server killed inside an ingestion, after RocksDB linked the file into the database and before
// it unlinked the file's own name, leaves that name as a second link to a live table file. The next
// ingestion (or the next open) must not write through it: the table keeps its bytes, the database
// opens and every value reads back.
TEST(StoreTest, AnIngestionFileLeftLinkedToALiveTableByAKillIsNotWrittenThrough) {
  testing::TempDir dir;
  const std::filesystem::path db = std::filesystem::path(dir / "db");
  const std::filesystem::path leftover = db / "pilotledger-ingest.sst.tmp";
  const auto read_all = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto get = [](const Store& store, std::string_view key) {
    Result<std::optional<std::string>> v = store.Get(key);
    return v.ok() && v->has_value() ? **v : std::string("<none>");
  };
  const auto newest_table = [&] {
    std::filesystem::path newest;
    for (const auto& f : std::filesystem::directory_iterator(db)) {
      if (f.path().extension() == ".sst" && (newest.empty() || f.path().filename() > newest.filename())) newest = f.path();
    }
    return newest;
  };
  std::string first(1 << 20, '\0');  // incompressible: its bytes can be found in the table
  std::mt19937 random(7);
  for (char& c : first) c = char(random());
  std::filesystem::path table;
  std::string table_bytes;
  {
    ASSERT_OK_AND_ASSIGN(auto store, OpenRocksStore(db, {.create_if_missing = true}));
    ASSERT_OK(store->Ingest({{"x/a", first}, {"x/z", "first"}}));
    table = newest_table();
    ASSERT_FALSE(table.empty());
    table_bytes = read_all(table);
    ASSERT_NE(table_bytes.find(first.substr(0, 4096)), std::string::npos);  // the ingested table
    std::filesystem::create_hard_link(table, leftover);  // the kill's leftover, while serving
    ASSERT_OK(store->Ingest({{"x/b", std::string(1 << 20, 's')}, {"x/y", "second"}}));
    EXPECT_EQ(read_all(table), table_bytes);
    EXPECT_FALSE(std::filesystem::exists(leftover));
    std::filesystem::create_hard_link(table, leftover);  // and left again, before a restart
  }
  ASSERT_OK_AND_ASSIGN(auto store, OpenRocksStore(db, {}));
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_EQ(read_all(table), table_bytes);
  ASSERT_OK(store->Ingest({{"x/c", "third"}}));
  EXPECT_EQ(read_all(table), table_bytes);
  EXPECT_EQ(get(*store, "x/a"), first);
  EXPECT_EQ(get(*store, "x/z"), "first");
  EXPECT_EQ(get(*store, "x/y"), "second");
  EXPECT_EQ(get(*store, "x/c"), "third");
}

}  // namespace
}  // namespace pilotledger::ledger
