// Signed notes and checkpoints (C2SP signed-note, tlog-checkpoint) and the keys that sign them:
// none of the parsers throws; each refuses with invalid_argument and a well-formed message; what
// they accept is canonical: a parsed checkpoint's text is the first three lines of the input, a
// parsed verifier or signer key re-encodes to the input; a note opens only with a valid signature
// by the ledger key, and a checkpoint signed by the ledger key opens to itself.
#include "fuzz/fuzz_util.h"
#include "fuzz/world.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  const std::string_view text = AsText(data, size);
  const World& w = TheWorld();
  const note::Verifier ledger = [&] {
    Result<note::Verifier> v = note::ParseVerifierKey(w.verifier_key);
    FUZZ_CHECK(v.ok(), "the world's verifier key");
    return *v;
  }();
  const auto refused = [](const Status& s) {
    CheckError(s);
    FUZZ_CHECK(s.code() == Code::kInvalidArgument, s.ToString());
  };

  Result<note::OpenedNote> opened = Status(Code::kInternal, "not run");
  NoThrow("note::Open", [&] { opened = note::Open(text, {ledger}); });
  if (opened.ok()) {
    FUZZ_CHECK(!opened->verified.empty() && opened->text.back() == '\n', "an opened note without a verified signature");
    FUZZ_CHECK(text.substr(0, opened->text.size()) == opened->text, "the opened text is not the note's");
  } else {
    refused(opened.status());
  }

  Result<Checkpoint> verified = Status(Code::kInternal, "not run");
  NoThrow("VerifyCheckpoint", [&] { verified = VerifyCheckpoint(text, ledger); });
  if (verified.ok()) {
    FUZZ_CHECK(opened.ok() && verified->origin == ledger.name, "a checkpoint verified without an opened note");
  } else {
    refused(verified.status());
  }

  Result<Checkpoint> cp = Status(Code::kInternal, "not run");
  NoThrow("ParseCheckpointText", [&] { cp = ParseCheckpointText(text); });
  if (cp.ok()) {
    const std::string again = CheckpointText(*cp);
    FUZZ_CHECK(text.substr(0, again.size()) == again, "the checkpoint text is not canonical: " + again);
    Result<Checkpoint> back = ParseCheckpointText(again);
    FUZZ_CHECK(back.ok() && *back == *cp, "the checkpoint does not round-trip");
    if (note::IsValidName(cp->origin) && cp->origin == ledger.name) {
      Result<Checkpoint> signed_back = VerifyCheckpoint(SignCheckpoint(*cp, w.ledger_key), ledger);
      FUZZ_CHECK(signed_back.ok() && *signed_back == *cp, "a checkpoint signed by the ledger key does not verify");
    }
  } else {
    refused(cp.status());
  }

  Result<note::Verifier> vkey = Status(Code::kInternal, "not run");
  NoThrow("ParseVerifierKey", [&] { vkey = note::ParseVerifierKey(text); });
  if (vkey.ok()) {
    FUZZ_CHECK(note::VerifierKeyString(vkey->name, vkey->key) == text, "a verifier key that is not canonical");
  } else {
    refused(vkey.status());
  }

  Result<note::Signer> skey = Status(Code::kInternal, "not run");
  NoThrow("ParseSignerKey", [&] { skey = note::ParseSignerKey(text); });
  if (skey.ok()) {
    FUZZ_CHECK(note::SignerKeyString(skey->name, skey->key) == text, "a signer key that is not canonical");
  } else {
    refused(skey.status());
  }
  return 0;
}
