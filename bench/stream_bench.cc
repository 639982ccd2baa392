// Revocation delivery to many watchers: delay from an append's acknowledgement to its arrival at
// each of N WebSocket watchers of /v1/stream?types=title.revoked (docs/performance.md, bench/run's
// scenario (e)). Prints RESULT lines (bench/bench_util.h) for bench/report.py.
//
//   build/bin/stream_bench [--watchers 1000] [--revocations 20]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "bench/bench_util.h"

namespace pl = pilotledger;
namespace b = pilotledger::bench;
using b::SteadyClock;

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
  std::vector<std::vector<bool>> got_it(watchers, std::vector<bool>(revocations));
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
        if (it == units.end()) continue;
        arrived[w][it - units.begin()] = now;
        got_it[w][it - units.begin()] = true;
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
  uint64_t missing = 0;
  for (int w = 0; w < watchers; ++w) {
    for (int r = 0; r < revocations; ++r) {
      if (!got_it[w][r]) {
        ++missing;
        continue;
      }
      from_request.push_back(std::chrono::duration<double, std::milli>(arrived[w][r] - sent[r]).count());
      after_ack.push_back(std::chrono::duration<double, std::milli>(arrived[w][r] - acked[r]).count());
    }
  }
  const double span = std::chrono::duration<double>(acked.back() - sent.front()).count();
  const std::string note = std::to_string(revocations) + " revocations 100 ms apart, " + std::to_string(after_ack.size()) + " deliveries; " +
                           std::to_string(complete.load()) + " of " + std::to_string(watchers) + " watchers got all" +
                           (missing ? "; " + std::to_string(missing) + " deliveries missing" : "");
  const std::string name = "e. revocation to " + std::to_string(watchers) + " WebSocket watchers, ";
  b::PrintResult(name + "after the acknowledgement", "PilotLedger", watchers, double(after_ack.size()) / span, b::FromSamples(after_ack),
                 note + "; negative: the watcher had it before the appender had its answer");
  b::PrintResult(name + "from the append request", "PilotLedger", watchers, double(from_request.size()) / span, b::FromSamples(from_request),
                 note + "; includes the synced write");
  b::PrintValue("PilotLedger peak resident memory (watchers)", b::ProcStatusKb(server->pid(), "VmHWM") / 1024, "MiB",
                std::to_string(watchers) + " WebSocket watchers");
  return missing ? 1 : 0;
}
