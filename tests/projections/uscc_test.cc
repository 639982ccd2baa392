#include "projections/uscc.h"

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

}  // namespace
}  // namespace pilotledger::projections
