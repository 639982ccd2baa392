// The pure pieces behind well-formed answers and unambiguous framing: EscapeUntrusted, RedactPaths,
// ErrorBody (server/error_text.h) and CheckFraming (server/request_framing.h). Over real HTTP they
// are tried by tests/e2e/wellformed_e2e_test.cc and request_smuggling_e2e_test.cc.
#include <gtest/gtest.h>

#include "ledger/utf8.h"
#include "server/error_text.h"
#include "server/request_framing.h"

namespace pilotledger::server {
namespace {

TEST(ErrorTextTest, EscapesEverythingButPrintableUtf8) {
  EXPECT_EQ(EscapeUntrusted("unit 智慧 /v1/x \"q\""), "unit 智慧 /v1/x \"q\"");
  EXPECT_EQ(EscapeUntrusted("\xff\xc0\xaf\xed\xa0\x80"), "\\xFF\\xC0\\xAF\\xED\\xA0\\x80");
  EXPECT_EQ(EscapeUntrusted(std::string("a\0b\x01\x7f\n", 6)), "a\\x00b\\x01\\x7F\\x0A");
  EXPECT_EQ(EscapeUntrusted("\xc2\x85\xe2\x80\xae\xe2\x80\xa8"), "\\u{0085}\\u{202E}\\u{2028}");
  EXPECT_EQ(EscapeUntrusted("\\xFF"), "\\\\xFF");  // an escape in the input stays distinguishable
  EXPECT_EQ(EscapeUntrusted("\xe6\x99"), "\\xE6\\x99");
}

TEST(ErrorTextTest, RedactsFilesystemPathsButNotWords) {
  EXPECT_EQ(RedactPaths("storage failure (RocksDB write: IO error: While appending to file: /tmp/d/db/000008.log: No space left on device)"),
            "storage failure (RocksDB write: IO error: While appending to file: <path>: No space left on device)");
  EXPECT_EQ(RedactPaths("cannot open '/var/lib/pilot/db'"), "cannot open '<path>'");
  EXPECT_EQ(RedactPaths("a/b and / alone and /single"), "a/b and / alone and /single");
}

TEST(ErrorTextTest, ErrorBodiesEscapeRequestBytesAndRedactPathsOnlyInServerFailures) {
  const Status bad(Code::kInvalidArgument, "no unit \xff /tmp/x/y", {{"parameter", "\x01"}, {"\xfe", {"\xed\xa0\x80"}}});
  const std::string body = WriteCanonical(ErrorBody(bad));
  EXPECT_TRUE(IsValidUtf8(body));
  EXPECT_EQ(body, R"({"error":{"code":"bad_request","details":{"\\xFE":["\\xED\\xA0\\x80"],"parameter":"\\x01"},"message":"no unit \\xFF /tmp/x/y"}})");
  const Status failed(Code::kUnavailable, "storage failure (IO error: /data/db/LOCK: \xff)");
  EXPECT_EQ(ErrorBody(failed)["error"]["message"], "storage failure (IO error: <path>: \\xFF)");
}

TEST(RequestFramingTest, FindsTheHeaderBlock) {
  EXPECT_EQ(HeaderBlockSize("GET / HTTP/1.1\r\nHost: x\r\n\r\nbody"), 27u);
  EXPECT_EQ(HeaderBlockSize("GET / HTTP/1.1\nHost: x\n\nbody"), 24u);
  EXPECT_EQ(HeaderBlockSize("GET / HTTP/1.1\r\nHost: x\r\n"), 0u);
}

TEST(RequestFramingTest, RefusesWhatTwoParsersCouldReadTwoWays) {
  const std::string line = "POST /v1/entries HTTP/1.1\r\n";
  for (const char* headers : {"Content-Length: 5\r\nContent-Length: 5\r\n", "content-length: 5\r\nCONTENT-LENGTH: 6\r\n",
                                     "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                                     "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "X-A: 1\r\n 2\r\n", "X-A: 1\r\n\tTransfer-Encoding: chunked\r\n",
                                     "Content-Length: 5, 5\r\n", "Content-Length: +5\r\n", "Content-Length:\r\n", "Transfer-Encoding: gzip, chunked\r\n"}) {
    EXPECT_EQ(CheckFraming(line + headers + "\r\n").code(), Code::kInvalidArgument) << headers;
  }
  for (const char* headers : {"Content-Length: 5\r\n", "Transfer-Encoding: Chunked\r\n", "Content-Length:  12 \r\nX-B: a b\r\n", ""}) {
    EXPECT_TRUE(CheckFraming(line + headers + "\r\n").ok()) << headers;
  }
}

}  // namespace
}  // namespace pilotledger::server
