// The one gtest fixture for e2e tests against a running server: a ledger created by `pilotledgerd
// init` in a temporary directory (founded by the three ministries), `pilotledgerd serve` on a free
// loopback port, and a client connected to it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace pilotledger::testing {

class ServerTest : public ::testing::Test {
 protected:
  // SetUp starts the server with `flags`; with nullopt the test starts it (StartServer).
  explicit ServerTest(std::optional<std::vector<std::string>> flags = std::vector<std::string>{}) : setup_flags_(std::move(flags)) {}

  void SetUp() override {
    if (setup_flags_) {
      ASSERT_TRUE(StartServer(*setup_flags_));
    }
  }

  // Starts `pilotledgerd serve` on `data_dir` (the fixture's ledger by default) with `flags`,
  // stopping the running one first, and connects `c_` to it.
  [[nodiscard]] ::testing::AssertionResult StartServer(const std::vector<std::string>& flags = {}) {
    return StartServerOn(ledger_.data_dir(), flags);
  }
  [[nodiscard]] ::testing::AssertionResult StartServerOn(const std::string& data_dir, const std::vector<std::string>& flags = {}) {
    c_.reset();
    server_.reset();
    if (ledger_.init_status() != 0) return ::testing::AssertionFailure() << "pilotledgerd init failed: " << ledger_.init_output();
    server_ = ServerProcess::Start(data_dir, flags);
    if (server_ == nullptr) {
      return ::testing::AssertionFailure() << "pilotledgerd serve did not start on " << data_dir << ":\n" << ReadFile(data_dir + "/../server.log");
    }
    c_ = server_->Client();
    if (c_ == nullptr) return ::testing::AssertionFailure() << "cannot connect to " << server_->url();
    return ::testing::AssertionSuccess();
  }

  // A new connection whose reads are signed by `actor`'s key.
  std::unique_ptr<client::LedgerClient> As(const std::string& actor) const {
    auto c = server_->Client();
    c->SetReader(ledger_.Id(actor));
    return c;
  }

  TestLedger ledger_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<client::LedgerClient> c_;

 private:
  std::optional<std::vector<std::string>> setup_flags_;
};

}  // namespace pilotledger::testing
