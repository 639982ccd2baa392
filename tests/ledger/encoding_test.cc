#include "ledger/encoding.h"
#include "ledger/utf8.h"

#include "tests/test_util.h"

namespace pilotledger {
namespace {

// RFC 4648 §10.
TEST(EncodingTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {{"", ""},         {"f", "Zg=="},       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), std::optional<std::string>(plain));
  }
}

TEST(EncodingTest, Base64DecodeIsStrict) {
  for (const char* bad : {"Zg", "Zg=", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "Zm9v====", "Z===", "Zm-v", "Zm_v", "=Zm9", "Zg==Zm9v", "Zm9vZg=a", "Zm9vZ=g="}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

// Every length up to a signature's and past it, every byte value: decode(encode(x)) == x.
TEST(EncodingTest, Base64RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int n = 0; n <= 70; ++n) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), std::optional<std::string>(bytes)) << n;
    bytes.push_back(static_cast<char>((n * 37 + 11) & 0xFF));
  }
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(Base64Decode(Base64Encode(all)), std::optional<std::string>(all));
}

TEST(EncodingTest, HexRoundTrip) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(HexDecode("00FF10"), std::optional<std::string>(std::string("\x00\xff\x10", 3)));
  EXPECT_FALSE(HexDecode("0").has_value());
  EXPECT_FALSE(HexDecode("0g").has_value());
}

TEST(EncodingTest, BigEndianKeysSortNumerically) {
  EXPECT_LT(EncodeBigEndian64(255), EncodeBigEndian64(256));
  EXPECT_EQ(DecodeBigEndian64(EncodeBigEndian64(0x0102030405060708ULL)), 0x0102030405060708ULL);
}

TEST(EncodingTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("智慧健康养老 é 😀"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe6\x99"));          // truncated
}

}  // namespace
}  // namespace pilotledger
