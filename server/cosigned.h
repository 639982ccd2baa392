#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pilotledger::server {

// The checkpoint the server publishes (GET /v1/checkpoint, /tlog/checkpoint, the stream) once
// witnesses are configured: the log's signed checkpoint of the last completed witnessing round with
// the cosignature lines that round collected (server/witness_client.h). Thread-safe.
class WitnessedCheckpoint {
 public:
  // Sets the published note to `note` (the log's signed note) followed by `cosignatures` (each a
  // "— name base64\n" line).
  void Publish(const std::string& note, const std::vector<std::string>& cosignatures) {
    std::string out = note;
    for (const std::string& line : cosignatures) out += line;
    auto published = std::make_shared<const std::string>(std::move(out));
    std::lock_guard lock(mu_);
    note_ = std::move(published);
  }
  // Null until the first round completes (then the log's own checkpoint is served).
  std::shared_ptr<const std::string> Get() const {
    std::lock_guard lock(mu_);
    return note_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const std::string> note_;  // guarded by mu_
};

}  // namespace pilotledger::server
