// What bench/run's tools share: running wrk and reading its result line, the open-loop generator,
// a process's memory and CPU from /proc, and the RESULT lines bench/report.py turns into the table.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace pilotledger::bench {

using SteadyClock = std::chrono::steady_clock;

// Latency percentiles in ms.
struct Percentiles {
  uint64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

inline Percentiles FromSamples(std::vector<double> ms) {
  Percentiles p;
  if (ms.empty()) return p;
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[std::min(ms.size() - 1, size_t(q * double(ms.size())))]; };
  p.count = ms.size();
  p.p50 = at(0.5), p.p90 = at(0.9), p.p99 = at(0.99), p.p999 = at(0.999), p.max = ms.back();
  return p;
}

// One row for bench/report.py: scenario, system, connections, rate (per second), latency (ms), note.
inline void PrintResult(const std::string& scenario, const std::string& system, int connections, double rate, const Percentiles& p,
                        const std::string& note = "") {
  std::printf("RESULT\t%s\t%s\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\n", scenario.c_str(), system.c_str(), connections, rate, p.p50, p.p99,
              p.p999, p.max, note.c_str());
  std::fflush(stdout);
}
// A single value (a ceiling, a time, a memory size): bench/report.py lists these below the table.
inline void PrintValue(const std::string& name, double value, const std::string& unit, const std::string& note = "") {
  std::printf("VALUE\t%s\t%.3f\t%s\t%s\n", name.c_str(), value, unit.c_str(), note.c_str());
  std::fflush(stdout);
}

struct WrkResult {
  bool ok = false;
  std::map<std::string, double> fields;  // requests, duration_us, p50 … (µs), errors
  std::string output;
  double seconds() const { return fields.at("duration_us") / 1e6; }
  double errors() const {
    double e = 0;
    for (const char* k : {"connect", "read", "write", "status", "timeout"}) e += fields.at(k);
    return e;
  }
  Percentiles latency() const {
    Percentiles p;
    p.count = uint64_t(fields.at("requests"));
    p.p50 = fields.at("p50") / 1000, p.p90 = fields.at("p90") / 1000, p.p99 = fields.at("p99") / 1000;
    p.p999 = fields.at("p999") / 1000, p.max = fields.at("max") / 1000;
    return p;
  }
};

// Runs wrk (one thread: one event loop is plenty at these rates and leaves the cores to the
// server) with `script` against `url`; `env` is set for its Lua script.
inline WrkResult RunWrk(const std::string& url, const std::string& script, int connections, int seconds,
                        const std::vector<std::pair<std::string, std::string>>& env) {
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  setenv("PILOT_THREADS", "1", 1);
  WrkResult r;
  testing::RunCommand({"/usr/bin/wrk", "-t1", "-c" + std::to_string(connections), "-d" + std::to_string(seconds) + "s", "--timeout", "30s",
                       "-s", std::string(PILOT_SOURCE_DIR) + "/bench/" + script, url},
                      &r.output);
  const auto at = r.output.find("WRK_RESULT ");
  if (at == std::string::npos) {
    std::fprintf(stderr, "wrk failed:\n%s\n", r.output.c_str());
    return r;
  }
  std::istringstream in(r.output.substr(at + 11, r.output.find('\n', at) - at - 11));
  for (std::string kv; in >> kv;) {
    const auto eq = kv.find('=');
    r.fields[kv.substr(0, eq)] = std::stod(kv.substr(eq + 1));
  }
  r.ok = true;
  return r;
}

// The open-loop generator: request i is due at start + i / rate, whatever happened to the ones
// before it, and its latency counts from that due time (not from when a connection was free to
// send it), so a stall shows in full in every request it delays (no coordinated omission).
// `connections` blocking connections take the requests in order.
struct OpenLoopResult {
  Percentiles latency;
  double sent_per_second = 0;
  int failed = 0;
  double behind_ms = 0;  // how late the last request was sent after its due time
};
inline OpenLoopResult RunOpenLoop(const std::string& url, const std::vector<std::string>& bodies, size_t offset, double rate, int seconds,
                                  int connections) {
  const size_t total = std::min(bodies.size() - offset, size_t(rate * seconds));
  std::vector<std::vector<double>> samples(connections);
  std::atomic<size_t> next{0};
  std::atomic<int> failed{0};
  std::atomic<double> behind{0};
  const auto start = SteadyClock::now() + std::chrono::milliseconds(200);
  const auto due = [&](size_t i) { return start + std::chrono::nanoseconds(int64_t(double(i) * 1e9 / rate)); };
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      auto c = client::LedgerClient::Connect(url);
      if (!c.ok()) {
        ++failed;
        return;
      }
      for (size_t i; (i = next++) < total;) {
        const auto when = due(i);
        std::this_thread::sleep_until(when);
        const auto sent = SteadyClock::now();
        if (i + 1 == total) behind = std::chrono::duration<double, std::milli>(sent - when).count();
        Result<client::HttpResult> r = (*c)->Raw("POST", "/v1/entries", bodies[offset + i]);
        samples[t].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - when).count());
        if (!r.ok() || r->status != 201) {
          if (failed++ < 3) std::fprintf(stderr, "open loop: %s\n", r.ok() ? std::to_string(r->status).c_str() : r.status().ToString().c_str());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::vector<double> all;
  for (const auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  OpenLoopResult r;
  r.latency = FromSamples(std::move(all));
  r.sent_per_second = double(total) / elapsed;
  r.failed = failed;
  r.behind_ms = behind;
  return r;
}

// A /proc/PID/status field in kB (VmHWM: peak resident; VmRSS: resident now).
inline double ProcStatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1));
  }
  return 0;
}
// User + system CPU seconds of `pid` so far.
inline double CpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string field;
  long ticks = 0;
  for (int i = 1; i <= 15 && stat >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stol(field);
  }
  return double(ticks) / double(sysconf(_SC_CLK_TCK));
}

inline std::string Fixed(double v, int digits = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace pilotledger::bench

namespace pilotledger::bench {

// A child process that prints "listening on HOST:PORT " once it serves (pilotledgerd, pg_frontend);
// killed on destruction.
class Listener {
 public:
  static std::unique_ptr<Listener> Start(const std::vector<std::string>& argv, const std::string& log) {
    int fd = -1;
    const pid_t pid = testing::Spawn(argv, fd, /*with_stderr=*/false, -1, log);
    if (pid < 0) return nullptr;
    auto l = std::unique_ptr<Listener>(new Listener(pid, fd));
    std::string out;
    const auto deadline = SteadyClock::now() + std::chrono::seconds(600);
    while (SteadyClock::now() < deadline) {
      char buf[1024];
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, size_t(n));
      const auto at = out.find("listening on ");
      if (at != std::string::npos && out.find(' ', at + 13) != std::string::npos) {
        l->url_ = "http://" + out.substr(at + 13, out.find(' ', at + 13) - at - 13);
        return l;
      }
    }
    std::fprintf(stderr, "%s did not start:\n%s\n%s\n", argv[0].c_str(), out.c_str(), testing::ReadFile(log).c_str());
    return nullptr;
  }
  ~Listener() { Stop(SIGKILL); }
  int Stop(int sig) {
    if (pid_ <= 0) return 0;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    close(fd_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }

 private:
  Listener(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_;
  int fd_;
  std::string url_;
};

}  // namespace pilotledger::bench
