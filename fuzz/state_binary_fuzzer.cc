// The binary state (projections/state_binary.cc), the server's snapshot, read by
// `pilotledgerd rebuild` as it is, authentic or not: the reader never throws, never reads past
// its input and refuses with kDataLoss; a state it accepts encodes to bytes that read back as
// the same state (encode ∘ decode is stable).
#include "fuzz/fuzz_util.h"
#include "projections/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  using namespace pilotledger::projections;
  Result<State> state = Status(Code::kInternal, "not run");
  NoThrow("StateFromBinary", [&] { state = StateFromBinary(AsText(data, size)); });
  if (!state.ok()) {
    CheckError(state.status());
    FUZZ_CHECK(state.status().code() == Code::kDataLoss, state.status().ToString());
    return 0;
  }
  const std::string bytes = StateToBinary(*state);
  Result<State> again = StateFromBinary(bytes);
  FUZZ_CHECK(again.ok(), "an accepted state does not read back: " + again.status().ToString());
  FUZZ_CHECK(StateToBinary(*again) == bytes, "an accepted state reads back as another");
  FUZZ_CHECK(WriteCanonical(StateToJson(*again)) == WriteCanonical(StateToJson(*state)), "the JSON forms differ");
  return 0;
}
