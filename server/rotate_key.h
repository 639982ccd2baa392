#pragma once

#include <optional>
#include <string>

#include "ledger/crypto.h"
#include "ledger/store.h"
#include "ledger/timestamp.h"

// The ledger key's rotation (pilotledgerd rotate-key, docs/storage.md "Key rotation").
namespace pilotledger::server {

// DIR/ledger-key.pem.new: the new key while a rotation is under way.
std::string NewLedgerKeyPath(const std::string& data_dir);
// Refuses a ledger key file that group or others can read (kForbidden, with the chmod to run).
Status CheckKeyFileMode(const std::string& path);

// After a rotation interrupted by a crash, at open (the store opened, so nobody else holds it):
// if ledger-key.pem.new exists and the stored checkpoint verifies with it and not with `current`
// (DIR/ledger-key.pem), the rotation entry was committed: the old key is kept as
// ledger-key.pem.retired-<size - 1> and .new becomes ledger-key.pem; returns the new key. If the
// checkpoint verifies with `current`, the rotation never happened: .new is removed; nullopt.
// Errors: kDataLoss when neither key verifies it (left to Log::Open to report), storage errors.
Result<std::optional<PrivateKey>> FinishKeyRotation(const std::string& data_dir, const ledger::Store& store,
                                                    const PrivateKey& current);

struct RotateKeyReport {
  std::string old_key, new_key;  // verifier keys
  uint64_t seq = 0;              // of the ledger.key_rotated entry
};
// Rotates the ledger key of the stopped ledger in `data_dir`: a new key in ledger-key.pem.new,
// the signed ledger.key_rotated entry appended with a checkpoint signed by the new key, then the
// new key file in place (the old one retired). Errors: kUnavailable while a server holds the
// ledger; kForbidden (key file mode); kDataLoss; storage errors.
Result<RotateKeyReport> RotateKey(const std::string& data_dir, const Clock& clock);

}  // namespace pilotledger::server
