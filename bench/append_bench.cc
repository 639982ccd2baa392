// Append throughput and latency over HTTP: many concurrent keep-alive connections send distinct
// signed events (single-signature actor registrations) to a real pilotledgerd with a real RocksDB.
//
//   build/bin/append_bench [--events N] [--connections C] [--server-threads T] [--readers R] [--forgers F]
//
// --forgers F adds F connections that flood appends with forged signatures while the run lasts
// (latency under attack, docs/performance.md; the tests only check that everyone is served).
//
// It creates a ledger in a temporary directory, starts the server, pre-signs every event (not
// timed), sends them, and prints throughput and latency percentiles (docs/performance.md).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "tests/e2e/e2e_util.h"

namespace pl = pilotledger;
using pl::Result;
using SteadyClock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int events = 40000, connections = 64, wrk_seconds = 0, readers = 0, forgers = 0;
  std::string server_threads;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--connections")) connections = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--server-threads")) server_threads = argv[i + 1];
    if (!std::strcmp(argv[i], "--wrk")) wrk_seconds = std::atoi(argv[i + 1]);
    // Reader connections that GET /v1/actors/miit (2 ms apart) while the appends run (read latency under load).
    if (!std::strcmp(argv[i], "--readers")) readers = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--forgers")) forgers = std::atoi(argv[i + 1]);
  }
  pl::testing::TestLedger ledger;
  if (ledger.init_status() != 0) {
    std::fprintf(stderr, "init failed: %s\n", ledger.init_output().c_str());
    return 1;
  }
  std::vector<std::string> extra = {"--log-requests", "false"};
  if (!server_threads.empty()) extra.insert(extra.end(), {"--threads", server_threads});
  if (forgers > 0) extra.insert(extra.end(), {"--requests-per-second", "0"});  // a forger sends as fast as it can
  auto server = pl::testing::ServerProcess::Start(ledger.data_dir(), extra);
  if (!server) return 1;

  std::fprintf(stderr, "signing %d events...\n", events);
  std::vector<std::string> bodies;
  bodies.reserve(events);
  for (int i = 0; i < events; ++i) {
    bodies.push_back(pl::WriteCanonical(pl::SubmissionJson(ledger.Register({"bench-" + std::to_string(i), "expert", "", "", ""}))));
  }

  // The server's CPU time per append, from /proc: what the server costs, whatever the client costs.
  const auto cpu_seconds = [&] {
    std::ifstream stat("/proc/" + std::to_string(server->pid()) + "/stat");
    std::string field;
    long ticks = 0;
    for (int i = 1; i <= 15 && stat >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stol(field);
    }
    return double(ticks) / double(sysconf(_SC_CLK_TCK));
  };
  const double cpu_before = cpu_seconds();
  if (wrk_seconds > 0) {
    // The load from wrk (C, one event loop per thread) instead of our threads: less of the two
    // cores goes to the load generator.
    const std::string file = ledger.dir() / "bodies.jsonl";
    {
      std::ofstream out(file);
      for (const std::string& b : bodies) out << b << "\n";
    }
    setenv("PILOT_BODIES", file.c_str(), 1);
    setenv("PILOT_THREADS", "1", 1);
    std::string out;
    const double before = cpu_seconds();
    const int rc = pl::testing::RunCommand({"/usr/bin/wrk", "-t1", "-c" + std::to_string(connections), "-d" + std::to_string(wrk_seconds) + "s",
                                             "--latency", "-s", std::string(PILOT_SOURCE_DIR) + "/bench/wrk_append.lua", server->url()},
                                            &out);
    const double cpu = cpu_seconds() - before;
    auto c = server->Client();
    const uint64_t size = *c->GetJson("/healthz").value()["size"].get_ptr<const int64_t*>();
    std::printf("%s\nappend_bench --wrk: %llu entries appended in %d s: %.0f appends/s durable; server CPU %.0f us/append\n", out.c_str(),
                static_cast<unsigned long long>(size - 1), wrk_seconds, double(size - 1) / wrk_seconds, cpu * 1e6 / double(size - 1));
    return rc;
  }
  std::atomic<int> next{0}, failed{0};
  std::vector<std::vector<double>> latencies(connections);
  const auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      auto c = server->Client();
      for (int i; (i = next++) < events;) {
        const auto t0 = SteadyClock::now();
        Result<pl::client::AppendReceipt> r = c->AppendRaw(bodies[i]);
        latencies[t].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        if (!r.ok() || !r->created) {
          if (failed++ < 3) std::fprintf(stderr, "append failed: %s\n", r.ok() ? "not created" : r.status().ToString().c_str());
        }
      }
    });
  }
  std::atomic<bool> appending{true};
  std::vector<std::vector<double>> read_latencies(readers);
  std::vector<std::thread> reader_threads;
  for (int t = 0; t < readers; ++t) {
    reader_threads.emplace_back([&, t] {
      auto c = server->Client();
      // A pause of 2 ms between reads keeps each connection below the server's limit of 1,000
      // requests/s, also after a slow answer (no catch-up burst).
      while (appending) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        const auto t0 = SteadyClock::now();
        Result<pl::Json> r = c->GetJson("/v1/actors/miit");
        read_latencies[t].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        if (!r.ok() && failed++ < 3) std::fprintf(stderr, "read failed: %s\n", r.status().ToString().c_str());
      }
    });
  }
  std::vector<std::string> forged;
  for (int i = 0; forgers > 0 && i < 64; ++i) {
    pl::SignedEvent e = ledger.Register({"forged-" + std::to_string(i), "expert", "", "", ""});
    e.sigs[0].sig[i] ^= 1;
    forged.push_back(pl::WriteCanonical(pl::SubmissionJson(e)));
  }
  std::atomic<long> forged_refused{0}, forged_other{0};
  std::vector<std::thread> forger_threads;
  for (int t = 0; t < forgers; ++t) {
    forger_threads.emplace_back([&, t] {
      auto c = server->Client();
      for (size_t i = t; appending; ++i) {
        Result<pl::client::HttpResult> r = c->Raw("POST", "/v1/entries", forged[i % forged.size()]);
        ++(r.ok() && r->status == 401 ? forged_refused : forged_other);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  appending = false;
  for (auto& t : reader_threads) t.join();
  for (auto& t : forger_threads) t.join();
  if (forgers > 0) {
    std::printf("append_bench: %d forging connections meanwhile: %ld forged appends refused (%.0f/s), %ld otherwise answered\n", forgers,
                forged_refused.load(), double(forged_refused.load()) / seconds, forged_other.load());
  }
  const double server_cpu = cpu_seconds() - cpu_before;
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double p) { return all[std::min(all.size() - 1, size_t(p * all.size()))]; };
  std::printf("append_bench: %d events, %d connections, %.2f s: %.0f appends/s durable; latency ms p50 %.2f p90 %.2f "
              "p99 %.2f max %.2f; %d failed; server CPU %.0f us/append (%.0f appends/s per core)\n",
              events, connections, seconds, events / seconds, pct(0.5), pct(0.9), pct(0.99), all.back(), failed.load(),
              server_cpu * 1e6 / events, events / server_cpu);
  if (readers > 0) {
    std::vector<double> reads;
    for (const auto& l : read_latencies) reads.insert(reads.end(), l.begin(), l.end());
    std::sort(reads.begin(), reads.end());
    const auto rp = [&](double p) { return reads[std::min(reads.size() - 1, size_t(p * reads.size()))]; };
    std::printf("append_bench: %zu reads (GET /v1/actors/miit) from %d connections during the appends: %.0f reads/s; latency ms "
                "p50 %.2f p90 %.2f p99 %.2f max %.2f\n",
                reads.size(), readers, reads.size() / seconds, rp(0.5), rp(0.9), rp(0.99), reads.back());
  }
  return failed == 0 ? 0 : 1;
}
