// Proof bundles (pilotctl proof / verify-bundle, client/bundle.h): the input is a bundle file.
// VerifyProofBundle never throws; it refuses with invalid_argument or data_loss and a well-formed
// message; a bundle it accepts names an entry below the signed tree's size, of a known type, whose
// signatures (when checked) all verified. So that inputs get past the checkpoint's signature, a
// checkpoint whose text names the world's origin is re-signed with the world's ledger key.
#include "client/bundle.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/world.h"
#include "ledger/checkpoint.h"
#include "ledger/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  Result<Json> bundle = ParseStrictJson(AsText(data, size));
  if (!bundle.ok()) return 0;
  const World& w = TheWorld();
  if (bundle->is_object() && bundle->contains("checkpoint") && (*bundle)["checkpoint"].is_string()) {
    const std::string note = (*bundle)["checkpoint"].get<std::string>();
    const std::string body = note.substr(0, note.find("\n\n") + 1);
    Result<Checkpoint> cp = ParseCheckpointText(body);
    if (cp.ok() && cp->origin == w.origin && CheckpointText(*cp) == body) (*bundle)["checkpoint"] = SignCheckpoint(*cp, w.ledger_key);
  }
  Result<note::Verifier> key = note::ParseVerifierKey(w.verifier_key);
  FUZZ_CHECK(key.ok(), "the world's verifier key");
  Result<client::BundleReport> r = Status(Code::kInternal, "not run");
  NoThrow("VerifyProofBundle", [&] { r = client::VerifyProofBundle(*bundle, *key); });
  if (!r.ok()) {
    CheckError(r.status());
    FUZZ_CHECK(r.status().code() == Code::kInvalidArgument || r.status().code() == Code::kDataLoss, r.status().ToString());
    return 0;
  }
  FUZZ_CHECK(r->seq < r->tree_size, "an entry at or beyond the tree's size");
  FUZZ_CHECK(FindEventType(r->type) != nullptr, "an entry of an unknown type: " + r->type);
  FUZZ_CHECK(!r->signatures_checked || r->signatures == r->sig_count, "signatures checked but not all verified");
  FUZZ_CHECK(r->redacted || !r->received.empty(), "a full entry without its received time");
  return 0;
}
