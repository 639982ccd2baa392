#include "ledger/timestamp.h"

#include "tests/test_util.h"

namespace pilotledger {
namespace {

TEST(TimestampTest, ParsesUtcAndFormatsWithMilliseconds) {
  ASSERT_OK_AND_ASSIGN(Timestamp t, ParseRfc3339("2023-10-15T08:00:00Z"));
  EXPECT_EQ(t.ms, 1697356800000);
  EXPECT_EQ(FormatRfc3339Millis(t), "2023-10-15T08:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Seconds(t), "2023-10-15T08:00:00Z");
  ASSERT_OK_AND_ASSIGN(Timestamp f, ParseRfc3339("2023-10-15T08:00:00.123456789Z"));
  EXPECT_EQ(f.ms, 1697356800123);
  EXPECT_EQ(FormatRfc3339Millis(f), "2023-10-15T08:00:00.123Z");
  ASSERT_OK_AND_ASSIGN(Timestamp leap_day, ParseRfc3339("2024-02-29T23:59:59.5Z"));
  EXPECT_EQ(FormatRfc3339Millis(leap_day), "2024-02-29T23:59:59.500Z");
}

TEST(TimestampTest, OffsetsOnlyWhenAllowed) {
  EXPECT_FALSE(ParseRfc3339("2023-10-31T23:59:59+08:00").ok());
  ASSERT_OK_AND_ASSIGN(Timestamp t, ParseRfc3339("2023-10-31T23:59:59+08:00", TimeZoneRule::kAnyOffset));
  EXPECT_EQ(FormatRfc3339Millis(t), "2023-10-31T15:59:59.000Z");
  ASSERT_OK_AND_ASSIGN(Timestamp w, ParseRfc3339("2023-10-31T20:00:00-05:30", TimeZoneRule::kAnyOffset));
  EXPECT_EQ(FormatRfc3339Millis(w), "2023-11-01T01:30:00.000Z");
}

TEST(TimestampTest, RejectsMalformedAndImpossible) {
  for (const char* bad : {"2023-10-15", "2023-10-15T08:00:00", "2023-10-15 08:00:00Z", "2023-10-15t08:00:00z",
                          "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z",
                          "2023-10-15T24:00:00Z", "2023-10-15T08:60:00Z", "2023-10-15T08:00:60Z",
                          "2023-10-15T08:00:00.Z", "2023-10-15T08:00:00.1234567890Z", "2023-10-15T08:00:00ZZ",
                          "２023-10-15T08:00:00Z", "+2023-10-15T08:00:00Z"}) {
    EXPECT_EQ(ParseRfc3339(bad, TimeZoneRule::kAnyOffset).status().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace pilotledger
