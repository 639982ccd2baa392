// A RocksDB FileSystem that tests install (through StoreOptions::env) to fail a chosen kind of
// file operation and to drop unsynced data as a power cut would — in the spirit of RocksDB's
// FaultInjectionTestFS and leveldb's fault-injection Env, on the public rocksdb/file_system.h API.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace pilotledger::testing {

class FaultFileSystem final : public rocksdb::FileSystemWrapper, public std::enable_shared_from_this<FaultFileSystem> {
 public:
  // What to fail. kWalWrite/kWalSync: appends to / syncs of the write-ahead log (*.log);
  // kAnyWrite/kAnySync: of any file; kRename; kRead: reads of table files (*.sst).
  enum Fault { kWalWrite, kWalSync, kAnyWrite, kAnySync, kRename, kRead, kNoSpace, kCount };

  FaultFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static std::shared_ptr<FaultFileSystem> Make() { return std::make_shared<FaultFileSystem>(); }
  // An Env for rocksdb::Options::env that uses this file system.
  std::shared_ptr<rocksdb::Env> MakeEnv() { return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(shared_from_this())); }

  const char* Name() const override { return "PilotFaultFileSystem"; }

  void Set(Fault f, bool on) { faults_[f] = on; }
  void ClearAll() {
    for (auto& f : faults_) f = false;
  }
  // How many operations were failed so far.
  int injected() const { return injected_; }

  // After the database is closed (or its process has "lost power"): truncates every file written
  // through this file system to what was last synced.
  void DropUnsyncedData() {
    std::lock_guard lock(mu_);
    for (const auto& [name, synced] : synced_) {
      std::error_code ec;
      if (std::filesystem::exists(name, ec)) std::filesystem::resize_file(name, synced, ec);
    }
  }
  // From now on every write and sync silently does nothing (the power is off).
  void PowerOff() { off_ = true; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r, rocksdb::IODebugContext* dbg) override {
    if (Hit(kAnyWrite, f) || Hit(kNoSpace, f)) return Error(f);
    std::unique_ptr<rocksdb::FSWritableFile> inner;
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, &inner, dbg);
    if (!s.ok()) return s;
    {
      std::lock_guard lock(mu_);
      synced_[f] = 0;
    }
    r->reset(new File(*this, f, std::move(inner)));
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r, rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> inner;
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, o, &inner, dbg);
    if (!s.ok()) return s;
    {
      std::lock_guard lock(mu_);
      std::error_code ec;
      synced_[f] = std::filesystem::file_size(f, ec);
    }
    r->reset(new File(*this, f, std::move(inner)));
    return s;
  }
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override {
    if (Hit(kRename, s)) return Error(s);
    rocksdb::IOStatus st = target()->RenameFile(s, t, o, dbg);
    if (st.ok()) {
      std::lock_guard lock(mu_);
      if (auto it = synced_.find(s); it != synced_.end()) {
        synced_[t] = it->second;
        synced_.erase(it);
      }
    }
    return st;
  }
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    {
      std::lock_guard lock(mu_);
      synced_.erase(f);
    }
    return target()->DeleteFile(f, o, dbg);
  }
  rocksdb::IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* r, rocksdb::IODebugContext* dbg) override {
    if (Hit(kRead, f)) return Error(f);
    std::unique_ptr<rocksdb::FSRandomAccessFile> inner;
    rocksdb::IOStatus s = target()->NewRandomAccessFile(f, o, &inner, dbg);
    if (!s.ok()) return s;
    r->reset(new ReadFile(*this, f, std::move(inner)));
    return s;
  }

 private:
  static bool IsWal(const std::string& f) { return f.size() > 4 && f.compare(f.size() - 4, 4, ".log") == 0; }
  static bool IsTable(const std::string& f) { return f.size() > 4 && f.compare(f.size() - 4, 4, ".sst") == 0; }
  bool Hit(Fault f, const std::string& name) const {
    bool match = faults_[f].load();
    if (f == kWalWrite || f == kWalSync) match = match && IsWal(name);
    if (f == kRead) match = match && IsTable(name);
    if (match) ++injected_;
    return match;
  }
  rocksdb::IOStatus Error(const std::string& name) const {
    if (faults_[kNoSpace]) {
      return rocksdb::IOStatus::NoSpace("injected: no space left on device", name);
    }
    return rocksdb::IOStatus::IOError("injected I/O error", name);
  }

  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(FaultFileSystem& fs, std::string name, std::unique_ptr<rocksdb::FSWritableFile> inner)
        : FSWritableFileOwnerWrapper(std::move(inner)), fs_(fs), name_(std::move(name)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_.off_) return rocksdb::IOStatus::OK();
      if (fs_.Hit(kWalWrite, name_) || fs_.Hit(kAnyWrite, name_) || fs_.Hit(kNoSpace, name_)) return fs_.Error(name_);
      return target()->Append(d, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o, const rocksdb::DataVerificationInfo&,
                             rocksdb::IODebugContext* dbg) override {
      return Append(d, o, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override { return DoSync(o, dbg, false); }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override { return DoSync(o, dbg, true); }
    rocksdb::IOStatus RangeSync(uint64_t, uint64_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();  // a hint; what counts as synced is what Sync/Fsync made so
    }

   private:
    rocksdb::IOStatus DoSync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg, bool full) {
      if (fs_.off_) return rocksdb::IOStatus::OK();
      if (fs_.Hit(kWalSync, name_) || fs_.Hit(kAnySync, name_)) return fs_.Error(name_);
      rocksdb::IOStatus s = target()->Flush(o, dbg);
      if (s.ok()) s = full ? target()->Fsync(o, dbg) : target()->Sync(o, dbg);
      if (s.ok()) {
        std::lock_guard lock(fs_.mu_);
        std::error_code ec;
        fs_.synced_[name_] = std::filesystem::file_size(name_, ec);
      }
      return s;
    }
    FaultFileSystem& fs_;
    const std::string name_;
  };

  class ReadFile final : public rocksdb::FSRandomAccessFileOwnerWrapper {
   public:
    ReadFile(FaultFileSystem& fs, std::string name, std::unique_ptr<rocksdb::FSRandomAccessFile> inner)
        : FSRandomAccessFileOwnerWrapper(std::move(inner)), fs_(fs), name_(std::move(name)) {}
    rocksdb::IOStatus Read(uint64_t offset, size_t n, const rocksdb::IOOptions& o, rocksdb::Slice* result, char* scratch,
                           rocksdb::IODebugContext* dbg) const override {
      if (fs_.Hit(kRead, name_)) return fs_.Error(name_);
      return target()->Read(offset, n, o, result, scratch, dbg);
    }

   private:
    FaultFileSystem& fs_;
    const std::string name_;
  };

  std::atomic<bool> faults_[kCount] = {};
  std::atomic<bool> off_{false};
  mutable std::atomic<int> injected_{0};
  std::mutex mu_;
  std::map<std::string, uint64_t> synced_;  // file -> bytes synced; guarded by mu_
};

}  // namespace pilotledger::testing
