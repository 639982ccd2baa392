// Following the ledger key's rotations (PROTOCOL.md §11) from a key the reader already trusts.
#include "client/verifier.h"
#include "projections/key_rotation.h"

namespace pilotledger::client {

Result<std::vector<std::string>> FollowKeyRotations(LedgerSource& source, std::vector<std::string> chain) {
  const auto bad = [](const std::string& what) { return Status(Code::kDataLoss, what); };
  Result<Json> listed = source.GetJson("/v1/ledger-keys");
  if (!listed.ok()) {
    // A server from before rotations: its checkpoint must then verify with the key trusted so far.
    if (listed.status().code() == Code::kNotFound) return chain;
    return listed.status();
  }
  if (!listed->is_object() || !(*listed)["keys"].is_array()) return bad("the served /v1/ledger-keys is malformed");
  const Json& keys = (*listed)["keys"];
  size_t at = keys.size();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].is_object() && keys[i].value("key", "") == chain.back()) at = i;
  }
  // Not this ledger's key (a wrong --ledger-key, or another ledger): nothing to follow; the
  // checkpoint's signature check then says so, as it does for a server without rotations.
  if (at == keys.size()) return chain;
  for (size_t i = at + 1; i < keys.size(); ++i) {
    const Json& k = keys[i];
    if (!k.is_object() || !k.contains("rotated_at") || !k["rotated_at"].is_number_integer() || k["rotated_at"].get<int64_t>() < 0 || !k["key"].is_string()) {
      return bad("the served /v1/ledger-keys is malformed at key " + std::to_string(i));
    }
    const uint64_t seq = k["rotated_at"];
    const std::string where = "entry " + std::to_string(seq);
    PL_ASSIGN_OR_RETURN(Json page, source.Entries(seq, 1));
    if (!page.contains("entries") || !page["entries"].is_array() || page["entries"].empty()) {
      return bad("the server served no " + where + " (a key rotation it lists)");
    }
    Result<Entry> entry = EntryFromJson(page["entries"][0]);
    if (!entry.ok() || entry->seq != seq) return bad(where + " (a key rotation the server lists) is malformed or served as another seq");
    Result<std::string> next = projections::CheckKeyRotation(entry->signed_event, chain.back());
    if (!next.ok()) return bad(where + ": the key rotation is refused: " + next.status().message());
    if (*next != k["key"].get<std::string>()) return bad(where + ": the key rotation names another key than /v1/ledger-keys lists");
    chain.push_back(*next);
  }
  return chain;
}

}  // namespace pilotledger::client
