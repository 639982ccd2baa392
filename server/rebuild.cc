#include "server/rebuild.h"

#include "ledger/log.h"
#include "projections/snapshot.h"
#include "server/ledger_service.h"
#include "server/rotate_key.h"
#include "server/snapshots.h"

namespace pilotledger::server {
namespace {

// The path of the first place where `a` and `b` differ ("units[3].titles.2017.revoked"), or "".
std::string FirstDifference(const Json& a, const Json& b, const std::string& path) {
  if (a.type() != b.type()) return path.empty() ? "(root)" : path;
  if (a.is_object()) {
    for (const auto& [k, v] : a.items()) {
      const std::string p = path.empty() ? k : path + "." + k;
      if (!b.contains(k)) return p;
      if (std::string d = FirstDifference(v, b[k], p); !d.empty()) return d;
    }
    for (const auto& [k, v] : b.items()) {
      if (!a.contains(k)) return path.empty() ? k : path + "." + k;
    }
    return "";
  }
  if (a.is_array()) {
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (std::string d = FirstDifference(a[i], b[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
    }
    return a.size() == b.size() ? "" : path + ".length";
  }
  return a == b ? "" : path;
}

}  // namespace

Result<std::string> Rebuild(const std::string& data_dir, bool write) {
  PL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::LoadPem(LedgerKeyPath(data_dir)));
  Result<std::unique_ptr<ledger::Store>> store = ledger::OpenRocksStore(LedgerDbPath(data_dir), {});
  if (!store.ok()) return Status(store.status().code(), store.status().message() + " (is pilotledgerd serve running on it?)");
  PL_ASSIGN_OR_RETURN(std::optional<PrivateKey> rotated, FinishKeyRotation(data_dir, **store, key));
  if (rotated) key = std::move(*rotated);
  PL_ASSIGN_OR_RETURN(auto log, ledger::Log::Open(**store, key));
  Result<std::optional<projections::State>> stored = LoadSnapshotUnchecked(**store);
  std::string report = "verified the log: " + std::to_string(log->size()) + " entries, tree and checkpoint agree\n";
  const Result<StoredSnapshot> checked = LoadSnapshot(**store, key.public_key());
  projections::State replayed;
  Status difference;
  if (!stored.ok()) {
    difference = Status(Code::kDataLoss, "the stored snapshot is unreadable: " + stored.status().message());
  } else if (!*stored) {
    report += "no stored snapshot to compare\n";
  } else if ((*stored)->size > log->size()) {
    difference = Status(Code::kDataLoss, "the stored snapshot reflects " + std::to_string((*stored)->size) + " entries, more than the log holds");
  } else {
    PL_RETURN_IF_ERROR(Replay(*log, replayed, (*stored)->size));
    const Json expected = projections::StateToJson(replayed), actual = projections::StateToJson(**stored);
    const std::string path = FirstDifference(expected, actual, "");
    if (!path.empty()) {
      difference = Status(Code::kDataLoss, "the stored snapshot at " + std::to_string(replayed.size) +
                                               " entries differs from a replay from genesis, first at " + path);
    } else {
      report += "the stored snapshot (" + std::to_string(replayed.size) + " entries) equals a replay from genesis\n";
    }
  }
  if (!checked.ok()) {
    difference = Status(Code::kDataLoss, checked.status().message() + (difference.ok() ? "" : "\n" + difference.message()));
  }
  PL_RETURN_IF_ERROR(Replay(*log, replayed, log->size()));
  if (write) {
    PL_RETURN_IF_ERROR(WriteSnapshot(**store, replayed, key));
    report += "wrote a new snapshot of all " + std::to_string(replayed.size) + " entries\n";
  }
  if (!difference.ok()) return Status(difference.code(), report + difference.message());
  return report;
}

}  // namespace pilotledger::server
