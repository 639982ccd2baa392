// An in-process LedgerService on a real RocksDB in a temporary directory, with its store wrapped
// so that tests can hold or refuse synced writes, and the transport-free Api over it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "server/api.h"
#include "server/ledger_service.h"
#include "tests/e2e/e2e_util.h"

namespace pilotledger::server::testing {

using pilotledger::testing::TestLedger;

// Wraps the real store. Synced writes can be held open until the test releases them, or refused.
class ControlledStore final : public ledger::Store {
 public:
  explicit ControlledStore(std::unique_ptr<ledger::Store> inner) : inner_(std::move(inner)) {}

  Status Write(ledger::WriteBatch& batch, bool sync) override {
    if (sync) {
      std::unique_lock lock(mu_);
      if (refuse_) return Refused();
      if (hold_) {
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !hold_; });
        held_ = false;
      }
    }
    return inner_->Write(batch, sync);
  }
  // Durable like a synced write: refused with them, but not held (the snapshot thread's).
  Status Ingest(const std::vector<std::pair<std::string_view, std::string_view>>& pairs) override {
    {
      std::lock_guard lock(mu_);
      if (refuse_) return Refused();
    }
    return inner_->Ingest(pairs);
  }
  Result<std::optional<std::string>> Get(std::string_view key, ledger::ReadKind kind) const override { return inner_->Get(key, kind); }
  Status Scan(std::string_view begin, std::string_view end, const std::function<bool(std::string_view, std::string_view)>& fn,
              ledger::ReadKind kind) const override {
    return inner_->Scan(begin, end, fn, kind);
  }
  Status Recover() override {
    std::lock_guard lock(mu_);
    return refuse_ ? Refused() : inner_->Recover();
  }

  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  // Waits until a synced write is being held.
  bool WaitHeld(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void Refuse(bool refuse) {
    std::lock_guard lock(mu_);
    refuse_ = refuse;
  }

 private:
  // What a refused write, ingestion or recovery answers.
  static Status Refused() { return Status(Code::kUnavailable, "injected IO error: no space left on device"); }

  std::unique_ptr<ledger::Store> inner_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false, held_ = false, refuse_ = false;
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(ledger_.init_status(), 0) << ledger_.init_output(); }

  // Opens the service on the test ledger, with the store wrapped in a ControlledStore.
  void Open(std::function<Status(const Entry&)> apply_hook = {}, std::shared_ptr<rocksdb::Env> env = nullptr) {
    ServiceOptions options;
    options.apply_hook = std::move(apply_hook);
    options.store_env = std::move(env);
    OpenWith(std::move(options));
  }
  // Opens the service with these options on the test ledger, and the Api on it; the store is
  // wrapped in a ControlledStore unless the options wrap it themselves.
  void OpenWith(ServiceOptions options) {
    options.data_dir = ledger_.data_dir();
    if (!options.wrap_store) {
      options.wrap_store = [this](std::unique_ptr<ledger::Store> inner) {
        auto s = std::make_unique<ControlledStore>(std::move(inner));
        store_ = s.get();
        return std::unique_ptr<ledger::Store>(std::move(s));
      };
    }
    Result<std::unique_ptr<LedgerService>> s = LedgerService::Open(options, clock_);
    open_status_ = s.status();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    service_ = std::move(*s);
    api_ = std::make_unique<Api>(*service_, metrics_);
  }
  // Stops the Api and then the service (the Api holds a reference to the service).
  void Close() {
    api_.reset();
    service_.reset();
    store_ = nullptr;
  }

  std::future<Result<ledger::Receipt>> AppendAsync(SignedEvent e) {
    auto p = std::make_shared<std::promise<Result<ledger::Receipt>>>();
    auto f = p->get_future();
    service_->Append(std::move(e), [p](Result<ledger::Receipt> r) { p->set_value(std::move(r)); });
    return f;
  }
  Result<ledger::Receipt> AppendSync(SignedEvent e) { return AppendAsync(std::move(e)).get(); }

  // POST /v1/entries through the Api: the HTTP status and body.
  HttpResponse Post(const SignedEvent& e) {
    std::promise<HttpResponse> p;
    api_->Handle({"POST", "/v1/entries", "", WriteCanonical(SubmissionJson(e))}, [&p](HttpResponse r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  HttpResponse Get(const std::string& target) {
    std::promise<HttpResponse> p;
    api_->Handle({"GET", target, "", ""}, [&p](HttpResponse r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  bool HasActor(const std::string& id) {
    return service_->Read([&](const projections::State& s) { return s.FindActor(id) != nullptr; });
  }

  TestLedger ledger_;
  Status open_status_;
  SystemClock clock_;
  Metrics metrics_;
  ControlledStore* store_ = nullptr;
  std::unique_ptr<LedgerService> service_;
  std::unique_ptr<Api> api_;
};

}  // namespace pilotledger::server::testing
