#include "ledger/canonical_json.h"

#include <cstdio>
#include <random>

#include "ledger/utf8.h"
#include "tests/test_util.h"

namespace pilotledger {
namespace {

std::string Canon(std::string_view text) {
  Result<Json> j = ParseStrictJson(text);
  EXPECT_TRUE(j.ok()) << text << ": " << j.status().ToString();
  return j.ok() ? WriteCanonical(*j) : "";
}

Code ParseCode(std::string_view text) { return ParseStrictJson(text).status().code(); }

TEST(CanonicalJsonTest, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(Canon(R"( { "b" : 1, "a" : [ true , false , null ], "c": {"z":"","y":{}} } )"),
            R"({"a":[true,false,null],"b":1,"c":{"y":{},"z":""}})");
}

TEST(CanonicalJsonTest, SortsKeysByBytes) {
  EXPECT_EQ(Canon(R"({"b":1,"B":2,"a":3,"_":4,"10":5,"9":6})"), R"({"10":5,"9":6,"B":2,"_":4,"a":3,"b":1})");
}

// RFC 8785 §3.2.2.2 string escaping, restricted to what the integer subset keeps.
TEST(CanonicalJsonTest, EscapesOnlyQuoteBackslashAndControls) {
  EXPECT_EQ(Canon(R"(["\u0000\u001f\b\f\n\r\t\"\\/"])"), R"(["\u0000\u001f\b\f\n\r\t\"\\/"])");
  EXPECT_EQ(Canon(R"(["\u000b\u007f\u0080"])"), "[\"\\u000b\x7f\xc2\x80\"]");
  EXPECT_EQ(Canon(R"(["\u20ac\u667a\u6167\ud83d\ude00"])"), "[\"€智慧😀\"]");
  EXPECT_EQ(Canon("[\"智慧健康养老\"]"), "[\"智慧健康养老\"]");
  EXPECT_EQ(Canon(R"(["\u00E9"])"), "[\"é\"]");
}

// RFC 8785 Appendix B, the integer rows that stay within ±(2^53−1).
TEST(CanonicalJsonTest, WritesIntegersAsJcs) {
  EXPECT_EQ(Canon("[0, -0, 1, -1, 9007199254740991, -9007199254740991, 123456789]"),
            "[0,0,1,-1,9007199254740991,-9007199254740991,123456789]");
}

TEST(CanonicalJsonTest, RejectsFractionsAndExponents) {
  for (const char* text : {"1.0", "[1.5]", "{\"a\":1e3}", "[1E2]", "[-0.0]", "[0.1]", "[1e-7]"}) {
    EXPECT_EQ(ParseCode(text), Code::kSchemaViolation) << text;
  }
}

TEST(CanonicalJsonTest, RejectsIntegersBeyondTwoToThe53) {
  for (const char* text : {"9007199254740992", "-9007199254740992", "18446744073709551615",
                           "18446744073709551616", "-9223372036854775809", "100000000000000000000000"}) {
    Result<Json> r = ParseStrictJson(text);
    EXPECT_EQ(r.status().code(), Code::kSchemaViolation) << text;
    EXPECT_NE(r.status().message().find("outside"), std::string::npos) << r.status().message();
  }
}

TEST(CanonicalJsonTest, RejectsDuplicateKeys) {
  Result<Json> r = ParseStrictJson(R"({"a":1,"b":{"c":1,"c":2}})");
  EXPECT_EQ(r.status().code(), Code::kSchemaViolation);
  EXPECT_NE(r.status().message().find("duplicate key \"c\""), std::string::npos);
}

TEST(CanonicalJsonTest, RejectsInvalidUtf8) {
  for (const std::string& text : {std::string("[\"\xff\"]"), std::string("[\"\xc0\xaf\"]"),
                                 std::string("[\"\xed\xa0\x80\"]"), std::string("[\"\xe6\x99\"]"),
                                 std::string("[\"\\ud800\"]"), std::string("[\"\\udc00x\"]")}) {
    EXPECT_EQ(ParseCode(text), Code::kMalformedJson) << text;
  }
}

TEST(CanonicalJsonTest, RejectsNestingDeeperThan64) {
  std::string ok(64, '['), too_deep(65, '[');
  ok += std::string(64, ']');
  too_deep += std::string(65, ']');
  EXPECT_TRUE(ParseStrictJson(ok).ok());
  Result<Json> r = ParseStrictJson(too_deep);
  EXPECT_EQ(r.status().code(), Code::kMalformedJson);
  EXPECT_NE(r.status().message().find("nesting"), std::string::npos);
  // A million brackets must be refused, not overflow the stack.
  EXPECT_EQ(ParseCode(std::string(1000000, '[')), Code::kMalformedJson);
  EXPECT_EQ(ParseCode(std::string(500000, '{') ), Code::kMalformedJson);
}

TEST(CanonicalJsonTest, RejectsSyntaxErrorsWithPosition) {
  for (const char* text : {"", "{", "[1,]", "{\"a\" 1}", "[01]", "[+1]", "nul", "[1] [2]", "{'a':1}",
                           "[\"\t\"]", "[NaN]", "[Infinity]", "/*c*/[1]"}) {
    Result<Json> r = ParseStrictJson(text);
    EXPECT_EQ(r.status().code(), Code::kMalformedJson) << text;
  }
  EXPECT_NE(ParseStrictJson("[1,]").status().message().find("byte"), std::string::npos);
}

// Found by fuzzing (fuzz/corpus/canonical_json/regress-*): the parser stopped at a NUL byte and
// ignored what followed it.
TEST(CanonicalJsonTest, RejectsANulByteAnywhere) {
  using namespace std::string_literals;
  for (const std::string& text : {"2\0[\"\xff\"]"s, "{\"a\":1}\0"s, "\0"s, "[\"a\0b\"]"s, "{\"a\0\":1}"s}) {
    Result<Json> r = ParseStrictJson(text);
    EXPECT_EQ(r.status().code(), Code::kMalformedJson) << text;
    EXPECT_NE(r.status().message().find("NUL"), std::string::npos) << r.status().message();
  }
}

// Found by fuzzing: the message quoted the bytes nlohmann last read, raw, so that an error
// answer could carry invalid UTF-8. They are escaped.
TEST(CanonicalJsonTest, SyntaxErrorMessagesAreUtf8AndEscapeTheInput) {
  for (const std::string& text : {std::string("{\"a\xa2\"([1]"), std::string("[\xff]"), std::string("[tru\xc3]"),
                                  std::string("[\"\x01\"]"), std::string("[1,\x1b[31m]")}) {
    Result<Json> r = ParseStrictJson(text);
    ASSERT_EQ(r.status().code(), Code::kMalformedJson) << text;
    EXPECT_TRUE(IsValidUtf8(r.status().message())) << r.status().message();
    EXPECT_EQ(r.status().message().find('\x1b'), std::string::npos) << r.status().message();
  }
  EXPECT_NE(ParseStrictJson("[\xff]").status().message().find("\\xFF"), std::string::npos) << ParseStrictJson("[\xff]").status().message();
}

// Random documents with Chinese text, compared with Python's
// json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
class PythonComparison : public ::testing::Test {
 protected:
  static Json RandomValue(std::mt19937_64& rng, int depth) {
    static const std::vector<std::string> words = {
        "智慧健康养老", "应用试点示范", "工业和信息化部", "民政部", "国家卫生健康委", "街道（乡镇）",
        "a\"b", "back\\slash", "tab\there", "line\nbreak", "\x01\x1f", "😀", "/", "plain", "", "é€"};
    const int kind = depth > 3 ? int(rng() % 4) : int(rng() % 6);
    switch (kind) {
      case 0: return int64_t(rng() % (uint64_t(kMaxSafeInteger) * 2 + 1)) - kMaxSafeInteger;
      case 1: return words[rng() % words.size()] + words[rng() % words.size()];
      case 2: return (rng() % 3 == 0) ? Json(nullptr) : Json(rng() % 2 == 0);
      case 3: return int64_t(rng() % 2000) - 1000;
      case 4: {
        Json a = Json::array();
        for (int i = int(rng() % 5); i > 0; --i) a.push_back(RandomValue(rng, depth + 1));
        return a;
      }
      default: {
        Json o = Json::object();
        for (int i = int(rng() % 6); i > 0; --i) {
          o[words[rng() % words.size()] + std::to_string(rng() % 10)] = RandomValue(rng, depth + 1);
        }
        return o;
      }
    }
  }
};

// ReadCanonicalJson (the stored leaves' reader) gives ParseStrictJson's value for canonical bytes,
// escapes and every kind of value among them, and gives up (nullopt) on everything outside the
// canonical subset, including all that ParseStrictJson refuses.
TEST(CanonicalJsonTest, TheCanonicalReaderGivesTheStrictParsersValue) {
  for (const std::string& text :
       {std::string(R"({"a":[true,false,null,-9007199254740991,9007199254740991,0],"b":{"":"","y":{},"z":[]}})"),
        std::string(R"(["\"\\\b\f\n\r\t\u0001\u001f","\u00e9\u4e2d\ud83d\ude00","中文é😀"])"),
        std::string("\"" + std::string(5000, 'x') + "\\n" + std::string(5000, 'y') + "\""),
        std::string(R"({"10":5,"9":6,"B":2,"_":4,"a":3,"b":1,"é":7})"), std::string("17"), std::string("[]"),
        std::string(64, '[') + std::string(64, ']')}) {
    ASSERT_OK_AND_ASSIGN(Json strict, ParseStrictJson(text));
    const std::optional<Json> read = ReadCanonicalJson(text);
    ASSERT_TRUE(read.has_value()) << text;
    EXPECT_EQ(*read, strict) << text;
    EXPECT_EQ(WriteCanonical(*read), WriteCanonical(strict)) << text;
    EXPECT_EQ(ReadCanonicalJson(WriteCanonical(strict)), std::optional<Json>(strict)) << text;
  }
  // Integers are kept as signed integers, as ParseStrictJson keeps them.
  EXPECT_EQ(ReadCanonicalJson("[5]")->at(0).type(), Json::value_t::number_integer);
  using namespace std::string_literals;
  for (const std::string& text :
       {R"({"b":1,"a":2})"s, R"({"a":1,"a":1})"s, R"({"a":{"c":1,"b":2}})"s, "[1.0]"s, "[1e2]"s, "[9007199254740992]"s,
        "[-9007199254740992]"s, "[18446744073709551615]"s, std::string(65, '[') + std::string(65, ']'), "[1,]"s,
        "{"s, ""s, "[1] [2]"s, "[\"\xff\"]"s, "[\"\\ud800\"]"s, "[\"\t\"]"s, "2\0"s, "[\"a\0b\"]"s, "/*c*/[1]"s,
        std::string(1000000, '[')}) {
    EXPECT_FALSE(ReadCanonicalJson(text).has_value()) << text.substr(0, 40);
  }
}

TEST_F(PythonComparison, MatchesJsonDumpsSortKeysOnGeneratedDocuments) {
  std::mt19937_64 rng(20231031);
  Json docs = Json::array();
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    Json doc = RandomValue(rng, 0);
    // Round-trip through our parser so the comparison covers parse + write.
    const std::string pretty = doc.dump(2);
    ASSERT_OK_AND_ASSIGN(Json parsed, ParseStrictJson(pretty));
    docs.push_back(parsed);
    expected += WriteCanonical(parsed) + "\n";
  }
  char path[] = "/tmp/pilot-canon-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string input = docs.dump();
  ASSERT_EQ(write(fd, input.data(), input.size()), ssize_t(input.size()));
  close(fd);
  const std::string cmd = std::string("/usr/bin/python3 -c 'import json,sys\n"
                                      "for v in json.load(open(sys.argv[1])):\n"
                                      "  sys.stdout.write(json.dumps(v, sort_keys=True, separators=(\",\",\":\"), ensure_ascii=False)+\"\\n\")' ") +
                          path;
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string actual;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) actual.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0);
  unlink(path);
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace pilotledger
