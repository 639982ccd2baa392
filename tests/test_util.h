#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ledger/status.h"

namespace pilotledger::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A JSON file from tests/testdata.
inline nlohmann::json TestData(const std::string& name) {
  return nlohmann::json::parse(ReadFile(std::string(PILOT_TESTDATA_DIR) + "/" + name));
}

}  // namespace pilotledger::testing

// Assert/expect that a Status is OK; print it otherwise. Accept a streamed message.
#define ASSERT_OK(expr)                                                   \
  if (const ::pilotledger::Status pl_s_ = (expr); pl_s_.ok()) {          \
  } else                                                                  \
    FAIL() << #expr << ": " << pl_s_.ToString() << " "
#define EXPECT_OK(expr)                                                   \
  if (const ::pilotledger::Status pl_s_ = (expr); pl_s_.ok()) {          \
  } else                                                                  \
    ADD_FAILURE() << #expr << ": " << pl_s_.ToString() << " "
// Asserts that a Result is OK and yields its value.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) ASSERT_OK_AND_ASSIGN_IMPL_(PL_CONCAT_(pl_r_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()
