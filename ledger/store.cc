#include "ledger/store.h"

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <shared_mutex>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

// Debian's RocksDB is not built with ThreadSanitizer: the memtable bytes it copies in (through the
// intercepted memcpy) are seen as written, but the atomics that publish them to readers are not,
// so our own read of a key or value an iterator points at would be reported as a race with the
// sequencer's write. In the TSan build only, Scan copies each pair with this thread's accesses
// ignored and hands the copy on: the callback's own reads stay checked.
#if defined(__SANITIZE_THREAD__)
#define PILOTLEDGER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PILOTLEDGER_TSAN 1
#endif
#endif
#ifdef PILOTLEDGER_TSAN
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

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

Status Store::Ingest(const std::vector<std::pair<std::string_view, std::string_view>>& pairs) {
  WriteBatch batch;
  for (const auto& [key, value] : pairs) batch.Put(key, value);
  return Write(batch, /*sync=*/true);
}

Result<std::unique_ptr<const LargeValue>> Store::GetLarge(std::string_view key) const {
  struct Copied final : LargeValue {
    std::string value;
    std::string_view bytes() const override { return value; }
  };
  PL_ASSIGN_OR_RETURN(std::optional<std::string> value, Get(key, ReadKind::kBulk));
  if (!value) return std::unique_ptr<const LargeValue>();
  auto copied = std::make_unique<Copied>();
  copied->value = std::move(*value);
  return std::unique_ptr<const LargeValue>(std::move(copied));
}

namespace {

// RocksDB's own log, at warning level and above, on the server's stderr instead of a LOG file in
// the data directory: a file there would hit the same full disk as the data, and RocksDB 7.8 (as
// Debian builds it, with assertions) aborts when it writes to its LOG file after a failed write.
class StderrLogger final : public rocksdb::Logger {
 public:
  explicit StderrLogger(rocksdb::InfoLogLevel level) : Logger(level) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "pilotledgerd: rocksdb: %s\n", line);
  }
};

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  const std::string message = what + ": " + s.ToString();
  if (s.IsCorruption()) return Status(Code::kDataLoss, message);
  if (s.IsNotFound()) return Status(Code::kNotFound, message);
  if (s.IsInvalidArgument()) return Status(Code::kInvalidArgument, message);
  return Status(Code::kUnavailable, message);
}

// A RocksDB database. After a write failure RocksDB refuses writes until DB::Resume(); for a failed
// write-ahead-log write or sync (a fatal background error in RocksDB 7) Resume() cannot help, so
// Recover() closes and reopens the database, which replays its write-ahead log, and serves reads
// from a read-only instance while the reopen for writing still fails.
// The file Ingest writes before it is moved into the database.
std::string IngestFile(const std::string& db_path) { return db_path + "/pilotledger-ingest.sst.tmp"; }

class RocksStore final : public Store {
 public:
  RocksStore(std::unique_ptr<rocksdb::DB> db, rocksdb::Options options, std::string path, std::shared_ptr<rocksdb::Env> env)
      : env_(std::move(env)), options_(std::move(options)), path_(std::move(path)), db_(std::move(db)) {}

  Status Write(WriteBatch& batch, bool sync) override {
    std::shared_lock lock(mu_);
    if (!db_ || read_only_) return Status(Code::kUnavailable, "the store is recovering from a failed write");
    rocksdb::WriteOptions options;
    options.sync = sync;
    return FromRocks(db_->Write(options, &batch.rep().batch), "RocksDB write");
  }

  Status Ingest(const std::vector<std::pair<std::string_view, std::string_view>>& pairs) override {
    std::shared_lock lock(mu_);
    if (!db_ || read_only_) return Status(Code::kUnavailable, "the store is recovering from a failed write");
    // In the database's directory under a name RocksDB does not take for its own (it leaves such
    // files alone); moved into the database by the ingestion, removed here if that fails. The
    // table file uses the database's options (the prefix filter, the table format).
    std::lock_guard one_at_a_time(ingest_mu_);  // one file name
    const std::string file = IngestFile(path_);
    // A process killed after RocksDB linked the file into the database and before it unlinked
    // this name leaves the name as a second link to a live table file: writing through it (the
    // writer truncates) would corrupt that table. Unlinking the name first leaves the table alone.
    options_.env->DeleteFile(file).PermitUncheckedError();
    rocksdb::EnvOptions env_options(options_);
    env_options.bytes_per_sync = size_t{1} << 20;  // written back as it grows, not all at the sync
    rocksdb::SstFileWriter writer(env_options, options_);
    rocksdb::Status s = writer.Open(file);
    for (auto it = pairs.begin(); s.ok() && it != pairs.end(); ++it) {
      s = writer.Put(rocksdb::Slice(it->first.data(), it->first.size()), rocksdb::Slice(it->second.data(), it->second.size()));
    }
    if (s.ok()) s = writer.Finish();  // syncs the file
    if (s.ok()) {
      rocksdb::IngestExternalFileOptions ingest;
      ingest.move_files = true;            // a hard link, not a copy
      ingest.write_global_seqno = false;   // the file stays as written (and its checksums valid)
      s = db_->IngestExternalFile({file}, ingest);
    }
    if (!s.ok()) options_.env->DeleteFile(file).PermitUncheckedError();
    return FromRocks(s, "RocksDB ingest");
  }

  std::optional<uint64_t> Property(std::string_view name) const override {
    std::shared_lock lock(mu_);
    uint64_t value = 0;
    if (!db_ || !db_->GetIntProperty(rocksdb::Slice(name.data(), name.size()), &value)) return std::nullopt;
    return value;
  }

