// Revocation delivery to many watchers: delay from an append's acknowledgement to its arrival at
// each of N WebSocket watchers of /v1/stream?types=title.revoked (docs/performance.md).
//
//   build/bin/stream_bench [--watchers 1000] [--revocations 20]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "tests/e2e/e2e_util.h"

namespace pl = pilotledger;
using SteadyClock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int watchers = 1000, revocations = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--watchers")) watchers = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--revocations")) revocations = std::atoi(argv[i + 1]);
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  pl::testing::TestLedger ledger;
  auto server = pl::testing::ServerProcess::Start(ledger.data_dir(), {"--log-requests", "false"});
  if (!server) return 1;
  auto c = server->Client();
  const auto units = pl::testing::TitledUnits(ledger, *c, revocations);
  const std::string from = std::to_string(*c->GetJson("/healthz").value()["size"].get_ptr<const int64_t*>());

  std::vector<std::unique_ptr<pl::client::WebSocket>> sockets;
  for (int i = 0; i < watchers; ++i) {
    auto wc = server->Client();
    auto ws = wc->OpenStream("/v1/stream?types=title.revoked&from=" + from);
    if (!ws.ok()) {
      std::fprintf(stderr, "watcher %d: %s\n", i, ws.status().ToString().c_str());
      return 1;
    }
    sockets.push_back(std::move(*ws));
  }
  // Each watcher records when each revocation (by unit) arrives.
  std::vector<std::vector<SteadyClock::time_point>> arrived(watchers, std::vector<SteadyClock::time_point>(revocations));
  std::atomic<int> complete{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < watchers; ++w) {
    threads.emplace_back([&, w] {
      int got = 0;
      while (got < revocations) {
        auto m = sockets[w]->Read(std::chrono::seconds(30));
        if (!m.ok()) break;
        const auto now = SteadyClock::now();
        const pl::Json j = pl::Json::parse(*m);
        if (!j.contains("entry")) continue;
        const std::string unit = j["entry"]["event"]["body"]["unit_id"];
        const auto it = std::find(units.begin(), units.end(), unit);
        arrived[w][it - units.begin()] = now;
        ++got;
      }
      ++complete;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all watchers caught up
  std::vector<SteadyClock::time_point> sent(revocations), acked(revocations);
  for (int r = 0; r < revocations; ++r) {
    sent[r] = SteadyClock::now();
    if (!c->Append(pl::testing::Revocation(ledger, units[r])).ok()) return 1;
    acked[r] = SteadyClock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& t : threads) t.join();
  // Two clocks: from the append request (includes the synced write), and after the appender got
  // its acknowledgement (negative: the watcher had the entry before the appender had its answer).
  std::vector<double> from_request, after_ack;
  for (int w = 0; w < watchers; ++w) {
    for (int r = 0; r < revocations; ++r) {
      from_request.push_back(std::chrono::duration<double, std::milli>(arrived[w][r] - sent[r]).count());
      after_ack.push_back(std::chrono::duration<double, std::milli>(arrived[w][r] - acked[r]).count());
    }
  }
  const auto pct = [](std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * v.size()))];
  };
  std::printf("stream_bench: %d watchers x %d revocations, %d watchers got all\n"
              "  from the append request: ms p50 %.2f p99 %.2f max %.2f\n"
              "  after the acknowledgement: ms p50 %.2f p99 %.2f max %.2f\n",
              watchers, revocations, complete.load(), pct(from_request, 0.5), pct(from_request, 0.99), pct(from_request, 1.0),
              pct(after_ack, 0.5), pct(after_ack, 0.99), pct(after_ack, 1.0));
  return 0;
}
