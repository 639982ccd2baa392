#pragma once

#include <string>

#include "ledger/status.h"

namespace pilotledger::server {

// `pilotledgerd rebuild`: verifies the log in `data_dir`, replays it from genesis and compares the
// stored snapshot with the replay at the snapshot's size; with `write`, stores a fresh snapshot.
// Returns the report. Errors: kDataLoss (with the report) naming the first difference; storage
// errors.
Result<std::string> Rebuild(const std::string& data_dir, bool write);

}  // namespace pilotledger::server
