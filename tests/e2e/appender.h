// Concurrent appenders for the e2e and crash tests: many connections appending fresh events until
// their first refusal, recording every acknowledgement.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace pilotledger::testing {

// Registrations of `n` new expert actors, each with a fresh key, signed by the MIIT ministry.
inline std::vector<SignedEvent> Registrations(TestLedger& ledger, const std::string& prefix, int n) {
  std::vector<SignedEvent> events;
  for (int i = 0; i < n; ++i) events.push_back(ledger.Register({prefix + std::to_string(i), "expert", "", "", ""}));
  return events;
}

// Appends each thread's events over its own connection until its first refusal, recording every
// acknowledgement; runs from construction until Join().
class ConcurrentAppender {
 public:
  ConcurrentAppender(const ServerProcess& server, std::vector<std::vector<SignedEvent>> work)
      : work_(std::move(work)), first_refusal(work_.size()) {
    for (size_t t = 0; t < work_.size(); ++t) {
      threads_.emplace_back([this, &server, t] {
        auto c = server.Client();
        for (const SignedEvent& e : work_[t]) {
          Result<client::AppendReceipt> r = c->Append(e);
          if (!r.ok() || !r->created) {
            first_refusal[t] = r.ok() ? "not created" : r.status().message();
            return;
          }
          std::lock_guard lock(mu_);
          if (!acked.emplace(r->seq, r->leaf_hash).second) ++twice;
          ++acknowledged;
        }
      });
    }
  }
  void WaitFor(int n) const {
    while (acknowledged < n) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void Join() {
    for (auto& t : threads_) t.join();
  }

 private:
  std::vector<std::vector<SignedEvent>> work_;
  std::vector<std::thread> threads_;
  std::mutex mu_;

 public:
  std::vector<std::string> first_refusal;
  std::map<uint64_t, Hash> acked;  // read after Join
  std::atomic<int> acknowledged{0};
  int twice = 0;
};

inline std::vector<std::vector<SignedEvent>> Work(TestLedger& ledger, const std::string& prefix, int threads, int per_thread) {
  std::vector<std::vector<SignedEvent>> work;
  for (int t = 0; t < threads; ++t) work.push_back(Registrations(ledger, prefix + std::to_string(t) + "-", per_thread));
  return work;
}

}  // namespace pilotledger::testing
