#include "projections/key_rotation.h"

#include "ledger/note.h"
#include "projections/bodies.h"

namespace pilotledger::projections {

Result<SignedEvent> MakeKeyRotation(uint64_t n, Timestamp time, const std::string& origin, const PrivateKey& old_key,
                                    const PrivateKey& new_key) {
  const Json body = {{"old_key", note::VerifierKeyString(origin, old_key.public_key())},
                     {"new_key", note::VerifierKeyString(origin, new_key.public_key())}};
  PL_ASSIGN_OR_RETURN(SignedEvent event, MakeEvent("key-rotation-" + std::to_string(n), std::string(kKeyRotatedType), time, body));
  const std::string input = SigningInput(event.canonical);
  event.sigs.push_back({std::string(kKeyRotationOldSigner), old_key.Sign(input), std::nullopt});
  event.sigs.push_back({std::string(kKeyRotationNewSigner), new_key.Sign(input), std::nullopt});
  return event;
}

Result<std::string> CheckKeyRotation(const SignedEvent& event, const std::string& trusted_key) {
  const auto bad = [](const std::string& what) { return Status(Code::kDataLoss, what); };
  if (event.type != kKeyRotatedType) return bad("it is not a ledger.key_rotated entry but " + event.type);
  Result<Body> parsed = ParseBody(EventType::kKeyRotated, event.body());
  if (!parsed.ok()) return bad("its body is malformed: " + parsed.status().message());
  const KeyRotated& b = std::get<KeyRotated>(parsed->value);
  if (b.old_key != trusted_key) return bad("its old_key " + b.old_key + " is not the trusted ledger key " + trusted_key);
  Result<note::Verifier> old_v = note::ParseVerifierKey(b.old_key);
  Result<note::Verifier> new_v = note::ParseVerifierKey(b.new_key);
  if (!old_v.ok() || !new_v.ok()) return bad("its old_key or new_key is not a verifier key");
  if (new_v->name != old_v->name) return bad("its new_key names " + new_v->name + ", not the origin " + old_v->name);
  const std::string input = SigningInput(event.canonical);
  bool old_signed = false, new_signed = false;
  for (const Signature& sig : event.sigs) {
    if (sig.signer == kKeyRotationOldSigner && old_v->key.Verify(input, sig.sig)) {
      old_signed = true;
    } else if (sig.signer == kKeyRotationNewSigner && new_v->key.Verify(input, sig.sig)) {
      new_signed = true;
    } else {
      return bad("its signature by " + sig.signer + " is not a valid signature of the old or the new key");
    }
  }
  if (!old_signed) return bad("it is not signed by the old key (ledger-key-old)");
  if (!new_signed) return bad("it is not signed by the new key (ledger-key-new)");
  return b.new_key;
}

}  // namespace pilotledger::projections
