#include "ledger/event.h"

#include "ledger/encoding.h"
#include "tests/test_util.h"

namespace pilotledger {
namespace {

std::string Envelope(const std::string& event, const std::string& sigs) {
  return "{\"event\":" + event + ",\"sigs\":" + sigs + "}";
}
const std::string kEvent =
    R"({"v":1,"id":"e-1","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":{"unit_id":"x","score":90,"campaign":"2023"}})";
const std::string kSig = "[{\"signer\":\"expert-1\",\"sig\":\"" + Base64Encode(std::string(64, 'x')) + "\"}]";

Status Check(const std::string& text) { return ParseSubmission(text).status(); }

TEST(EventTest, ParsesAValidSubmissionAndCanonicalises) {
  ASSERT_OK_AND_ASSIGN(SignedEvent e, ParseSubmission(Envelope(kEvent, kSig)));
  EXPECT_EQ(e.id, "e-1");
  EXPECT_EQ(e.type, "score.recorded");
  EXPECT_EQ(e.canonical,
            R"({"body":{"campaign":"2023","score":90,"unit_id":"x"},"id":"e-1","time":"2023-10-15T08:00:00Z","type":"score.recorded","v":1})");
  EXPECT_EQ(SigningInput(e.canonical), "pilotledger:event:v1\n" + e.canonical);
  ASSERT_EQ(e.sigs.size(), 1u);
  EXPECT_EQ(e.sigs[0].sig, std::string(64, 'x'));
}

TEST(EventTest, EnvelopeErrorsNameTheField) {
  struct Case {
    std::string text;
    Code code;
    std::string field;
  };
  const std::string ok_sig = kSig;
  const Case cases[] = {
      {"{", Code::kMalformedJson, ""},
      {"[]", Code::kSchemaViolation, ""},
      {Envelope(kEvent, ok_sig).insert(1, "\"x\":1,"), Code::kSchemaViolation, "x"},
      {"{\"event\":" + kEvent + "}", Code::kSchemaViolation, "sigs"},
      {Envelope(R"({"v":2,"id":"e","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":{}})", ok_sig), Code::kSchemaViolation, "event.v"},
      {Envelope(R"({"v":1,"id":"e e","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":{}})", ok_sig), Code::kSchemaViolation, "event.id"},
      {Envelope(R"({"v":1,"id":"","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":{}})", ok_sig), Code::kSchemaViolation, "event.id"},
      {Envelope(R"({"v":1,"id":")" + std::string(65, 'a') + R"(","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":{}})", ok_sig), Code::kSchemaViolation, "event.id"},
      {Envelope(R"({"v":1,"id":"e","type":"score.invented","time":"2023-10-15T08:00:00Z","body":{}})", ok_sig), Code::kSchemaViolation, "event.type"},
      {Envelope(R"({"v":1,"id":"e","type":"score.recorded","time":"2023-10-15T08:00:00+08:00","body":{}})", ok_sig), Code::kSchemaViolation, "event.time"},
      {Envelope(R"({"v":1,"id":"e","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":[]})", ok_sig), Code::kSchemaViolation, "event.body"},
      {Envelope(R"({"v":1,"id":"e","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":{},"extra":1})", ok_sig), Code::kSchemaViolation, "event.extra"},
      {Envelope(kEvent, "[]"), Code::kSchemaViolation, "sigs"},
      {Envelope(kEvent, R"([{"signer":"a","sig":"AAAA"}])"), Code::kSchemaViolation, "sigs[0].sig"},
      {Envelope(kEvent, R"([{"signer":"a b","sig":"AAAA"}])"), Code::kSchemaViolation, "sigs[0].signer"},
      {Envelope(kEvent, "[" + ok_sig.substr(1, ok_sig.size() - 2) + "," + ok_sig.substr(1)), Code::kSchemaViolation, "sigs[1].signer"},
      {Envelope(R"({"v":1,"id":"e","type":"score.recorded","time":"2023-10-15T08:00:00Z","body":{"score":1.5}})", ok_sig), Code::kSchemaViolation, ""},
  };
  for (const Case& c : cases) {
    const Status s = Check(c.text);
    EXPECT_EQ(s.code(), c.code) << c.text << " -> " << s.ToString();
    if (!c.field.empty()) {
      EXPECT_EQ(s.details().value("field", ""), c.field) << c.text;
    }
  }
}

TEST(EventTest, EntryLeafIsCanonicalAndParsesBack) {
  ASSERT_OK_AND_ASSIGN(SignedEvent e, ParseSubmission(Envelope(kEvent, kSig)));
  ASSERT_OK_AND_ASSIGN(Timestamp received, ParseRfc3339("2023-10-15T08:00:00.123Z"));
  const Entry entry{7, received, e};
  const std::string leaf = EntryLeaf(entry);
  ASSERT_OK_AND_ASSIGN(Json j, ParseStrictJson(leaf));
  EXPECT_EQ(WriteCanonical(j), leaf);
  EXPECT_EQ(j["received"], "2023-10-15T08:00:00.123Z");
  EXPECT_EQ(j["seq"], 7);
  ASSERT_OK_AND_ASSIGN(Entry back, ParseEntryLeaf(leaf));
  EXPECT_EQ(EntryLeaf(back), leaf);
  EXPECT_EQ(ParseEntryLeaf("{").status().code(), Code::kDataLoss);
}

// The replay's reader of stored leaves gives exactly the entry ParseEntryLeaf gives: the same
// canonical bytes, fields and signatures, for a body that itself holds "received", escapes and
// non-ASCII text, for two signatures and for the genesis entry's none; and whatever is not a leaf
// as EntryLeaf writes it gets ParseEntryLeaf's error.
TEST(EventTest, StoredLeavesParseAsTheFullParserParsesThem) {
  const std::string two_sigs = "[{\"signer\":\"b-2\",\"sig\":\"" + Base64Encode(std::string(64, 'y')) + "\"}," + kSig.substr(1);
  const std::vector<std::pair<std::string, std::string>> submissions = {
      {kEvent, kSig},
      {R"({"v":1,"id":"e:2","type":"objection.filed","time":"2023-10-15T08:00:00Z","body":{"summary":"a \"quoted\" \\ 引号\n,\"received\":\"x","received":"2023-10-15T08:00:00.000Z","n":[1,{"seq":2}]}})",
       two_sigs},
  };
  for (const auto& [event, sigs] : submissions) {
    ASSERT_OK_AND_ASSIGN(SignedEvent e, ParseSubmission(Envelope(event, sigs)));
    for (const uint64_t seq : {uint64_t(0), uint64_t(12345678901234)}) {
      const std::string leaf = EntryLeaf({seq, Timestamp{1697356800123}, e});
      ASSERT_OK_AND_ASSIGN(Entry full, ParseEntryLeaf(leaf));
      ASSERT_OK_AND_ASSIGN(Entry stored, ParseStoredEntryLeaf(leaf));
      EXPECT_EQ(stored.seq, seq);
      EXPECT_EQ(stored.received.ms, full.received.ms);
      EXPECT_EQ(stored.signed_event.canonical, full.signed_event.canonical);
      EXPECT_EQ(stored.signed_event.event, full.signed_event.event);
      EXPECT_EQ(stored.signed_event.id, full.signed_event.id);
      EXPECT_EQ(stored.signed_event.type, full.signed_event.type);
      EXPECT_EQ(stored.signed_event.kind, full.signed_event.kind);
      EXPECT_EQ(stored.signed_event.time.ms, full.signed_event.time.ms);
      ASSERT_EQ(stored.signed_event.sigs.size(), full.signed_event.sigs.size());
      for (size_t i = 0; i < full.signed_event.sigs.size(); ++i) {
        EXPECT_EQ(stored.signed_event.sigs[i].signer, full.signed_event.sigs[i].signer);
        EXPECT_EQ(stored.signed_event.sigs[i].sig, full.signed_event.sigs[i].sig);
      }
      EXPECT_EQ(EntryLeaf(stored), leaf);
    }
  }
  ASSERT_OK_AND_ASSIGN(SignedEvent genesis, MakeEvent("genesis", "ledger.genesis", Timestamp{1697356800000}, Json::object()));
  const std::string genesis_leaf = EntryLeaf({0, Timestamp{1697356800000}, genesis});
  ASSERT_OK_AND_ASSIGN(Entry g, ParseStoredEntryLeaf(genesis_leaf));
  EXPECT_TRUE(g.signed_event.sigs.empty());
  EXPECT_EQ(EntryLeaf(g), genesis_leaf);
  for (const std::string& bad : {std::string("{"), genesis_leaf.substr(0, genesis_leaf.size() - 1),
                                 std::string(R"({"event":{},"received":"2023-10-15T08:00:00.000Z","seq":0,"sigs":[]})")}) {
    EXPECT_EQ(ParseStoredEntryLeaf(bad).status().code(), Code::kDataLoss) << bad;
  }
}

