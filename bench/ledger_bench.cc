// bench/run's HTTP scenarios (docs/performance.md), PilotLedger and the PostgreSQL front end
// (bench/pg_frontend.cc) side by side on the same pre-signed events, with wrk as the load:
//
//   ledger_bench appends [--seconds S] [--pg CONNINFO]   (a): closed loop at 1, 8, 64, 256
//                                                        connections, then open loop at 50% of each
//                                                        system's peak
//   ledger_bench joint [--seconds S] [--pg CONNINFO]     (b): three-signature joint decisions, closed
//                                                        loop at 8, 64, 256 connections
//   ledger_bench reads [--seconds S] [--pg CONNINFO]     (c): reads alone and under full-rate appends
//
// Prints RESULT and VALUE lines (bench/bench_util.h) for bench/report.py. In (a) and (c) every
// event is a single-signature actor registration signed by MIIT; in (b) an annual assessment
// (assessment.recorded) of a titled unit, signed jointly by MIIT, MCA and NHC. Events are
// pre-signed before their run (not timed). Both systems get the very same bytes: each run's file
// of events goes to PilotLedger, then to PostgreSQL.
#include <cstring>
#include <filesystem>
#include <tuple>

#include "bench/bench_util.h"

namespace pl = pilotledger;
namespace b = pilotledger::bench;

