#include "server/rotate_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "ledger/checkpoint.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "projections/key_rotation.h"
#include "server/ledger_service.h"
#include "server/snapshots.h"

namespace pilotledger::server {
namespace {

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status(Code::kInternal, "cannot open " + dir);
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : Status(Code::kInternal, "cannot sync " + dir);
}

bool SignedBy(const std::string& checkpoint, const std::string& origin, const PrivateKey& key) {
  Result<note::Verifier> v = note::ParseVerifierKey(note::VerifierKeyString(origin, key.public_key()));
  return v.ok() && VerifyCheckpoint(checkpoint, *v).ok();
}

// Step 3: the old key kept as .retired-<seq>, .new in place of ledger-key.pem, the directory
// synced. Idempotent, so that a crash anywhere in it is finished by the next open.
Status Install(const std::string& data_dir, uint64_t rotation_seq) {
  const std::string key = LedgerKeyPath(data_dir);
  const std::string retired = key + ".retired-" + std::to_string(rotation_seq);
  std::error_code ec;
  if (!std::filesystem::exists(retired, ec) && ::link(key.c_str(), retired.c_str()) != 0) {
    return Status(Code::kInternal, "cannot keep the old ledger key as " + retired);
  }
  if (::rename(NewLedgerKeyPath(data_dir).c_str(), key.c_str()) != 0) {
    return Status(Code::kInternal, "cannot move the new ledger key into " + key);
  }
  return SyncDir(data_dir);
}

}  // namespace

std::string NewLedgerKeyPath(const std::string& data_dir) { return LedgerKeyPath(data_dir) + ".new"; }

Status CheckKeyFileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return Status(Code::kForbidden, "the ledger key " + path + " is readable by group or others (mode " + mode +
                                        "); make it private with: chmod 600 " + path);
  }
  return Status::Ok();
}

Result<std::optional<PrivateKey>> FinishKeyRotation(const std::string& data_dir, const ledger::Store& store,
                                                    const PrivateKey& current) {
  const std::string new_path = NewLedgerKeyPath(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(new_path, ec)) return std::optional<PrivateKey>();
  PL_ASSIGN_OR_RETURN(std::string checkpoint, ledger::Log::StoredCheckpoint(store));
  PL_ASSIGN_OR_RETURN(Checkpoint text, ParseCheckpointText(checkpoint.substr(0, checkpoint.find("\n\n") + 1)));
  if (SignedBy(checkpoint, text.origin, current)) {
    // The rotation entry was never committed (or .new is a torn write): forget the new key.
    if (::unlink(new_path.c_str()) != 0) return Status(Code::kInternal, "cannot remove " + new_path);
    PL_RETURN_IF_ERROR(SyncDir(data_dir));
    std::fprintf(stderr, "pilotledgerd: an interrupted key rotation had not committed; removed %s\n", new_path.c_str());
    return std::optional<PrivateKey>();
  }
  PL_RETURN_IF_ERROR(CheckKeyFileMode(new_path));
  Result<PrivateKey> next = PrivateKey::LoadPem(new_path);
  if (!next.ok() || !SignedBy(checkpoint, text.origin, *next)) {
    return Status(Code::kDataLoss, "the stored checkpoint verifies with neither the ledger key nor " + new_path);
  }
  PL_RETURN_IF_ERROR(Install(data_dir, text.size - 1));
  std::fprintf(stderr, "pilotledgerd: finished the interrupted key rotation at entry %llu\n",
               static_cast<unsigned long long>(text.size - 1));
  return std::optional<PrivateKey>(std::move(*next));
}

Result<RotateKeyReport> RotateKey(const std::string& data_dir, const Clock& clock) {
  const std::string key_path = LedgerKeyPath(data_dir);
  PL_RETURN_IF_ERROR(CheckKeyFileMode(key_path));
  Result<PrivateKey> old_key = PrivateKey::LoadPem(key_path);
  if (!old_key.ok()) {
    if (old_key.status().code() == Code::kNotFound) return Status(Code::kNotFound, "no ledger in " + data_dir);
    return old_key.status();
  }
  // RocksDB's lock: refused while a server (or another rotate-key) holds the ledger.
  Result<std::unique_ptr<ledger::Store>> store = ledger::OpenRocksStore(LedgerDbPath(data_dir), {});
  if (!store.ok()) {
    if (store.status().code() == Code::kUnavailable) {
      return Status(Code::kUnavailable, "the ledger in " + data_dir + " is in use (stop pilotledgerd serve first): " +
                                            store.status().message());
    }
    return store.status();
  }
  PL_ASSIGN_OR_RETURN(std::optional<PrivateKey> finished, FinishKeyRotation(data_dir, **store, *old_key));
  if (finished) old_key = std::move(*finished);
  PL_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Log> log, ledger::Log::Open(**store, *old_key));
  // The projection snapshot is signed by the ledger key: set it aside (durably) before the key
  // changes, and store it again signed by the new key at the end. A crash in between leaves no
  // snapshot, so the next start replays the log.
  PL_ASSIGN_OR_RETURN(StoredSnapshot snapshot, LoadSnapshot(**store, old_key->public_key()));
  {
    ledger::WriteBatch batch;
    batch.Delete(kSnapshotKey);
    batch.Delete(kSnapshotSigKey);
    PL_RETURN_IF_ERROR((*store)->Write(batch, /*sync=*/true));
  }

  // (1) The new key, durable before anything refers to it.
  PL_ASSIGN_OR_RETURN(PrivateKey new_key, PrivateKey::Generate());
  PL_RETURN_IF_ERROR(new_key.SavePem(NewLedgerKeyPath(data_dir)));
  PL_RETURN_IF_ERROR(SyncDir(data_dir));

  // (2) The entry, with the first checkpoint signed by the new key, in one synced write.
  uint64_t n = 1;
  for (;; ++n) {
    PL_ASSIGN_OR_RETURN(auto id, log->FindId("key-rotation-" + std::to_string(n)));
    if (!id) break;
  }
  const Timestamp now = std::max(clock.Now(), log->last_received());
  PL_ASSIGN_OR_RETURN(SignedEvent event, projections::MakeKeyRotation(n, now, log->origin(), *old_key, new_key));
  RotateKeyReport report{log->verifier_key(), note::VerifierKeyString(log->origin(), new_key.public_key()), log->size()};
  PL_RETURN_IF_ERROR(log->AppendRotation(Entry{report.seq, now, std::move(event)}, new_key).status());
  // Test hook (tests/e2e/rotate_key_e2e_test.cc): a crash between steps 2 and 3.
  if (std::getenv("PILOTLEDGER_TEST_CRASH_AFTER_ROTATION_APPEND")) std::_Exit(86);

  // (3) The new key file in place.
  PL_RETURN_IF_ERROR(Install(data_dir, report.seq));
  if (snapshot.state) {
    PL_RETURN_IF_ERROR(Replay(*log, *snapshot.state, log->size()));
    PL_RETURN_IF_ERROR(WriteSnapshot(**store, *snapshot.state, new_key));
  }
  return report;
}

}  // namespace pilotledger::server
