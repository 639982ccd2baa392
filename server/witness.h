#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "ledger/store.h"
#include "ledger/timestamp.h"
#include "server/api.h"

// A C2SP tlog-witness (`pilotledgerd witness`): add-checkpoint and the monitor retrieval of the last
// cosigned checkpoint, transport-free (HttpRequest in, HttpResponse out). Its state is one RocksDB
// key per origin, checked and replaced under one lock with a synced write.
namespace pilotledger::server {

// The witness directory's layout: db/ (RocksDB), witness-key.pem (0600), witness-name.
std::string WitnessDbPath(const std::string& dir);
std::string WitnessKeyPath(const std::string& dir);
std::string WitnessNamePath(const std::string& dir);

class Witness {
 public:
  // Creates a witness key named `name` in `dir` (which must not hold one) and its empty store.
  // Returns its verifier key (C2SP tlog-cosignature, type 0x04). Errors: kInvalidArgument.
  static Result<std::string> Init(const std::string& dir, const std::string& name);
  // Opens the witness in `dir` for the logs whose checkpoint keys are `logs` (their names are their
  // origins). Errors: kNotFound (no witness), kUnavailable (locked by another process).
  static Result<std::unique_ptr<Witness>> Open(const std::string& dir, std::vector<note::Verifier> logs, const Clock& clock);

  // POST /add-checkpoint and GET /<hex SHA-256 of origin>/checkpoint. Thread-safe.
  HttpResponse Handle(const HttpRequest& request);
  const std::string& verifier_key() const { return verifier_key_; }

 private:
  Witness(std::unique_ptr<ledger::Store> store, cosig::Signer signer, std::vector<note::Verifier> logs, const Clock& clock);
  HttpResponse AddCheckpoint(const std::string& body);

  std::unique_ptr<ledger::Store> store_;
  const cosig::Signer signer_;
  const std::string verifier_key_;
  const std::vector<note::Verifier> logs_;
  const Clock& clock_;
  std::mutex mu_;  // held from reading an origin's state to writing the new one
};

}  // namespace pilotledger::server