// A leaf in the stored form that ParseEntryLeaf refuses is refused by ParseStoredEntryLeaf with
// the same error: its fast path checks what the strict one does (the event's keys, v, ids; one to
// 16 signatures, actor ids as signers, none twice; seq as JSON reads it), or defers to it.
TEST(EventTest, StoredLeavesTheStrictParserRefusesAreRefusedTheSame) {
  const std::string sig = Base64Encode(std::string(64, 'x'));
  const auto signer = [&](const std::string& id) { return "{\"sig\":\"" + sig + "\",\"signer\":\"" + id + "\"}"; };
  const std::string event = R"({"body":{"campaign":"2023","score":90,"unit_id":"x"},"id":"e-1","time":"2023-10-15T08:00:00Z","type":"score.recorded","v":1})";
  const auto leaf = [](const std::string& ev, const std::string& seq, const std::string& sigs) {
    return "{\"event\":" + ev + ",\"received\":\"2023-10-15T08:00:00.000Z\",\"seq\":" + seq + ",\"sigs\":[" + sigs + "]}";
  };
  // The valid leaf, first: the cases below differ from it in one place.
  ASSERT_OK_AND_ASSIGN(Entry ok, ParseStoredEntryLeaf(leaf(event, "7", signer("expert-1"))));
  EXPECT_EQ(ok.seq, 7u);
  std::string sixteen = signer("s-0");
  for (int i = 1; i < 16; ++i) sixteen += "," + signer("s-" + std::to_string(i));
  const std::string seventeen = sixteen + "," + signer("s-16");
  ASSERT_OK(ParseStoredEntryLeaf(leaf(event, "7", sixteen)).status());
  const auto with = [&](std::string from, std::string to) {
    std::string e = event;
    e.replace(e.find(from), from.size(), to);
    return e;
  };
  const std::string bad[] = {
      leaf(event, "7", signer("expert 1")),                          // not an actor id
      leaf(event, "7", signer("\xc3\xa9")),                          // nor is é
      leaf(event, "7", signer("expert-1") + "," + signer("expert-1")),  // twice
      leaf(event, "7", seventeen),                                   // 17 signatures
      leaf(event, "7", ""),                                          // none, and not the genesis
      leaf(event, "07", signer("expert-1")),                         // a leading zero
      leaf(event, "9007199254740992", signer("expert-1")),           // 2^53
      leaf(with("\"v\":1", "\"v\":2"), "7", signer("expert-1")),
      leaf(with("\"id\":\"e-1\"", "\"id\":\"e 1\""), "7", signer("expert-1")),
      leaf(with("\"id\":\"e-1\",", "\"id\":\"e-1\",\"mood\":1,"), "7", signer("expert-1")),
      leaf(with("\"time\":\"2023-10-15T08:00:00Z\"", "\"time\":\"2023-10-15T08:00:00+08:00\""), "7", signer("expert-1")),
  };
  for (const std::string& b : bad) {
    const Status strict = ParseEntryLeaf(b).status();
    ASSERT_FALSE(strict.ok()) << b;
    EXPECT_EQ(ParseStoredEntryLeaf(b).status().ToString(), strict.ToString()) << b;
  }
  ASSERT_OK(ParseStoredEntryLeaf(leaf(event, "9007199254740991", signer("expert-1"))).status());
}

TEST(EventTest, KnowsTheProtocolEventTypesAndWhichArePublic) {
  EXPECT_EQ(EventTypes().size(), 25u);
  EXPECT_TRUE(FindEventType("review.scope")->is_public) << "the review list (附件2) is public";
  EXPECT_TRUE(FindEventType("review.requirements")->is_public);
  EXPECT_TRUE(FindEventType("ledger.key_rotated")->is_public);
  EXPECT_TRUE(FindEventType("title.revoked")->is_public);
  EXPECT_TRUE(FindEventType("campaign.amended")->is_public);
  EXPECT_FALSE(FindEventType("score.recorded")->is_public);
  EXPECT_FALSE(FindEventType("quota.exception")->is_public);
  EXPECT_EQ(FindEventType("nope"), nullptr);
}

}  // namespace
}  // namespace pilotledger
