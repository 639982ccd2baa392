#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace rocksdb {
class Env;
}

namespace pilotledger::ledger {

// A set of puts applied atomically by Store::Write. Not thread-safe.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);

  struct Rep;
  Rep& rep() { return *rep_; }

 private:
  std::unique_ptr<Rep> rep_;
};

// An ordered key-value store with atomic, optionally synced batches. All methods are thread-safe;
// one writer at a time is the caller's business (the Sequencer).
enum class ReadKind { kCached, kBulk };

// A value read without a copy (Store::GetLarge): its bytes stay valid while it and the store live.
class LargeValue {
 public:
  virtual ~LargeValue() = default;
  virtual std::string_view bytes() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Applies `batch` atomically; with `sync`, returns only once it is on stable storage.
  // Errors: kUnavailable (IO error), kDataLoss (corruption).
  virtual Status Write(WriteBatch& batch, bool sync) = 0;
  // Stores these pairs (keys distinct, in increasing order), replacing earlier values, atomically
  // and durably (on stable storage on return), but outside the path of Write: RocksDB writes them
  // into a table file of their own, synced, then adds that file to the database (SstFileWriter,
  // IngestExternalFile). For a large value written while synced writes go on, which would
  // otherwise queue behind its copy into the write-ahead log and its sync (the projection
  // snapshot; docs/performance.md, "The snapshot beside the write path"). The default: one synced
  // Write. Errors: as Write.
  virtual Status Ingest(const std::vector<std::pair<std::string_view, std::string_view>>& pairs);
  // The value of `key`, or nullopt if absent.
  // ReadKind::kBulk for reads that sweep much of the store once (a replay, the log check): the
  // blocks they read do not go into the block cache, which keeps what reads use (RocksDB's
  // fill_cache; docs/performance.md (g)).
  virtual Result<std::optional<std::string>> Get(std::string_view key, ReadKind kind = ReadKind::kCached) const = 0;
  // The value of `key`, or null if absent, for one large value read once (the projection
  // snapshot: a few hundred MB at 10^7 entries), without a copy. The default: Get's string.
  virtual Result<std::unique_ptr<const LargeValue>> GetLarge(std::string_view key) const;
  // Calls fn(key, value) for keys in [begin, end) in order, until fn returns false.
  virtual Status Scan(std::string_view begin, std::string_view end,
                      const std::function<bool(std::string_view, std::string_view)>& fn, ReadKind kind = ReadKind::kCached) const = 0;
  // After a failed write: asks the store to take writes again (RocksDB's DB::Resume(), which
  // clears a background error once its cause is gone). Ok if the store accepts writes now.
  // Errors: kUnavailable while the cause persists.
  virtual Status Recover() { return Status::Ok(); }
  // A numeric property of the engine for /metrics (RocksDB's "rocksdb.num-running-compactions",
  // "rocksdb.num-running-flushes", …), or nullopt where there is none.
  virtual std::optional<uint64_t> Property(std::string_view /*name*/) const { return std::nullopt; }
};

struct StoreOptions {
  // Create the database if it does not exist.
  bool create_if_missing = false;
  // Refuse to open an existing database (used by `init`, which never overwrites).
  bool error_if_exists = false;
  // Size of the block cache for reads.
  size_t block_cache_bytes = size_t{128} << 20;
  // Size of one memtable before it is flushed to a table file; 0: RocksDB's default (64 MiB). The
  // crash tests make it small so that flushes and compactions run all the time.
  size_t write_buffer_bytes = 0;
  // The environment RocksDB does its file I/O through; null: the default. Tests install a
  // fault-injecting file system here (tests/support/fault_fs.h).
  std::shared_ptr<rocksdb::Env> env;
};

// Opens a RocksDB database at `path`. Errors: kNotFound (missing and !create_if_missing),
// kInvalidArgument (exists and error_if_exists), kUnavailable (locked or IO error), kDataLoss.
Result<std::unique_ptr<Store>> OpenRocksStore(const std::string& path, const StoreOptions& options);

}  // namespace pilotledger::ledger
