#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "ledger/event.h"
#include "ledger/log.h"
#include "ledger/store.h"
#include "tests/test_util.h"

namespace pilotledger::testing {

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pilot-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A clock the test sets.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t ms = 1697356800000) : ms_(ms) {}
  Timestamp Now() const override { return Timestamp{ms_.load()}; }
  void Set(int64_t ms) { ms_ = ms; }
  void Advance(int64_t ms) { ms_ += ms; }

 private:
  std::atomic<int64_t> ms_;
};

// Wraps a real store, fails writes on demand (leveldb's ErrorEnv) and counts the reads.
class FaultyStore final : public ledger::Store {
 public:
  explicit FaultyStore(ledger::Store& inner) : inner_(inner) {}
  void FailWrites(bool fail) { fail_writes_ = fail; }
  // Writes reach the inner store but report an error (a record left in a write-ahead log).
  void ApplyThenFail(bool fail) { apply_then_fail_ = fail; }
  int writes() const { return writes_; }
  // Get and Scan calls so far.
  int reads() const { return reads_; }

  Status Write(ledger::WriteBatch& batch, bool sync) override {
    ++writes_;
    if (fail_writes_) return Status(Code::kUnavailable, "injected IO error");
    if (apply_then_fail_) {
      PL_RETURN_IF_ERROR(inner_.Write(batch, sync));
      return Status(Code::kUnavailable, "injected IO error after the write");
    }
    return inner_.Write(batch, sync);
  }
  Status Recover() override { return fail_writes_ ? Status(Code::kUnavailable, "injected IO error") : inner_.Recover(); }
  Result<std::optional<std::string>> Get(std::string_view key, ledger::ReadKind kind) const override {
    ++reads_;
    return inner_.Get(key, kind);
  }
  Status Scan(std::string_view begin, std::string_view end, const std::function<bool(std::string_view, std::string_view)>& fn,
              ledger::ReadKind kind) const override {
    ++reads_;
    return inner_.Scan(begin, end, fn, kind);
  }

 private:
  ledger::Store& inner_;
  std::atomic<bool> fail_writes_{false};
  std::atomic<bool> apply_then_fail_{false};
  std::atomic<int> writes_{0};
  mutable std::atomic<int> reads_{0};
};

inline SignedEvent GenesisEvent(const std::string& origin = "test.pilotledger/log") {
  Result<SignedEvent> e = MakeEvent("genesis", "ledger.genesis", Timestamp{1697356800000},
                                    {{"origin", origin}, {"authorities", Json::array()}});
  return *e;
}

// An event with a fake signature: the ledger layer does not check signatures (admission does).
inline SignedEvent TestEvent(const std::string& id, const std::string& type = "score.recorded",
                             Json body = {{"campaign", "2023"}, {"unit_id", "x"}, {"score", 80}}) {
  Result<SignedEvent> e = MakeEvent(id, type, Timestamp{1697356800000}, std::move(body));
  e->sigs.push_back({"expert-1", std::string(64, 's')});
  return *e;
}

}  // namespace pilotledger::testing
