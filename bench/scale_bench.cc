// bench/run's scale scenarios (docs/performance.md) on a large log built offline: (d) proofs,
// (f) replay and cold start, (g) resident memory.
//
//   scale_bench --entries N [--units U] [--actors A] [--memory-only] [--keep DIR] [--skip full-open,replay,reverify,start,load]
//               [--replay-threads N] [--replay-batch B]  (server::Replay's parsers and batch size; default: one per core, 1,000)
//
// Builds the log directly through the ledger library (ledger::Log::Append in groups of 1,000, not
// over HTTP), with a workload shaped like the domain's: `pilotledgerd init`, the 2017 campaign, U
// units granted 1,000 per event (historical titles, three ministries' signatures), A experts
// registered (single signature; ~10^3 actors in all, as a real ledger has), then annual
// assessments (assessment.recorded: the three ministries' joint decision on a titled unit, small
// state per entry) round-robin over the units up to N entries, signed on both cores. Every event
// is admitted by the rules as it is built (projections::CheckContent and Apply on a state of its
// own; the signatures are the three ministries' by construction), so the log is one the server
// would have accepted. Then measures, with the log closed and reopened each time:
//   - opening the log with its verification (every leaf against its tree node: what serve does);
//   - 1,000 inclusion and 1,000 consistency proofs at size N: time and store reads (Get, Scan) each;
//   - replay from genesis without re-verifying (the server's path: ParseStoredEntryLeaf and
//     projections::ApplyStored) and with every signature re-verified (ParseEntryLeaf, Apply);
//   - `pilotledgerd serve` cold start without a snapshot and after a clean stop (with one):
//     time to listening, and its resident memory.
// --memory-only: only the build and the cold start without a snapshot (bench/run's extra size for
// the memory growth per 10^5 units).
// --keep DIR: the built ledger is kept in DIR/data, and a later run with the same DIR measures it
// again without building (the 10^7 build takes ~11 minutes); the snapshot a clean stop wrote is
// removed before the start without one. --skip full-open,replay,reverify,start,load leaves out those
// measurements (reverify: only the replay that re-verifies signatures)
// (the full open takes ~5.5 minutes at 10^7).
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include "bench/bench_util.h"
#include "client/http_client.h"
#include "ledger/log.h"
#include "projections/apply.h"
#include "projections/bodies.h"
#include "projections/check.h"
#include "projections/snapshot.h"
#include "projections/uscc.h"
#include "server/ledger_service.h"
#include "server/snapshots.h"

namespace pl = pilotledger;
namespace b = pilotledger::bench;

