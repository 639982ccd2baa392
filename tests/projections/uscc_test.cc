#include "projections/uscc.h"

#include "ledger/utf8.h"
#include "tests/test_util.h"

namespace pilotledger::projections {
namespace {

TEST(UsccTest, AcceptsKnownValidCodes) {
  for (const char* code : {"914403001922038216", "9144030071526726XG", "91110000101623741K"}) {
    EXPECT_EQ(UsccProblem(code), "") << code;
  }
}

TEST(UsccTest, NamesTheExpectedCheckCharacter) {
  EXPECT_EQ(UsccProblem("914403001922038217"), "check character is '7', expected '6'");
  EXPECT_NE(UsccProblem("91440300192203821"), "");
  EXPECT_NE(UsccProblem("9144030019220382I6").find("alphabet"), std::string::npos);
  EXPECT_NE(UsccProblem("91A403001922038216").find("digits"), std::string::npos);
  EXPECT_EQ(UsccCheckCharacter("91440300192203821"), '6');
}

// Found by fuzzing (fuzz/corpus/bodies/regress-uscc-multibyte): the message quoted one byte of a
// multi-byte character, so that the error answer was not UTF-8.
TEST(UsccTest, QuotesAWholeCharacterOutsideTheAlphabet) {
  const std::string code = "9144010000\xd0\x8a" "ass01X";  // "9144010000Њass01X": 18 bytes
  ASSERT_EQ(code.size(), 18u);
  EXPECT_EQ(UsccProblem(code), "character 11 '\xd0\x8a' is not in the GB 32100 alphabet 0-9 A-H J-N P-R T-U W-Y");
  EXPECT_TRUE(IsValidUtf8(UsccProblem(code)));
  EXPECT_TRUE(IsValidUtf8(UsccProblem("9144010000\xd0" "ass01X12")));
}

}  // namespace
}  // namespace pilotledger::projections
