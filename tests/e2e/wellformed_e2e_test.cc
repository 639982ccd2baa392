// Every answer is well-formed whatever the input (issue 9, item 3): a sweep of hostile strings
// (invalid UTF-8, overlong encodings, surrogates, NUL and control characters, JSON \u escapes of
// lone surrogates) × every place a string can come from (the body, the target's path and query,
// headers, the method, the WebSocket parameters), each sent over its own raw connection to the real
// server. Each answer must be valid UTF-8, parse as canonical JSON with the documented error shape
// and the documented code (docs/protocol.md §12–§14), and hold no raw input bytes, no filesystem
// path, no key material and no stack. Nothing may change.
#include <functional>

#include "ledger/utf8.h"
#include "tests/e2e/raw_http.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

using testing::RawExchange;
using testing::RawResponse;

struct Input {
  std::string name;
  std::string bytes;
};

const std::vector<Input>& Inputs() {
  static const std::vector<Input> inputs = {
      {"invalid byte FF", "\xff"},
      {"invalid bytes FE FE", "\xfe\xfe"},
      {"a lone continuation byte", "x\x80y"},
      {"a truncated 3-byte sequence", "\xe6\x99"},
      {"overlong '/' (C0 AF)", "\xc0\xaf"},
      {"overlong '/' in 3 bytes (E0 80 AF)", "\xe0\x80\xaf"},
      {"overlong NUL (C0 80)", "\xc0\x80"},
      {"a lone high surrogate (ED A0 80)", "\xed\xa0\x80"},
      {"a lone low surrogate (ED BF BF)", "\xed\xbf\xbf"},
      {"beyond U+10FFFF (F4 90 80 80)", "\xf4\x90\x80\x80"},
      {"NUL", std::string("a\0b", 3)},
      {"control 01", "\x01"},
      {"an ANSI escape", "\x1b[31mred"},
      {"a newline", "a\nb"},
      {"DEL", "\x7f"},
      {"C1 control U+0085", "\xc2\x85"},
      {"right-to-left override U+202E", "\xe2\x80\xae"},
      {"JSON escape of a lone high surrogate", "\\ud800"},
      {"JSON escape of a lone low surrogate", "\\udc00x"},
      {"JSON escape of NUL", "\\u0000"},
  };
  return inputs;
}

bool HasControl(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}
bool IsPrintableAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}
bool IsJsonEscape(const std::string& s) { return s.rfind("\\u", 0) == 0; }

std::string PercentEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

struct Expected {
  int status;
  const char* code;  // nullptr: a successful JSON answer
};
const Expected kBadRequest{400, "bad_request"};
const Expected kMalformedJson{400, "malformed_json"};
const Expected kSchemaViolation{400, "schema_violation"};
const Expected kNotFound{404, "not_found"};
const Expected kUnauthenticated{401, "unauthenticated"};
const Expected kOk{200, nullptr};