namespace {

double Since(b::SteadyClock::time_point t0) { return std::chrono::duration<double>(b::SteadyClock::now() - t0).count(); }

// Signs the annual assessments [from, to) on two threads: entry i assesses unit (i % units) + 1.
std::vector<pl::SignedEvent> Assessments(const pl::testing::TestLedger& ledger, uint64_t from, uint64_t to, uint64_t units) {
  std::vector<pl::SignedEvent> events(to - from);
  const auto work = [&](size_t first, size_t step) {
    for (size_t i = first; i < events.size(); i += step) {
      const uint64_t k = from + i;
      events[i] = ledger.Event("assess-" + std::to_string(k), "assessment.recorded",
                               {{"campaign", "2017"}, {"unit_id", pl::testing::Uscc("110101", int(k % units + 1))}, {"passed", true},
                                {"note", "合格"}},
                               pl::testing::kMinistries);
    }
  };
  std::thread other(work, 1, 2);
  work(0, 2);
  other.join();
  return events;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 100000, units = 10000, experts = 1000;
  bool memory_only = false;
  std::string keep, skip;
  pl::server::ReplayOptions replay_options;  // --replay-threads N --replay-batch B: the pipeline's shape
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--memory-only")) memory_only = true;
    if (i + 1 == argc) break;
    if (!std::strcmp(argv[i], "--keep")) keep = argv[i + 1];
    if (!std::strcmp(argv[i], "--skip")) skip = "," + std::string(argv[i + 1]) + ",";
    if (!std::strcmp(argv[i], "--entries")) n = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--units")) units = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--actors")) experts = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--replay-threads")) replay_options.threads = unsigned(std::stoul(argv[i + 1]));
    if (!std::strcmp(argv[i], "--replay-batch")) replay_options.batch = std::stoull(argv[i + 1]);
  }
  const std::string at = " at " + std::to_string(n) + " entries";
  pl::testing::TestLedger ledger;
  if (ledger.init_status() != 0) return std::fprintf(stderr, "init: %s\n", ledger.init_output().c_str()), 1;
  const auto skipped = [&](const char* what) { return skip.find("," + std::string(what) + ",") != std::string::npos; };
  const bool reuse = !keep.empty() && std::filesystem::exists(keep + "/data/db");
  const std::string data = reuse ? keep + "/data" : ledger.data_dir();
  const pl::PrivateKey key = *pl::PrivateKey::LoadPem(pl::server::LedgerKeyPath(data));

  // --- Build (not timed as a result).
  const auto build0 = b::SteadyClock::now();
  if (reuse) {
    auto store = *pl::ledger::OpenRocksStore(pl::server::LedgerDbPath(data), {});
    auto log = *pl::ledger::Log::Open(*store, key, pl::ledger::OpenCheck::kBorder);
    if (log->size() != n) return std::fprintf(stderr, "scale_bench: %s holds %llu entries, not %llu\n", keep.c_str(), (unsigned long long)log->size(), (unsigned long long)n), 1;
    std::fprintf(stderr, "scale_bench: measuring the ledger kept in %s (%llu entries)\n", keep.c_str(), (unsigned long long)n);
  } else {
    auto store = *pl::ledger::OpenRocksStore(pl::server::LedgerDbPath(data), {});
    auto log = *pl::ledger::Log::Open(*store, key);
    std::vector<pl::SignedEvent> head = {ledger.Event("open-2017", "campaign.opened",
                                                      {{"campaign", "2017"}, {"rules", pl::testing::CampaignRules("2017")}},
                                                      pl::testing::kMinistries)};
    for (uint64_t first = 1; first <= units; first += 1000) {
      pl::Json list = pl::Json::array();
      for (uint64_t u = first; u < first + 1000 && u <= units; ++u) {
        list.push_back({{"id", pl::testing::Uscc("110101", int(u))}, {"name", "测试企业" + std::to_string(u)}, {"category", "enterprise"},
                        {"subtype", "product"}, {"region", "110101"}, {"authority", "110000"}});
      }
      head.push_back(ledger.Event("grant-" + std::to_string(first), "title.granted", {{"campaign", "2017"}, {"units", list}},
                                  pl::testing::kMinistries));
    }
    for (uint64_t x = 0; x < experts; ++x) {
      const std::string actor = "expert-" + std::to_string(x);
      head.push_back(ledger.Event("reg-" + actor, "actor.registered",
                                  pl::testing::TestLedger::Descriptor({actor, "expert", "", "", ""}, *pl::PrivateKey::Generate()), {"miit"}));
    }
    // The builder's own state: every event must pass the rules (CheckContent) before it is appended.
    pl::projections::State state;
    {
      pl::Entry genesis = *pl::ParseEntryLeaf((*log->ReadLeaves(0, 1))[0]);
      if (pl::Status st = pl::projections::Apply(state, genesis); !st.ok()) return std::fprintf(stderr, "genesis: %s\n", st.ToString().c_str()), 1;
    }
    const auto append = [&](std::vector<pl::SignedEvent>& events) {
      for (size_t i = 0; i < events.size(); i += 1000) {
        std::vector<pl::Entry> group;
        for (size_t j = i; j < std::min(events.size(), i + 1000); ++j) {
          group.push_back({log->size() + group.size(), pl::SystemClock().Now(), std::move(events[j])});
          pl::projections::Body body;
          pl::Status st = pl::projections::CheckContent(state, group.back().signed_event, group.back().received, &body);
          if (st.ok()) st = pl::projections::Apply(state, group.back(), &body);
          if (!st.ok()) return std::fprintf(stderr, "refused: %s: %s\n", group.back().signed_event.id.c_str(), st.ToString().c_str()), false;
        }
        pl::Result<std::vector<pl::ledger::AppendedLeaf>> r = log->Append(group);
        if (!r.ok()) return std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str()), false;
      }
      return true;
    };
    if (!append(head)) return 1;
    for (uint64_t from = log->size(); from < n; from += 100000) {
      std::vector<pl::SignedEvent> filler = Assessments(ledger, from, std::min(n, from + 100000), units);
      if (!append(filler)) return 1;
    }
  }
  if (!reuse) {
    std::fprintf(stderr, "scale_bench: built %llu entries with %llu units and %llu experts in %.0f s\n", (unsigned long long)n,
                 (unsigned long long)units, (unsigned long long)experts, Since(build0));
  }
  if (!reuse && !keep.empty()) {
    std::filesystem::create_directories(keep);
    std::filesystem::rename(data, keep + "/data");
    std::filesystem::create_directories(data);  // the temporary directory's cleanup expects it
  }
  const std::string dir = keep.empty() ? data : keep + "/data";

  // --- Opening with verification; proofs and their store reads.
  if (!memory_only && !skipped("full-open")) {
    auto store = *pl::ledger::OpenRocksStore(pl::server::LedgerDbPath(dir), {});
    const auto t0 = b::SteadyClock::now();
    auto log = *pl::ledger::Log::Open(*store, key, pl::ledger::OpenCheck::kFull);
    const double open = Since(t0);
    b::PrintValue("f. opening the log with its verification" + at, open, "s", b::Fixed(double(n) / open) + " entries/s");
  }
  if (!memory_only) {
    auto rocks = *pl::ledger::OpenRocksStore(pl::server::LedgerDbPath(dir), {});
    pl::testing::FaultyStore store(*rocks);  // counts the reads (Get and Scan calls)
    const auto t0 = b::SteadyClock::now();
    auto log = *pl::ledger::Log::Open(store, key, pl::ledger::OpenCheck::kBorder);
    const double open = Since(t0);
    b::PrintValue("f. opening the log as serve does (checkpoint, tree border, node cache)" + at, open * 1e3, "ms",
                  std::to_string(store.reads()) + " store reads");
    std::mt19937_64 rng(1);
    for (const char* kind : {"inclusion", "consistency"}) {
      std::vector<double> ms;
      uint64_t reads = 0;
      for (int i = 0; i < 1000; ++i) {
        const uint64_t m = 1 + rng() % (n - 1);
        const int r0 = store.reads();
        const auto p0 = b::SteadyClock::now();
        const bool ok = std::strcmp(kind, "inclusion") == 0 ? log->InclusionProof(m, n).ok() : log->ConsistencyProof(m, n).ok();
        ms.push_back(Since(p0) * 1e3);
        reads += uint64_t(store.reads() - r0);
        if (!ok) return std::fprintf(stderr, "%s proof failed\n", kind), 1;
      }
      b::PrintResult(std::string("d. ") + kind + " proof, in process" + at, "PilotLedger", 1, 1000.0 / (std::accumulate(ms.begin(), ms.end(), 0.0) / 1e3),
                     b::FromSamples(ms), b::Fixed(double(reads) / 1000, 1) + " store reads per proof; 1,000 proofs at random indices");
    }
  }
  // --- Replay from genesis, without and with re-verifying every signature.
  for (bool verify : {false, true}) {
    if (memory_only || skipped("replay")) break;
    if (verify && skipped("reverify")) break;
    auto store = *pl::ledger::OpenRocksStore(pl::server::LedgerDbPath(dir), {});
    auto log = *pl::ledger::Log::Open(*store, key, /*verify=*/false);
    pl::projections::State state;
    const auto t0 = b::SteadyClock::now();
    const double cpu0 = b::CpuSeconds(getpid());  // all threads': on a shared host, steadier than the wall clock
    uint64_t bad = 0, checked = 0;
    // Re-verifying runs at one signature check per signature (three per assessment) on one core:
    // its rate is what matters, taken over the first 100,000 entries at most (the whole log at
    // 10^6 would hold the machine for minutes).
    const uint64_t until = verify ? std::min<uint64_t>(n, 100000) : n;
    // Without re-verification: the server's own replay (server::Replay, what a start without a
    // snapshot runs: leaves read and parsed on every core, applied in order, the tree's root
    // checked; ParseStoredEntryLeaf, ParseBody as stored, no curve-point check of registered keys).
    // Re-verifying is the auditor's full parse (ParseEntryLeaf: canonical re-encoding too).
    pl::Status st = verify ? pl::Status::Ok() : pl::server::Replay(*log, state, until, replay_options);
    for (uint64_t from = 0; verify && st.ok() && from < until; from += 1000) {
      const std::vector<std::string> leaves = *log->ReadLeaves(from, 1000);
      for (const std::string& leaf : leaves) {
        pl::Entry entry = *pl::ParseEntryLeaf(leaf);
        const std::string input = pl::SigningInput(entry.signed_event.canonical);
        for (const pl::Signature& s : entry.signed_event.sigs) {
          const auto a = std::as_const(state.actors).find(s.signer);
          if (a == state.actors.end() || !a->second.key.Verify(input, s.sig)) ++bad;
          ++checked;
        }
        if (st = pl::projections::Apply(state, entry); !st.ok()) break;
      }
    }
    if (!st.ok()) return std::fprintf(stderr, "replay: %s\n", st.ToString().c_str()), 1;
    const double s = Since(t0), cpu = b::CpuSeconds(getpid()) - cpu0;
    b::PrintValue(std::string("f. replay from genesis, ") + (verify ? "re-verifying every signature" : "without re-verification") + at,
                  double(until) / s, "entries/s", b::Fixed(s, 2) + " s for " + std::to_string(until) + " entries; " + std::to_string(state.units.size()) + " units, " + std::to_string(state.actors.size()) + " actors; " +
                                                   b::Fixed(cpu * 1e6 / double(until), 2) + " us of CPU per entry" +
                                                   (verify ? "; " + b::Fixed(double(checked) / s) + " signatures/s" : "") + (bad ? "; " + std::to_string(bad) + " signatures failed" : ""));
  }
  // --- Cold start of the server: without a snapshot, then after a clean stop (which writes one).
  for (const char* phase : {"without a snapshot", "from the snapshot of a clean stop"}) {
    if (memory_only && std::strcmp(phase, "without a snapshot") != 0) break;
    if (skipped("start")) break;
    if (std::strcmp(phase, "without a snapshot") == 0) {  // a kept ledger's from an earlier run
      auto store = *pl::ledger::OpenRocksStore(pl::server::LedgerDbPath(dir), {});
      pl::ledger::WriteBatch batch;
      batch.Delete(pl::server::kSnapshotKey);
      batch.Delete(pl::server::kSnapshotSigKey);
      if (const pl::Status st = store->Write(batch, true); !st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
    }
    const auto t0 = b::SteadyClock::now();
    auto server = b::Listener::Start({pl::testing::Bin("pilotledgerd"), "serve", "--data", dir, "--listen", "127.0.0.1:0", "--log-requests",
                                      "false"},
                                     ledger.dir() / "server.log");
    if (!server) return 1;
    const double s = Since(t0);
    // --memory-only's size is the same as the smallest of the full runs: its start would read as theirs.
    if (!memory_only) {
      b::PrintValue(std::string("f. cold start of pilotledgerd serve, ") + phase + at, s, "s",
                    "to listening; then " + b::Fixed(b::ProcStatusKb(server->pid(), "VmRSS") / 1024) + " MiB resident, peak " +
                        b::Fixed(b::ProcStatusKb(server->pid(), "VmHWM") / 1024) + " MiB");
    }
    b::PrintValue(std::string("g. resident memory after the cold start ") + phase + at + ", " + std::to_string(units) + " units",
                  b::ProcStatusKb(server->pid(), "VmRSS") / 1024, "MiB", "peak " + b::Fixed(b::ProcStatusKb(server->pid(), "VmHWM") / 1024) + " MiB");
    // The log check runs in the background once the server listens (it reads every leaf, bypassing
    // the block cache): the resident memory again once it has passed (pilotledger_log_check 1).
    if (!memory_only) {
      auto client = pl::client::HttpClient::Create(server->url());
      bool passed = false;
      for (const auto until = b::SteadyClock::now() + std::chrono::minutes(30); client.ok() && !passed && b::SteadyClock::now() < until;) {
        const auto metrics = (*client)->Request("GET", "/metrics");
        passed = metrics.ok() && metrics->body.find("\npilotledger_log_check 1\n") != std::string::npos;
        if (!passed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (!passed) return std::fprintf(stderr, "the background log check did not pass\n"), 1;
      b::PrintValue(std::string("g. resident memory once the log check has passed, ") + phase + at + ", " + std::to_string(units) + " units",
                    b::ProcStatusKb(server->pid(), "VmRSS") / 1024, "MiB",
                    "peak " + b::Fixed(b::ProcStatusKb(server->pid(), "VmHWM") / 1024) + " MiB; " + b::Fixed(Since(t0), 1) + " s after the start");
    }
    server->Stop(SIGTERM);
    // What the server said about its snapshot (used, not used, not written), for the record.
    std::ifstream log(ledger.dir() / "server.log");
    for (std::string line; std::getline(log, line);) {
      if (line.find("snapshot") != std::string::npos) std::fprintf(stderr, "scale_bench: server: %s\n", line.c_str());
    }
  }
  // --- The start from the snapshot, in process and in parts: what a start from it spends besides
  // the process and the log's open (the snapshot the clean stop above wrote, or a kept one).
  if (!memory_only && !skipped("load")) {
    auto store = *pl::ledger::OpenRocksStore(pl::server::LedgerDbPath(data), {});
    const auto t0 = b::SteadyClock::now();
    const auto value = *store->GetLarge(pl::server::kSnapshotKey);
    const double get = Since(t0);
    if (value) {
      const std::string_view bytes = value->bytes();
      const auto t1 = b::SteadyClock::now();
      (void)pl::Sha256(bytes);
      const double hash = Since(t1);
      const auto t2 = b::SteadyClock::now();
      const bool decoded = pl::projections::StateFromBinary(bytes, pl::projections::Source::kStored).ok();
      const double decode = Since(t2);  // with the state's destruction excluded: it is freed below
      const auto t3 = b::SteadyClock::now();
      const auto loaded = pl::server::LoadSnapshot(*store, key.public_key());
      const double load = Since(t3);
      if (!decoded || !loaded.ok() || !loaded->state) return std::fprintf(stderr, "scale_bench: the snapshot does not load\n"), 1;
      b::PrintValue("f. loading the snapshot in process (LoadSnapshot)" + at, load, "s",
                    b::Fixed(double(bytes.size()) / (1 << 20)) + " MiB; apart: read " + b::Fixed(get, 3) + " s, SHA-256 " + b::Fixed(hash, 3) +
                        " s, decoding " + b::Fixed(decode, 3) + " s");
    }
  }
  return 0;
}
