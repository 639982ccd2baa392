#include "client/ledger_client.h"

#include "ledger/encoding.h"

namespace pilotledger::client {
namespace {

Code CodeFromName(const std::string& name) {
  for (int c = 0; c <= static_cast<int>(Code::kUpgradeRequired); ++c) {
    if (name == CodeName(static_cast<Code>(c))) return static_cast<Code>(c);
  }
  return Code::kInternal;
}

Result<std::vector<Hash>> ParseHashes(const Json& j) {
  if (!j.is_object() || !j.contains("hashes") || !j["hashes"].is_array()) {
    return Status(Code::kInvalidArgument, "the proof answer has no hashes");
  }
  std::vector<Hash> out;
  for (const Json& h : j["hashes"]) {
    if (!h.is_string()) return Status(Code::kInvalidArgument, "a proof hash is not a string");
    PL_ASSIGN_OR_RETURN(Hash hash, HashFromBase64(h.get<std::string>()));
    out.push_back(hash);
  }
  return out;
}

}  // namespace

void AddSignature(SignedEvent& event, const Identity& who) {
  event.sigs.push_back({who.actor, who.key.Sign(SigningInput(event.canonical)), std::nullopt});
}

std::string ReadAuthorization(const std::string& method, const std::string& target, const Identity& who, Timestamp now) {
  const std::string time = FormatRfc3339Seconds(now);
  const std::string sig = who.key.Sign("pilotledger:read:v1\n" + method + " " + target + "\n" + time);
  return "PilotLedger-Sig actor=" + who.actor + ",time=" + time + ",sig=" + Base64Encode(sig);
}

Status StatusFromError(const HttpResult& r) {
  Result<Json> j = ParseStrictJson(r.body);
  if (j.ok() && j->is_object() && j->contains("error") && (*j)["error"].is_object()) {
    const Json& e = (*j)["error"];
    return Status(CodeFromName(e.value("code", "")), e.value("message", ""), e.value("details", Json::object()));
  }
  return Status(Code::kInternal, "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200));
}

Result<std::unique_ptr<LedgerClient>> LedgerClient::Connect(const std::string& base_url, ClientOptions options) {
  PL_ASSIGN_OR_RETURN(auto http, HttpClient::Create(base_url, std::move(options)));
  return std::unique_ptr<LedgerClient>(new LedgerClient(std::move(http)));
}

Headers LedgerClient::AuthHeaders(const std::string& method, const std::string& target) const {
  if (!reader_) return {};
  SystemClock clock;
  return {{"Authorization", ReadAuthorization(method, target, *reader_, clock.Now())}};
}

Result<HttpResult> LedgerClient::Raw(const std::string& method, const std::string& target, const std::string& body) {
  return http_->Request(method, target, body, AuthHeaders(method, target));
}

Result<AppendReceipt> LedgerClient::AppendRaw(const std::string& body) {
  PL_ASSIGN_OR_RETURN(HttpResult r, http_->Request("POST", "/v1/entries", body));
  if (r.status != 200 && r.status != 201) return StatusFromError(r);
  PL_ASSIGN_OR_RETURN(Json j, ParseStrictJson(r.body));
  AppendReceipt receipt;
  receipt.seq = j.value("seq", uint64_t{0});
  receipt.received = j.value("received", "");
  receipt.created = r.status == 201;
  PL_ASSIGN_OR_RETURN(receipt.leaf_hash, HashFromBase64(j.value("leaf_hash", "")));
  return receipt;
}

Result<AppendReceipt> LedgerClient::Append(const SignedEvent& event) {
  return AppendRaw(WriteCanonical(SubmissionJson(event)));
}

Result<Json> LedgerClient::GetJson(const std::string& target) {
  PL_ASSIGN_OR_RETURN(HttpResult r, Raw("GET", target));
  if (r.status != 200) return StatusFromError(r);
  return ParseStrictJson(r.body);
}

Result<Json> LedgerClient::Entries(uint64_t from, uint64_t limit) {
  return GetJson("/v1/entries?from=" + std::to_string(from) + "&limit=" + std::to_string(limit));
}

Result<Json> LedgerClient::Entry(uint64_t seq) { return GetJson("/v1/entries/" + std::to_string(seq)); }

Result<std::string> LedgerClient::SignedCheckpoint() {
  PL_ASSIGN_OR_RETURN(HttpResult r, Raw("GET", "/v1/checkpoint"));
  if (r.status != 200) return StatusFromError(r);
  return r.body;
}

Result<std::string> LedgerClient::LedgerKey() {
  PL_ASSIGN_OR_RETURN(HttpResult r, Raw("GET", "/v1/ledger-key"));
  if (r.status != 200) return StatusFromError(r);
  std::string key = r.body;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

Result<std::vector<Hash>> LedgerClient::InclusionProof(uint64_t index, uint64_t size) {
  PL_ASSIGN_OR_RETURN(Json j, GetJson("/v1/proofs/inclusion?index=" + std::to_string(index) + "&size=" + std::to_string(size)));
  return ParseHashes(j);
}

Result<std::vector<Hash>> LedgerClient::ConsistencyProof(uint64_t from, uint64_t to) {
  PL_ASSIGN_OR_RETURN(Json j, GetJson("/v1/proofs/consistency?from=" + std::to_string(from) + "&to=" + std::to_string(to)));
  return ParseHashes(j);
}

Result<std::unique_ptr<WebSocket>> LedgerClient::OpenStream(const std::string& target) {
  return http_->OpenWebSocket(target, AuthHeaders("GET", target));
}

}  // namespace pilotledger::client
