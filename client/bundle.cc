#include "client/bundle.h"

#include "client/verifier.h"
#include "ledger/checkpoint.h"
#include "ledger/event.h"
#include "ledger/merkle.h"

namespace pilotledger::client {
namespace {

// The signer's key as the registration entry `reg` (genesis or actor.registered) records it.
Result<PublicKey> RegisteredKey(const Json& reg, const std::string& signer) {
  Result<Entry> e = EntryFromJson(reg);
  if (!e.ok()) return Status(Code::kDataLoss, "the registration of " + signer + " is malformed: " + e.status().message());
  const Json& body = e->body();
  if (e->type() == kGenesisType) {
    const Json authorities = body.contains("authorities") && body["authorities"].is_array() ? body["authorities"] : Json::array();
    for (const Json& d : authorities) {
      if (d.is_object() && d.contains("actor") && d["actor"] == signer && d.contains("public_key") && d["public_key"].is_string()) {
        return PublicKey::FromBase64(d["public_key"].get<std::string>());
      }
    }
  } else if (e->type() == "actor.registered" && body.contains("actor") && body["actor"] == signer && body.contains("public_key") &&
             body["public_key"].is_string()) {
    return PublicKey::FromBase64(body["public_key"].get<std::string>());
  }
  return Status(Code::kDataLoss, "the entry given as the registration of " + signer + " does not register it");
}

// Checks every signature of the bundle's entry with the keys its signers' registration entries
// (proven in the same signed tree `cp`) record; returns how many verified.
Result<size_t> CheckSignatures(const Json& b, const Entry& e, const Checkpoint& cp) {
  const std::string input = SigningInput(e.signed_event.canonical);
  size_t verified = 0;
  for (const Signature& sig : e.signed_event.sigs) {
    const Json* reg = nullptr;
    for (const Json& s : b["signers"]) {
      if (s.is_object() && s.contains("actor") && s["actor"] == sig.signer) reg = &s;
    }
    if (!reg || !reg->contains("entry") || !reg->contains("inclusion")) {
      return Status(Code::kDataLoss, "the bundle lacks the registration of signer " + sig.signer);
    }
    const Json& re = (*reg)["entry"];
    Result<Entry> parsed = EntryFromJson(re);
    if (!parsed.ok()) return Status(Code::kDataLoss, "the registration of " + sig.signer + " is malformed: " + parsed.status().message());
    PL_RETURN_IF_ERROR(CheckInclusionProof((*reg)["inclusion"], parsed->seq, merkle::HashLeaf(WriteCanonical(re)), cp,
                                           "the registration of " + sig.signer));
    PL_ASSIGN_OR_RETURN(PublicKey k, RegisteredKey(re, sig.signer));
    if (!k.Verify(input, sig.sig)) return Status(Code::kDataLoss, "the signature of " + sig.signer + " does not verify with its registered key");
    ++verified;
  }
  return verified;
}

}  // namespace

Result<BundleReport> VerifyProofBundle(const Json& b, const note::Verifier& key) {
  PL_ASSIGN_OR_RETURN(Json entry, CheckProofBundle(b, key));
  BundleReport r;
  r.entry = entry;
  // CheckProofBundle checked the checkpoint, the entry and the inclusion proof's shape.
  PL_ASSIGN_OR_RETURN(Checkpoint cp, VerifyCheckpoint(b["checkpoint"].get<std::string>(), key));
  r.tree_size = cp.size;
  r.redacted = entry.value("redacted", false);
  if (r.redacted) {
    r.seq = entry["seq"].get<uint64_t>();
    r.type = entry["type"].get<std::string>();
    return r;
  }
  PL_ASSIGN_OR_RETURN(Entry e, EntryFromJson(entry));
  r.seq = e.seq;
  r.type = e.type();
  r.id = e.signed_event.id;
  r.received = entry["received"].get<std::string>();
  r.sig_count = e.signed_event.sigs.size();
  if (b.contains("signers") && b["signers"].is_array()) {
    PL_ASSIGN_OR_RETURN(r.signatures, CheckSignatures(b, e, cp));
    r.signatures_checked = true;
  }
  return r;
}

}  // namespace pilotledger::client