  Result<std::optional<std::string>> Get(std::string_view key, ReadKind kind) const override {
    std::shared_lock lock(mu_);
    if (!db_) return Status(Code::kUnavailable, "the store is being reopened after a failed write");
    std::string value;
    rocksdb::ReadOptions options;
    options.fill_cache = kind == ReadKind::kCached;
    const rocksdb::Status s = db_->Get(options, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "RocksDB get");
    return std::optional<std::string>(std::move(value));
  }

  Result<std::unique_ptr<const LargeValue>> GetLarge(std::string_view key) const override {
    std::shared_lock lock(mu_);
    if (!db_) return Status(Code::kUnavailable, "the store is being reopened after a failed write");
    // RocksDB hands a value over without copying it only from a block in the block cache (a
    // pinned handle); a block read with fill_cache off is copied out and freed. So this one read
    // goes through the cache: a block larger than a shard of the cache (128 MiB in 64 shards)
    // stays there only while the value is held and is dropped when it is released (an LRUCache
    // without a strict capacity limit). ~0.1 s less at 10^7 entries (docs/performance.md).
    struct Pinned final : LargeValue {
      rocksdb::PinnableSlice slice;
      std::string_view bytes() const override { return {slice.data(), slice.size()}; }
    };
    auto value = std::make_unique<Pinned>();
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), rocksdb::Slice(key.data(), key.size()), &value->slice);
    if (s.IsNotFound()) return std::unique_ptr<const LargeValue>();
    if (!s.ok()) return FromRocks(s, "RocksDB get");
    return std::unique_ptr<const LargeValue>(std::move(value));
  }

  Status Scan(std::string_view begin, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& fn, ReadKind kind) const override {
    std::shared_lock lock(mu_);
    if (!db_) return Status(Code::kUnavailable, "the store is being reopened after a failed write");
    rocksdb::ReadOptions options;
    options.fill_cache = kind == ReadKind::kCached;
    // Prefix filters let a seek skip the table files without a key of its first byte (a file of
    // only the projection snapshot would otherwise cost a read of its one huge block per scan);
    // the results stay in total order (docs/storage.md).
    options.auto_prefix_mode = true;
    const rocksdb::Slice upper(end.data(), end.size());
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key(), v = it->value();
#ifdef PILOTLEDGER_TSAN
      __tsan_ignore_thread_begin();
      const std::string key_copy(k.data(), k.size()), value_copy(v.data(), v.size());
      __tsan_ignore_thread_end();
      if (!fn(key_copy, value_copy)) break;
#else
      if (!fn({k.data(), k.size()}, {v.data(), v.size()})) break;
#endif
    }
    return FromRocks(it->status(), "RocksDB scan");
  }

  Status Recover() override {
    {
      std::shared_lock lock(mu_);
      // Resume() is a no-op without a background error, and clears a recoverable one (no space
      // during a flush or compaction) once its cause is gone.
      if (db_ && !read_only_ && db_->Resume().ok()) return Status::Ok();
    }
    const auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    // At most one reopen per 100 ms, whatever the rate of appends during a lasting fault.
    if (now - last_reopen_ < std::chrono::milliseconds(100)) {
      return Status(Code::kUnavailable, "the store refuses writes" + (last_error_.empty() ? std::string() : ": " + last_error_));
    }
    last_reopen_ = now;
    db_.reset();
    read_only_ = false;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options_, path_, &raw);
    if (s.ok()) {
      db_.reset(raw);
      last_error_.clear();
      return Status::Ok();
    }
    last_error_ = s.ToString();
    raw = nullptr;
    if (rocksdb::DB::OpenForReadOnly(options_, path_, &raw).ok()) {
      db_.reset(raw);
      read_only_ = true;
    }
    return Status(Code::kUnavailable, "the store refuses writes: " + last_error_);
  }

 private:
  const std::shared_ptr<rocksdb::Env> env_;  // outlives db_
  const rocksdb::Options options_;
  const std::string path_;
  mutable std::shared_mutex mu_;  // shared: every operation; exclusive: a reopen
  std::mutex ingest_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  bool read_only_ = false;
  std::chrono::steady_clock::time_point last_reopen_{};
  std::string last_error_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenRocksStore(const std::string& path, const StoreOptions& opts) {
  rocksdb::Options options;
  options.create_if_missing = opts.create_if_missing;
  options.error_if_exists = opts.error_if_exists;
  options.paranoid_checks = true;
  // No preallocation of the write-ahead log: on a nearly full disk an fallocate that cannot be
  // honoured must not be what fails a write.
  options.allow_fallocate = false;
  // Creating a ledger (init) logs that the directory did not exist yet: nothing worth printing.
  const auto level = opts.create_if_missing ? rocksdb::InfoLogLevel::FATAL_LEVEL : rocksdb::InfoLogLevel::WARN_LEVEL;
  options.info_log = std::make_shared<StderrLogger>(level);
  options.info_log_level = level;
  if (opts.env) options.env = opts.env.get();
  options.IncreaseParallelism(2);
  if (opts.write_buffer_bytes > 0) options.write_buffer_size = opts.write_buffer_bytes;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(1));  // the key kinds: e, i, m, n, x
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
  // What a killed ingestion left: a partial file, or a second name of a table now in the database.
  options.env->DeleteFile(IngestFile(path)).PermitUncheckedError();
  return std::unique_ptr<Store>(std::make_unique<RocksStore>(std::move(db), options, path, opts.env));
}

}  // namespace pilotledger::ledger