namespace {

struct Setup {
  pl::testing::TestLedger ledger;
  std::unique_ptr<b::Listener> server, pg;
  int batch = 0;  // events signed so far (their ids)
};

// Signs `n` new registrations and writes them to a file of their own; returns its path and the lines.
std::string Presign(Setup& s, size_t n, std::vector<std::string>* lines = nullptr) {
  const std::string path = s.ledger.dir() / ("events-" + std::to_string(s.batch) + ".jsonl");
  std::ofstream out(path);
  for (size_t i = 0; i < n; ++i) {
    const std::string body =
        pl::WriteCanonical(pl::SubmissionJson(s.ledger.Register({"bench-" + std::to_string(s.batch++), "expert", "", "", ""})));
    out << body << "\n";
    if (lines) lines->push_back(body);
  }
  return path;
}

uint64_t Size(const b::Listener& server) {
  auto c = pl::client::LedgerClient::Connect(server.url());
  return *(*c)->GetJson("/healthz").value()["size"].get_ptr<const int64_t*>();
}

// pg_frontend's row count: the seq of the last row, found by probing (it answers 404 beyond it).
uint64_t PgRows(const b::Listener& pg, uint64_t hint) {
  auto c = pl::client::LedgerClient::Connect(pg.url());
  const auto exists = [&](uint64_t seq) { return seq == 0 || (*c)->Raw("GET", "/v1/entries/" + std::to_string(seq))->status == 200; };
  uint64_t lo = 0, hi = std::max<uint64_t>(hint, 1);
  while (exists(hi)) lo = hi, hi *= 2;
  while (hi - lo > 1) {
    const uint64_t mid = (lo + hi) / 2;
    (exists(mid) ? lo : hi) = mid;
  }
  return lo;
}

// --snapshot-interval N, passed on to the server (an experiment: how much of the tail is the snapshot).
std::vector<std::string> g_server_args;

bool StartSystems(Setup& s, const std::string& pg_conninfo) {
  if (s.ledger.init_status() != 0) return std::fprintf(stderr, "init: %s\n", s.ledger.init_output().c_str()), false;
  std::vector<std::string> argv = {pl::testing::Bin("pilotledgerd"), "serve", "--data", s.ledger.data_dir(), "--listen", "127.0.0.1:0",
                                   "--log-requests", "false", "--requests-per-second", "0"};
  argv.insert(argv.end(), g_server_args.begin(), g_server_args.end());
  s.server = b::Listener::Start(argv, s.ledger.dir() / "server.log");
  if (!s.server) return false;
  if (pg_conninfo.empty()) return true;
  const std::string keys = s.ledger.dir() / "keys.txt";
  std::ofstream out(keys);
  for (const std::string& m : pl::testing::kMinistries) out << m << " " << s.ledger.Id(m).key.public_key().ToBase64() << "\n";
  out.close();
  s.pg = b::Listener::Start({pl::testing::Bin("pg_frontend"), "--conninfo", pg_conninfo, "--keys", keys}, s.ledger.dir() / "pg.log");
  return s.pg != nullptr;
}

// A closed-loop run of `file`'s events against one system; returns appends/s (from the size it grew by).
double ClosedLoop(const b::Listener& target, bool is_pg, const std::string& file, int connections, int seconds, uint64_t& size,
                  const std::string& scenario = "a. appends, closed loop") {
  const double cpu0 = is_pg ? 0 : b::CpuSeconds(target.pid());
  b::WrkResult w = b::RunWrk(target.url(), "wrk_append.lua", connections, seconds, {{"PILOT_BODIES", file}, {"PILOT_OFFSET", "0"}});
  if (!w.ok) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the answers in flight when wrk stopped
  const uint64_t now = is_pg ? PgRows(target, size) : Size(target);
  const double appended = double(now - size), rate = appended / w.seconds();
  size = now;
  std::string note = "wrk -c" + std::to_string(connections);
  if (w.errors() > 0) note += "; " + b::Fixed(w.errors()) + " errors";
  if (w.fields["requests"] > appended + connections) note += "; event pool exhausted (repeats)";
  if (!is_pg) note += "; server CPU " + b::Fixed((b::CpuSeconds(target.pid()) - cpu0) * 1e6 / appended) + " us/append";
  b::PrintResult(scenario, is_pg ? "PostgreSQL" : "PilotLedger", connections, rate, w.latency(), note);
  return rate;
}

// Events a closed-loop run at `connections` may consume in `seconds` (the pool is never exhausted):
// the two-core verification ceiling bounds both systems.
size_t Budget(int connections, int seconds) { return size_t(connections == 1 ? 3000 : 17000) * size_t(seconds); }

int Appends(int seconds, const std::string& pg_conninfo) {
  Setup s;
  if (!StartSystems(s, pg_conninfo)) return 1;
  uint64_t size = Size(*s.server), rows = 0;
  double peak = 0, pg_peak = 0;
  for (int c : {1, 8, 64, 256}) {
    const std::string file = Presign(s, Budget(c, seconds));
    peak = std::max(peak, ClosedLoop(*s.server, false, file, c, seconds, size));
    if (s.pg) pg_peak = std::max(pg_peak, ClosedLoop(*s.pg, true, file, c, seconds, rows));
    std::filesystem::remove(file);
  }
  for (auto [target, rate, name] : {std::tuple{s.server.get(), peak, "PilotLedger"}, std::tuple{s.pg.get(), pg_peak, "PostgreSQL"}}) {
    if (!target || rate <= 0) continue;
    std::vector<std::string> bodies;
    std::filesystem::remove(Presign(s, size_t(rate * 0.5 * seconds) + 1, &bodies));
    const b::OpenLoopResult r = b::RunOpenLoop(target->url(), bodies, 0, rate * 0.5, seconds, 64);
    b::PrintResult("a. appends, open loop at 50% of peak", name, 64, r.sent_per_second, r.latency,
                   "fixed schedule of " + b::Fixed(rate * 0.5) + "/s, latency from the scheduled time; " + std::to_string(r.failed) +
                       " failed; last sent " + b::Fixed(r.behind_ms, 1) + " ms late");
  }
  if (s.pg) {  // (f) on PostgreSQL: the chain these runs built, replayed
    std::string out;
    pl::testing::RunCommand({pl::testing::Bin("pg_frontend"), "--conninfo", pg_conninfo, "--keys", s.ledger.dir() / "keys.txt", "--replay"}, &out);
    std::fputs(out.c_str(), stdout);
  }
  b::PrintValue("PilotLedger peak resident memory (appends)", b::ProcStatusKb(s.server->pid(), "VmHWM") / 1024, "MiB",
                std::to_string(Size(*s.server)) + " entries");
  return 0;
}

// (b): three-signature joint decisions. 1,000 units hold a 2017 title (set up over HTTP, not
// timed); each event is the three ministries' annual assessment of one of them (assessment.recorded,
// repeatable on an active title), distinct by id. PostgreSQL's front end verifies the same three
// signatures with the same code (PreverifySignatures) before its insert.
int Joint(int seconds, const std::string& pg_conninfo) {
  Setup s;
  if (!StartSystems(s, pg_conninfo)) return 1;
  {
    auto c = std::move(*pl::client::LedgerClient::Connect(s.server->url()));
    pl::testing::TitledUnits(s.ledger, *c, 1000);
  }
  uint64_t size = Size(*s.server), rows = 0;
  for (int c : {8, 64, 256}) {
    // Three verifications per append: the two-core ceiling (~17,000/s) allows at most ~6,000/s.
    const size_t n = size_t(7000) * size_t(seconds);
    const std::string file = s.ledger.dir() / ("joint-" + std::to_string(s.batch) + ".jsonl");
    {
      std::ofstream out(file);
      for (size_t i = 0; i < n; ++i, ++s.batch) {
        out << pl::WriteCanonical(pl::SubmissionJson(s.ledger.Event(
                   "assess-" + std::to_string(s.batch), "assessment.recorded",
                   {{"campaign", "2017"}, {"unit_id", pl::testing::Uscc("110101", int(s.batch % 1000 + 1))}, {"passed", true}, {"note", "合格"}},
                   pl::testing::kMinistries)))
            << "\n";
      }
    }
    const std::string scenario = "b. joint decisions (three signatures), closed loop";
    ClosedLoop(*s.server, false, file, c, seconds, size, scenario);
    if (s.pg) ClosedLoop(*s.pg, true, file, c, seconds, rows, scenario);
    std::filesystem::remove(file);
  }
  b::PrintValue("PilotLedger peak resident memory (joint decisions)", b::ProcStatusKb(s.server->pid(), "VmHWM") / 1024, "MiB",
                std::to_string(Size(*s.server)) + " entries, 1,000 units");
  return 0;
}

// The read targets of one kind, each with its Authorization value if it needs one.
std::string Targets(Setup& s, const std::string& kind, const std::vector<std::string>& units, uint64_t size) {
  const std::string path = s.ledger.dir() / ("targets-" + kind + ".txt");
  std::ofstream out(path);
  for (uint64_t i = 0; i < 1000; ++i) {
    const uint64_t seq = 1 + (i * 7919) % (size - 1);
    if (kind == "units") out << "/v1/units/" << units[i % units.size()] << "\t\n";
    if (kind == "entries") out << "/v1/entries/" << seq << "\t\n";
    if (kind == "inclusion") out << "/v1/proofs/inclusion?index=" << seq << "&size=" << size << "\t\n";
    if (kind == "consistency") out << "/v1/proofs/consistency?from=" << seq << "&to=" << size << "\t\n";
    if (kind == "quotas") {
      const std::string t = "/v1/campaigns/2017/quotas";
      out << t << "\t" << pl::client::ReadAuthorization("GET", t, s.ledger.Id("miit"), pl::SystemClock().Now()) << "\n";
      break;
    }
  }
  return path;
}

int Reads(int seconds, const std::string& pg_conninfo) {
  Setup s;
  if (!StartSystems(s, pg_conninfo)) return 1;
  auto c = std::move(*pl::client::LedgerClient::Connect(s.server->url()));
  const std::vector<std::string> units = pl::testing::TitledUnits(s.ledger, *c, 1000);
  // A log of some size for the proofs and entries, loaded as fast as it goes (not measured).
  const std::string load = Presign(s, 30000);
  uint64_t rows = 0;
  b::RunWrk(s.server->url(), "wrk_append.lua", 64, 60, {{"PILOT_BODIES", load}, {"PILOT_COUNT", "30000"}});
  if (s.pg) b::RunWrk(s.pg->url(), "wrk_append.lua", 64, 60, {{"PILOT_BODIES", load}, {"PILOT_COUNT", "30000"}});
  const uint64_t size = Size(*s.server);
  if (s.pg) rows = PgRows(*s.pg, 30000);
  constexpr int kReaders = 8;
  const auto read = [&](const b::Listener& target, const std::string& system, const std::string& kind, bool loaded) {
    const std::string targets = Targets(s, kind, units, system == "PostgreSQL" ? rows : size);
    std::string appends;
    int fd = -1;
    pid_t load_pid = -1;
    if (loaded) {  // full-rate appends from a second wrk meanwhile
      appends = Presign(s, size_t(12000) * size_t(seconds));  // under reads, appends run below their peak
      setenv("PILOT_BODIES", appends.c_str(), 1);
      setenv("PILOT_THREADS", "1", 1);
      setenv("PILOT_OFFSET", "0", 1);
      setenv("PILOT_COUNT", "-1", 1);  // the whole file (the loading run above set a count)
      load_pid = pl::testing::Spawn({"/usr/bin/wrk", "-t1", "-c64", "-d" + std::to_string(seconds) + "s", "--timeout", "30s", "-s",
                                     std::string(PILOT_SOURCE_DIR) + "/bench/wrk_append.lua", target.url()},
                                    fd, true);
    }
    const uint64_t before = system == "PostgreSQL" ? rows : Size(target);
    b::WrkResult w = b::RunWrk(target.url(), "wrk_get.lua", kReaders, seconds, {{"PILOT_TARGETS", targets}});
    std::string note = "wrk -c" + std::to_string(kReaders);
    if (loaded) {
      waitpid(load_pid, nullptr, 0);
      close(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      const uint64_t after = system == "PostgreSQL" ? PgRows(target, rows) : Size(target);
      if (system == "PostgreSQL") rows = after;
      note += "; meanwhile " + b::Fixed(double(after - before) / seconds) + " appends/s from wrk -c64";
      std::filesystem::remove(appends);
    }
    if (!w.ok) return;
    if (w.errors() > 0) note += "; " + b::Fixed(w.errors()) + " errors";
    b::PrintResult(std::string("c. reads ") + (loaded ? "under full-rate appends" : "alone") + ": " + kind, system, kReaders,
                   w.fields["requests"] / w.seconds(), w.latency(), note);
  };
  for (bool loaded : {false, true}) {
    for (const char* kind : {"units", "quotas", "entries", "inclusion", "consistency"}) read(*s.server, "PilotLedger", kind, loaded);
    if (s.pg) read(*s.pg, "PostgreSQL", "entries", loaded);
  }
  b::PrintValue("PilotLedger peak resident memory (reads)", b::ProcStatusKb(s.server->pid(), "VmHWM") / 1024, "MiB",
                std::to_string(Size(*s.server)) + " entries, 1,000 units");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: ledger_bench appends|joint|reads [--seconds S] [--pg CONNINFO] [--snapshot-interval N]\n"), 2;
  const std::string scenario = argv[1];
  int seconds = 10;
  std::string pg;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--pg")) pg = argv[i + 1];
    if (!std::strcmp(argv[i], "--snapshot-interval")) g_server_args = {"--snapshot-interval", argv[i + 1]};
  }
  if (scenario == "appends") return Appends(seconds, pg);
  if (scenario == "reads") return Reads(seconds, pg);
  if (scenario == "joint") return Joint(seconds, pg);
  return std::fprintf(stderr, "unknown scenario %s\n", scenario.c_str()), 2;
}