// The raw bytes as a JSON string's contents: how the body's string places are filled. Raw C0
// bytes and invalid UTF-8 make the document malformed; valid text is a well-formed but invalid id.
Expected InBodyString(const std::string& in) {
  const bool c0 = std::any_of(in.begin(), in.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  if (!IsValidUtf8(in) || c0 || (IsJsonEscape(in) && in != "\\u0000")) return kMalformedJson;
  return kSchemaViolation;  // DEL, C1 and U+202E are valid JSON text, but no id
}
// A header value: Beast refuses C0 controls (and DEL) in a field value as malformed HTTP.
Expected InHeader(const std::string& in, Expected otherwise) { return HasControl(in) ? kBadRequest : otherwise; }

class WellFormedTest : public testing::ServerTest {
 protected:
  WellFormedTest() : ServerTest(std::vector<std::string>{"--requests-per-second", "0"}) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    const std::string pem = testing::ReadFile(ledger_.data_dir() + "/ledger-key.pem");
    for (size_t start = 0, end; (end = pem.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::string line = pem.substr(start, end - start);
      if (!line.empty() && line.front() != '-') key_lines_.push_back(line);
    }
    ASSERT_FALSE(key_lines_.empty());
    submission_ = WriteCanonical(SubmissionJson(ledger_.Register({"expert-x", "expert", "", "", ""})));
    ASSERT_NE(submission_.find("\"id\":\"reg-expert-x\""), std::string::npos);
  }

  static std::string Get(const std::string& target, const std::string& headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + "\r\n";
  }
  static std::string Post(const std::string& body) {
    return "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  static std::string Upgrade(const std::string& target, const std::string& headers = "") {
    return "GET " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
           headers + "\r\n";
  }
  std::string ReadHeader(const std::string& actor) const {
    SystemClock clock;
    return "PilotLedger-Sig actor=" + actor + ",time=" + FormatRfc3339Seconds(clock.Now()) + ",sig=" + std::string(86, 'A') + "==";
  }

  // Checks one answer; returns what is wrong with it ("" if nothing).
  std::string Problems(const RawResponse& r, const std::string& input, const Expected& want) const {
    std::string p;
    if (r.status == 0) return "no complete answer";
    if (r.status != want.status) p += "status " + std::to_string(r.status) + " (want " + std::to_string(want.status) + "); ";
    if (!IsValidUtf8(r.body)) p += "the body is not valid UTF-8; ";
    if (r.headers.count("content-type") == 0 || r.headers.at("content-type") != "application/json") p += "not application/json; ";
    if (HasControl(r.body)) p += "a raw control character in the body; ";
    if (!IsPrintableAscii(input) && r.body.find(input) != std::string::npos) p += "the raw input is echoed; ";
    for (const std::string& leak : {ledger_.dir().path(), std::string("/tmp/"), std::string(PILOT_SOURCE_DIR), std::string(".cc:"),
                                    std::string("PRIVATE KEY"), std::string("terminate"), std::string("what()"), std::string("std::"),
                                    std::string("json.exception"), std::string("boost::")}) {
      if (r.body.find(leak) != std::string::npos) p += "leaks \"" + leak + "\"; ";
    }
    for (const std::string& line : key_lines_) {
      if (r.body.find(line) != std::string::npos) p += "leaks the ledger key; ";
    }
    Result<Json> j = ParseStrictJson(r.body);
    if (!j.ok()) return p + "the body does not parse: " + j.status().ToString();
    if (WriteCanonical(*j) != r.body) p += "the body is not canonical JSON; ";
    if (want.code == nullptr) return p;
    const bool shape = j->is_object() && j->size() == 1 && j->contains("error") && (*j)["error"].is_object() &&
                       (*j)["error"].size() == 3 && (*j)["error"].value("code", Json()).is_string() &&
                       (*j)["error"].value("message", Json()).is_string() && (*j)["error"].value("details", Json()).is_object();
    if (!shape) return p + "not the error shape: " + r.body;
    if ((*j)["error"]["code"] != want.code) p += "code " + (*j)["error"]["code"].get<std::string>() + " (want " + want.code + "); ";
    return p;
  }

  std::vector<std::string> key_lines_;
  std::string submission_;
};

// A place a string can come from: how to build a request around the input, and the documented answer.
struct Place {
  std::string name;
  std::function<std::string(const std::string&)> request;
  std::function<Expected(const std::string&)> expected;
};

TEST_F(WellFormedTest, EveryAnswerToHostileStringsInEveryPlaceIsWellFormedAndChangesNothing) {
  ASSERT_OK_AND_ASSIGN(const std::string checkpoint, c_->SignedCheckpoint());
  const std::string sub = submission_;
  const auto with_id = [sub](const std::string& id) {
    std::string s = sub;
    const std::string old_id = "\"id\":\"reg-expert-x\"";
    s.replace(s.find(old_id), old_id.size(), "\"id\":\"" + id + "\"");
    return s;
  };
  const std::vector<Place> places = {
      {"the whole body", [](const std::string& in) { return Post(in); }, [](const std::string&) { return kMalformedJson; }},
      {"a string in the body (event.id)", [&](const std::string& in) { return Post(with_id("x" + in)); }, InBodyString},
      {"a member name in the body",
       [sub](const std::string& in) { return Post(sub.substr(0, sub.size() - 1) + ",\"" + in + "\":1}"); }, InBodyString},
      {"a signer in the body",
       [sub](const std::string& in) {
         std::string s = sub;
         const std::string signer = "\"signer\":\"miit\"";
         s.replace(s.find(signer), signer.size(), "\"signer\":\"" + in + "\"");
         return Post(s);
       },
       InBodyString},
      {"the path, raw", [](const std::string& in) { return Get("/v1/units/" + in); },
       [](const std::string&) { return kBadRequest; }},
      {"a path segment, percent-encoded", [](const std::string& in) { return Get("/v1/units/" + PercentEncode(in)); },
       [](const std::string&) { return kNotFound; }},
      {"an unknown path, percent-encoded", [](const std::string& in) { return Get("/v1/" + PercentEncode(in)); },
       [](const std::string&) { return kNotFound; }},
      {"a query value, raw", [](const std::string& in) { return Get("/v1/entries?from=" + in); },
       [](const std::string&) { return kBadRequest; }},
      {"a number in the query", [](const std::string& in) { return Get("/v1/entries?from=" + PercentEncode(in)); },
       [](const std::string&) { return kBadRequest; }},
      {"a query parameter name", [](const std::string& in) { return Get("/v1/entries?" + PercentEncode(in) + "=1"); },
       [](const std::string&) { return kBadRequest; }},
      {"an enumerated filter", [](const std::string& in) { return Get("/v1/units?status=" + PercentEncode(in)); },
       [](const std::string&) { return kBadRequest; }},
      {"a text filter", [](const std::string& in) { return Get("/v1/units?name=" + PercentEncode(in)); },
       [](const std::string&) { return kOk; }},
      {"the Authorization header", [](const std::string& in) { return Get("/v1/entries", "Authorization: " + in + "\r\n"); },
       [](const std::string& in) { return InHeader(in, kUnauthenticated); }},
      {"the actor of the read header",
       [this](const std::string& in) { return Get("/v1/entries", "Authorization: " + ReadHeader(in) + "\r\n"); },
       [](const std::string& in) { return InHeader(in, kUnauthenticated); }},
      {"another header", [](const std::string& in) { return Get("/healthz", "X-Note: " + in + "\r\n"); },
       [](const std::string& in) { return InHeader(in, kOk); }},
      {"the Host header",
       [](const std::string& in) { return "GET /healthz HTTP/1.1\r\nHost: " + in + "\r\nConnection: close\r\n\r\n"; },
       [](const std::string& in) { return InHeader(in, kOk); }},
      {"the method", [](const std::string& in) { return in + " /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"; },
       [](const std::string&) { return kBadRequest; }},
      {"the stream's types", [](const std::string& in) { return Upgrade("/v1/stream?types=" + PercentEncode(in)); },
       [](const std::string&) { return kBadRequest; }},
      {"the stream's from", [](const std::string& in) { return Upgrade("/v1/stream?from=" + PercentEncode(in)); },
       [](const std::string&) { return kBadRequest; }},
      {"a stream parameter name", [](const std::string& in) { return Upgrade("/v1/stream?" + PercentEncode(in) + "=0"); },
       [](const std::string&) { return kBadRequest; }},
      {"the stream's target, raw", [](const std::string& in) { return Upgrade("/v1/stream?types=" + in); },
       [](const std::string&) { return kBadRequest; }},
      {"the stream's read header",
       [this](const std::string& in) { return Upgrade("/v1/stream", "Authorization: " + ReadHeader(in) + "\r\n"); },
       [](const std::string& in) { return InHeader(in, kUnauthenticated); }},
  };
  int checked = 0;
  for (const Place& place : places) {
    for (const Input& input : Inputs()) {
      const RawResponse r = RawExchange(server_->address(), place.request(input.bytes));
      const std::string problems = Problems(r, input.bytes, place.expected(input.bytes));
      EXPECT_EQ(problems, "") << input.name << " in " << place.name << ": " << r.status << " " << r.body;
      ++checked;
    }
  }
  EXPECT_EQ(checked, int(places.size() * Inputs().size()));
  // Nothing changed, the server is up, and its request log is still one valid JSON line per request.
  EXPECT_EQ(*c_->SignedCheckpoint(), checkpoint);
  ASSERT_OK_AND_ASSIGN(Json page, c_->Entries(0, 10));
  EXPECT_EQ(page["entries"].size(), 1u);
  const std::string log = server_->Log();
  EXPECT_TRUE(IsValidUtf8(log));
  int request_lines = 0;
  for (size_t start = 0, end; (end = log.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = log.substr(start, end - start);
    if (line.empty() || line.front() != '{') continue;
    EXPECT_TRUE(ParseStrictJson(line).ok()) << line;
    ++request_lines;
  }
  EXPECT_GE(request_lines, checked);
}

}  // namespace
}  // namespace pilotledger
