#include "ledger/store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

namespace pilotledger::ledger {

struct WriteBatch::Rep {
  rocksdb::WriteBatch batch;
};

WriteBatch::WriteBatch() : rep_(std::make_unique<Rep>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(std::string_view key, std::string_view value) {
  rep_->batch.Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()))
      .PermitUncheckedError();  // only fails past 4 GiB per batch, which the sequencer never builds
}
void WriteBatch::Delete(std::string_view key) {
  rep_->batch.Delete(rocksdb::Slice(key.data(), key.size())).PermitUncheckedError();
}

namespace {

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  const std::string message = what + ": " + s.ToString();
  if (s.IsCorruption()) return Status(Code::kDataLoss, message);
  if (s.IsNotFound()) return Status(Code::kNotFound, message);
  if (s.IsInvalidArgument()) return Status(Code::kInvalidArgument, message);
  return Status(Code::kUnavailable, message);
}

class RocksStore final : public Store {
 public:
  explicit RocksStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

  Status Write(WriteBatch& batch, bool sync) override {
    rocksdb::WriteOptions options;
    options.sync = sync;
    return FromRocks(db_->Write(options, &batch.rep().batch), "RocksDB write");
  }

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    std::string value;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "RocksDB get");
    return std::optional<std::string>(std::move(value));
  }

  Status Scan(std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    rocksdb::ReadOptions options;
    const rocksdb::Slice upper(end.data(), end.size());
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key(), v = it->value();
      if (!fn({k.data(), k.size()}, {v.data(), v.size()})) break;
    }
    return FromRocks(it->status(), "RocksDB scan");
  }

  Status Recover() override {
    // Resume() is a no-op without a background error; with one whose cause is gone (space freed,
    // the device back) it flushes and lets writes in again. RocksDB also retries no-space errors
    // by itself; Resume() then reports the recovery already under way or done.
    return FromRocks(db_->Resume(), "RocksDB resume");
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenRocksStore(const std::string& path, const StoreOptions& opts) {
  rocksdb::Options options;
  options.create_if_missing = opts.create_if_missing;
  options.error_if_exists = opts.error_if_exists;
  options.paranoid_checks = true;
  options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!s.ok()) {
    if (s.IsInvalidArgument() && s.ToString().find("does not exist") != std::string::npos) {
      return Status(Code::kNotFound, "no ledger database at " + path);
    }
    if (s.IsInvalidArgument() && s.ToString().find("exists") != std::string::npos) {
      return Status(Code::kInvalidArgument, "a ledger database already exists at " + path);
    }
    return FromRocks(s, "cannot open RocksDB at " + path);
  }
  return std::unique_ptr<Store>(std::make_unique<RocksStore>(std::move(db)));
}

}  // namespace pilotledger::ledger
