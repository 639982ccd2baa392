#pragma once

#include <string>
#include <string_view>

namespace pilotledger::projections {

// Checks a unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters over
// 0-9 A-H J-N P-R T-U W-Y, positions 3–8 digits, and the check character. Returns an empty
// string if valid, else what is wrong ("check character is 'X', expected '5'").
std::string UsccProblem(std::string_view code);
// The check character for the first 17 characters. REQUIRES: they are in the alphabet.
char UsccCheckCharacter(std::string_view first17);

}  // namespace pilotledger::projections
