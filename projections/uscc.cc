#include "projections/uscc.h"

#include "ledger/utf8.h"

namespace pilotledger::projections {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

}  // namespace

char UsccCheckCharacter(std::string_view first17) {
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += static_cast<int>(kAlphabet.find(first17[i])) * kWeights[i];
  return kAlphabet[(31 - sum % 31) % 31];
}

std::string UsccProblem(std::string_view code) {
  if (code.size() != 18) return "a unified social credit code has 18 characters, not " + std::to_string(code.size());
  for (size_t i = 0; i < 18; ++i) {
    if (kAlphabet.find(code[i]) == std::string_view::npos) {
      // Quote the whole character, not the first byte of a multi-byte one (which would make the
      // message, and the error answer carrying it, invalid UTF-8: found by fuzz/bodies_fuzzer.cc).
      size_t end = i;
      char32_t cp;
      const std::string ch = NextUtf8(code, end, cp) ? Printable(code.substr(i, end - i)) : Printable(code.substr(i, 1));
      return "character " + std::to_string(i + 1) + " '" + ch + "' is not in the GB 32100 alphabet 0-9 A-H J-N P-R T-U W-Y";
    }
    if (i >= 2 && i < 8 && (code[i] < '0' || code[i] > '9')) {
      return "characters 3-8 are the administrative division code and must be digits";
    }
  }
  const char expected = UsccCheckCharacter(code.substr(0, 17));
  if (code[17] != expected) {
    return "check character is '" + std::string(1, code[17]) + "', expected '" + std::string(1, expected) + "'";
  }
  return "";
}

}  // namespace pilotledger::projections
