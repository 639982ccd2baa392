// The first run as README describes it: scripts/start.sh (what ./run ends with) creates the
// development ledger with the sample, serves it, and the commands it suggests work; a second start
// reuses the data.
#include <thread>

#include "tests/e2e/e2e_util.h"

namespace pilotledger {
namespace {

// Runs scripts/start.sh with its data in `data` and its output in `log`; returns its pid once it
// listens (address in `address`).
pid_t StartScript(const std::string& data, const std::string& log, std::string& address) {
  int out_fd = -1;
  setenv("PILOT_DATA", data.c_str(), 1);
  setenv("PILOT_LISTEN", "127.0.0.1:0", 1);
  const pid_t pid = testing::Spawn({"/bin/sh", "-c", "exec '" + std::string(PILOT_SOURCE_DIR) + "/scripts/start.sh' >>'" + log + "' 2>&1"},
                                   out_fd, /*with_stderr=*/false);
  close(out_fd);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string output = testing::ReadFile(log);
    const auto at = output.rfind("listening on ");
    if (at != std::string::npos && output.find(' ', at + 13) != std::string::npos) {
      address = output.substr(at + 13, output.find(' ', at + 13) - at - 13);
      return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

TEST(FirstRunTest, StartCreatesTheSampleLedgerAndTheSuggestedCommandsWork) {
  testing::TempDir dir;
  const std::string data = dir / "data";
  const std::string log = dir / "start.log";
  std::string address;
  pid_t pid = StartScript(data, log, address);
  std::string output = testing::ReadFile(log);
  ASSERT_GT(pid, 0) << output;
  EXPECT_NE(output.find("First start: creating a development ledger"), std::string::npos) << output;
  EXPECT_NE(output.find("for development only"), std::string::npos) << output;
  const std::string url = "http://" + address;
  const std::string key = testing::ReadFile(data + "/ledger-key.txt");
  const std::string ctl = testing::Bin("pilotctl");
  std::string out;
  ASSERT_EQ(testing::RunCommand({ctl, "--server", url, "campaigns"}, &out), 0) << out;
  EXPECT_NE(out.find("sample-2026"), std::string::npos) << out;
  ASSERT_EQ(testing::RunCommand({ctl, "--server", url, "units", "--status", "titled", "--limit", "10"}, &out), 0) << out;
  EXPECT_NE(out.find("titled"), std::string::npos) << out;
  ASSERT_EQ(testing::RunCommand({ctl, "--server", url, "--as", data + "/dev-keys/auditor.pem", "quotas", "sample-2026"}, &out), 0) << out;
  EXPECT_NE(out.find("440300"), std::string::npos) << out;
  ASSERT_EQ(testing::RunCommand({ctl, "--server", url, "--as", data + "/dev-keys/auditor.pem", "verify", "--ledger-key",
                                 key.substr(0, key.find('\n'))},
                                &out),
            0)
      << out;
  EXPECT_NE(out.find("served equal the replay"), std::string::npos) << out;
  // All 37 recommending authorities, each with three departments, are registered.
  ASSERT_OK_AND_ASSIGN(auto c, client::LedgerClient::Connect(url));
  ASSERT_OK_AND_ASSIGN(Json actors, c->GetJson("/v1/actors"));
  int provincial = 0;
  for (const Json& a : actors["actors"]) provincial += a["role"] == "provincial";
  EXPECT_EQ(provincial, 37 * 3);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  // The second start reuses the data.
  const std::string log2 = dir / "start2.log";
  pid = StartScript(data, log2, address);
  output = testing::ReadFile(log2);
  ASSERT_GT(pid, 0) << output;
  EXPECT_EQ(output.find("First start"), std::string::npos) << output;
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

}  // namespace
}  // namespace pilotledger
