#include "ledger/note.h"

#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/utf8.h"
#include "tests/test_util.h"

namespace pilotledger::note {
namespace {

using nlohmann::json;

const json& Vectors() {
  static const json v = testing::TestData("signed_note_vectors.json");
  return v;
}

std::vector<Verifier> Known(const json& keys) {
  std::vector<Verifier> out;
  for (const auto& k : keys) {
    Result<Verifier> v = ParseVerifierKey(k.get<std::string>());
    EXPECT_TRUE(v.ok()) << k;
    if (v.ok()) out.push_back(*v);
  }
  return out;
}

TEST(NoteTest, VerifierKeysParseExactlyWhenValidAndRoundTrip) {
  for (const auto& v : Vectors()["verifier_keys"]) {
    Result<Verifier> parsed = ParseVerifierKey(v["vkey"].get<std::string>());
    EXPECT_EQ(parsed.ok(), v["expect_valid"].get<bool>()) << v["vkey"];
    if (parsed.ok()) {
      EXPECT_EQ(VerifierKeyString(parsed->name, parsed->key), v["vkey"]);
    }
  }
  for (const auto& bad : Vectors()["invalid_verifier_keys"]) {
    EXPECT_FALSE(ParseVerifierKey(bad.get<std::string>()).ok()) << bad;
  }
}

// Found by fuzzing (fuzz/corpus/note/regress-upper-case-key-id): a key id in upper case was
// accepted, so that one key had two spellings that compare unequal as strings.
TEST(NoteTest, AKeyIdInUpperCaseIsRefused) {
  const std::string key = "example.com/foo+530D903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
  Result<Verifier> v = ParseVerifierKey(key);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("the key id \"530D903a\" is not 8 lower-case hex digits"), std::string::npos) << v.status().message();
}

// Found by fuzzing (fuzz/corpus/note/regress-*): the refusal quoted the key's bytes raw.
TEST(NoteTest, AMalformedVerifierKeyIsQuotedAsValidUtf8) {
  for (const std::string key : {"PeterNeumann\xff+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                                "example.com+c74f\xff" "0a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "a\x1b[2J+b+c"}) {
    Result<Verifier> v = ParseVerifierKey(key);
    ASSERT_FALSE(v.ok()) << key;
    EXPECT_TRUE(IsValidUtf8(v.status().message())) << v.status().message();
    EXPECT_EQ(v.status().message().find('\x1b'), std::string::npos) << v.status().message();
  }
}

TEST(NoteTest, SigningReproducesTheVectorNotesByteForByte) {
  for (const auto& s : Vectors()["signers"]) {
    ASSERT_OK_AND_ASSIGN(Signer signer, ParseSignerKey(s["skey"].get<std::string>()));
    EXPECT_EQ(signer.name, s["name"]);
    EXPECT_EQ(VerifierKeyString(signer.name, signer.key.public_key()), s["vkey"]);
    EXPECT_EQ(SignerKeyString(signer.name, signer.key), s["skey"]);
    for (const auto& t : s["sign_tests"]) {
      EXPECT_EQ(Sign(t["text"].get<std::string>(), signer.name, signer.key), t["expected_note"]);
    }
  }
}

TEST(NoteTest, OpenFollowsSumdbNoteSemantics) {
  for (const auto& v : Vectors()["notes"]) {
    Result<OpenedNote> opened = Open(v["note"].get<std::string>(), Known(v["verifier_keys"]));
    EXPECT_EQ(opened.ok(), v["expect_valid"].get<bool>()) << v["id"] << ": " << opened.status().ToString();
    if (v.contains("expect_error")) {
      EXPECT_EQ(opened.status().message(), v["expect_error"]) << v["id"];
    }
    if (!opened.ok()) continue;
    if (v.contains("expect_verified_count")) {
      EXPECT_EQ(opened->verified.size(), v["expect_verified_count"]) << v["id"];
    }
    if (v.contains("expect_unverified_count")) {
      EXPECT_EQ(opened->unverified.size(), v["expect_unverified_count"]) << v["id"];
    }
    if (v.contains("expect_checkpoint")) {
      ASSERT_OK_AND_ASSIGN(Checkpoint c, ParseCheckpointText(opened->text));
      EXPECT_EQ(c.origin, v["expect_checkpoint"]["origin"]);
      EXPECT_EQ(c.size, v["expect_checkpoint"]["tree_size"]);
      EXPECT_EQ(HashHex(c.root), v["expect_checkpoint"]["root"]);
    }
  }
  for (const auto& v : Vectors()["invalid_utf8_notes_hex"]) {
    EXPECT_FALSE(Open(*HexDecode(v["note_hex"].get<std::string>()), Known(v["verifier_keys"])).ok()) << v["id"];
  }
}

TEST(NoteTest, CheckpointSignedByLedgerKeyVerifiesAndRejectsOtherOrigins) {
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate());
  const Checkpoint c{"pilotledger.example/log", 42, Sha256("root")};
  const std::string signed_note = SignCheckpoint(c, key);
  EXPECT_EQ(signed_note.substr(0, CheckpointText(c).size()), CheckpointText(c));
  ASSERT_OK_AND_ASSIGN(Verifier v, ParseVerifierKey(VerifierKeyString(c.origin, key.public_key())));
  ASSERT_OK_AND_ASSIGN(Checkpoint back, VerifyCheckpoint(signed_note, v));
  EXPECT_EQ(back, c);

  // Same key, other name: a checkpoint whose origin is not the key name is refused.
  const Checkpoint other{"other.example/log", 42, c.root};
  ASSERT_OK_AND_ASSIGN(Verifier v2, ParseVerifierKey(VerifierKeyString("other.example/log", key.public_key())));
  EXPECT_TRUE(VerifyCheckpoint(SignCheckpoint(other, key), v2).ok());
  EXPECT_FALSE(VerifyCheckpoint(SignCheckpoint(other, key), v).ok());

  std::string tampered = signed_note;
  tampered[tampered.find("\n42\n") + 2] = '3';
  EXPECT_FALSE(VerifyCheckpoint(tampered, v).ok());
}

TEST(NoteTest, CheckpointTextParsing) {
  EXPECT_FALSE(ParseCheckpointText("o\n01\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n-1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQ=\n").ok());
  EXPECT_FALSE(ParseCheckpointText("\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=").ok());
  ASSERT_OK_AND_ASSIGN(Checkpoint c, ParseCheckpointText("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n"));
  EXPECT_EQ(c.size, 0u);
}

}  // namespace
}  // namespace pilotledger::note
