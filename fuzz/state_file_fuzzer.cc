// pilotctl's state files: the watcher's (--state, client/watch_state.h) and the auditor's verify
// state (client/verifier.cc: the last verified checkpoint, the tree's compact range and the
// replayed projections). Neither reader throws, whatever the file holds. A watch state it accepts
// re-encodes to the same state. A verify state is read by VerifyLedger against the world's log
// (served in memory): it is refused with a well-formed error, or the verification that follows
// from it ends at the world's size and root (a state file can make the verifier refuse, never
// accept another log).
#include <unistd.h>

#include <fstream>

#include "client/verifier.h"
#include "client/watch_state.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/world.h"
#include "ledger/encoding.h"

namespace pilotledger::fuzz {
namespace {

// The world's log as a server would serve it to an auditor.
class WorldSource final : public client::LedgerSource {
 public:
  explicit WorldSource(const World& w) : w_(w) {}
  Result<std::string> SignedCheckpoint() override { return w_.SignedCheckpoint(w_.entries.size()); }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) override {
    if (from == 0 || from > to || to > w_.entries.size()) return Status(Code::kInvalidArgument, "bad consistency range");
    return w_.Consistency(from, to);
  }
  Result<Json> Entries(uint64_t from, uint64_t limit) override {
    Json page = {{"entries", Json::array()}};
    for (uint64_t i = from; i < w_.entries.size() && i < from + limit; ++i) page["entries"].push_back(w_.EntryJson(i));
    return page;
  }
  Result<Json> GetJson(const std::string&) override { return Status(Code::kNotFound, "not served"); }

 private:
  const World& w_;
};

std::string StatePath() {
  static const std::string path = [] {
    char dir[] = "/tmp/pilot-fuzz-state-XXXXXX";
    FUZZ_CHECK(mkdtemp(dir) != nullptr, "mkdtemp");
    return std::string(dir) + "/verify-state.json";
  }();
  return path;
}

}  // namespace
}  // namespace pilotledger::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  const std::string_view text = AsText(data, size);

  Result<client::WatchState> watch = Status(Code::kInternal, "not run");
  NoThrow("ParseWatchState", [&] { watch = client::ParseWatchState(text); });
  if (watch.ok()) {
    Result<client::WatchState> again = client::ParseWatchState(client::WatchStateText(*watch));
    FUZZ_CHECK(again.ok() && again->next == watch->next && again->checkpoint == watch->checkpoint && again->ledger_key == watch->ledger_key,
               "a watch state that does not round-trip");
  } else {
    CheckError(watch.status());
  }

  const World& w = TheWorld();
  const std::string path = StatePath();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  WorldSource source(w);
  client::VerifyOptions options;
  options.ledger_key = w.verifier_key;
  options.state_file = path;
  options.compare_projections = false;
  Result<client::VerifyReport> report = Status(Code::kInternal, "not run");
  NoThrow("VerifyLedger", [&] { report = client::VerifyLedger(source, options); });
  if (report.ok()) {
    FUZZ_CHECK(report->size == w.entries.size() && report->root == HashBase64(w.Root(w.entries.size())),
               "verification from a state file ended elsewhere than the world's log");
  } else {
    CheckError(report.status());
  }
  return 0;
}
