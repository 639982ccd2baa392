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

#define ASSERT_OK(expr)                                            \
  do {                                                             \
    const ::pilotledger::Status& pl_s_ = (expr);                   \
    ASSERT_TRUE(pl_s_.ok()) << #expr << ": " << pl_s_.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                            \
  do {                                                             \
    const ::pilotledger::Status& pl_s_ = (expr);                   \
    EXPECT_TRUE(pl_s_.ok()) << #expr << ": " << pl_s_.ToString(); \
  } while (0)
// Asserts that a Result is OK and yields its value.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) ASSERT_OK_AND_ASSIGN_IMPL_(PL_CONCAT_(pl_r_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()
