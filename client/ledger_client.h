#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/http_client.h"
#include "ledger/canonical_json.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/note.h"

namespace pilotledger::client {

// An actor's signing identity: its id and private key.
struct Identity {
  std::string actor;
  PrivateKey key;
};

// Adds `who`'s signature over the event's signing input (PROTOCOL.md §2).
void AddSignature(SignedEvent& event, const Identity& who);
// The `Authorization: PilotLedger-Sig …` value for a read of METHOD target at `now`.
std::string ReadAuthorization(const std::string& method, const std::string& target, const Identity& who, Timestamp now);

struct AppendReceipt {
  uint64_t seq = 0;
  Hash leaf_hash{};
  std::string received;
  bool created = false;  // 201; false for an idempotent repeat (200)
};

// The PilotLedger HTTP API as typed calls (docs/api.md). Not thread-safe: one per thread.
// Errors: the server's error (code, message, details) as a Status; kUnavailable for the network.
class LedgerClient {
 public:
  static Result<std::unique_ptr<LedgerClient>> Connect(const std::string& base_url, ClientOptions options = {});

  // Authenticates reads as `reader` from now on (PilotLedger-Sig header).
  void SetReader(std::optional<Identity> reader) { reader_ = std::move(reader); }

  Result<AppendReceipt> Append(const SignedEvent& event);
  Result<AppendReceipt> AppendRaw(const std::string& body);

  // {"entries":[…],"next":M}: entries as JSON (full or redacted).
  Result<Json> Entries(uint64_t from, uint64_t limit);
  Result<Json> Entry(uint64_t seq);
  Result<std::string> SignedCheckpoint();
  Result<std::string> LedgerKey();
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size);
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to);

  // Any GET answering JSON, e.g. "/v1/units/91…" or "/v1/campaigns/2023/quotas".
  Result<Json> GetJson(const std::string& target);
  // Any request; the raw answer.
  Result<HttpResult> Raw(const std::string& method, const std::string& target, const std::string& body = "");

  HttpClient& http() { return *http_; }
  Result<std::unique_ptr<WebSocket>> OpenStream(const std::string& target);

 private:
  explicit LedgerClient(std::unique_ptr<HttpClient> http) : http_(std::move(http)) {}
  Headers AuthHeaders(const std::string& method, const std::string& target) const;

  std::unique_ptr<HttpClient> http_;
  std::optional<Identity> reader_;
};

// The Status an error answer carries ({"error":{"code","message","details"}}).
Status StatusFromError(const HttpResult& result);

}  // namespace pilotledger::client
