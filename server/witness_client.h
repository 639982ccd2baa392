#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/tlog_policy.h"
#include "server/ledger_service.h"

namespace pilotledger::client {
class HttpClient;
}

namespace pilotledger::server {

// The ledger's side of C2SP tlog-witness: a thread of its own that, after each commit (and every
// second while the quorum is not met), submits the log's latest checkpoint with its consistency
// proof to every witness of the policy at once, verifies the cosignatures they return and
// publishes the checkpoint with them (LedgerService::PublishedCheckpoint). Appends never wait for
// it. Thread-safe.
class WitnessClient {
 public:
  // `service` must outlive the client. The policy's witnesses must all have URLs.
  // Errors: kInvalidArgument (a witness without a URL, or a URL that is not http(s)://host:port[/path]).
  static Result<std::unique_ptr<WitnessClient>> Create(LedgerService& service, policy::Policy policy,
                                                       std::chrono::milliseconds timeout);
  ~WitnessClient();

  // Starts the thread; Notify() wakes it for a new checkpoint; Stop() ends it (idempotent).
  void Start();
  void Notify();
  void Stop();
  // Its lines for GET /metrics.
  std::string RenderMetrics() const;

 private:
  struct Peer;
  WitnessClient(LedgerService& service, policy::Policy policy);
  void Run();
  void Round(const std::shared_ptr<const std::string>& note);
  Result<std::string> Submit(Peer& peer, const std::string& note, uint64_t size, const std::string& text);

  LedgerService& service_;
  const policy::Policy policy_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;     // guarded by mu_
  bool pending_ = false;  // guarded by mu_
  std::atomic<uint64_t> published_size_{0}, rounds_{0};
  std::atomic<bool> quorum_{false};
  std::thread thread_;
};

}  // namespace pilotledger::server
