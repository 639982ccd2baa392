#include "client/watch_state.h"

#include "tests/test_util.h"

namespace pilotledger::client {
namespace {

TEST(WatchStateTest, RoundTrips) {
  const WatchState s{7, "origin\n7\nroot\n\n— origin sig\n", "origin+01234567+key"};
  Result<WatchState> back = ParseWatchState(WatchStateText(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->next, 7u);
  EXPECT_EQ(back->checkpoint, s.checkpoint);
  EXPECT_EQ(back->ledger_key, s.ledger_key);
  ASSERT_TRUE(ParseWatchState("{}").ok());
  EXPECT_EQ(ParseWatchState("{}")->next, 0u);
}

// Found by fuzzing (fuzz/corpus/state_file/regress-watch-state-*): these threw out of pilotctl watch.
TEST(WatchStateTest, ADamagedFileIsRefusedNotThrownOn) {
  for (const char* text : {"[]", "\"state\"", "{\"next\":\"3\"}", "{\"next\":-1}", "{\"checkpoint\":1}", "{\"ledger_key\":null}"}) {
    Result<WatchState> r = Status(Code::kInternal, "threw");
    EXPECT_NO_THROW(r = ParseWatchState(text)) << text;
    EXPECT_EQ(r.status().code(), Code::kSchemaViolation) << text << " " << r.status().ToString();
  }
  EXPECT_EQ(ParseWatchState("{").status().code(), Code::kMalformedJson);
}

}  // namespace
}  // namespace pilotledger::client
