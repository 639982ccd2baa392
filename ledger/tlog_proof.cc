#include "ledger/tlog_proof.h"

#include <charconv>

#include "ledger/encoding.h"

namespace pilotledger::tlogproof {

std::string Format(const Proof& p) {
  std::string out = std::string(kHeader) + "\n";
  if (!p.extra.empty()) out += "extra " + Base64Encode(p.extra) + "\n";
  out += "index " + std::to_string(p.index) + "\n";
  for (const Hash& h : p.hashes) out += HashBase64(h) + "\n";
  out += "\n" + p.checkpoint;
  return out;
}

Result<Proof> Parse(std::string_view text) {
  const auto bad = [](const std::string& why) { return Status(Code::kInvalidArgument, "malformed tlog-proof: " + why); };
  Proof p;
  const auto next = [&](std::string_view& line) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return false;
    line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    return true;
  };
  std::string_view line;
  if (!next(line) || line != kHeader) return bad(std::string("the first line is not ") + std::string(kHeader));
  if (!next(line)) return bad("no index line");
  if (line.starts_with("extra ")) {
    const auto extra = Base64Decode(line.substr(6));
    if (!extra) return bad("the extra line is not base64");
    p.extra = *extra;
    if (!next(line)) return bad("no index line");
  }
  if (!line.starts_with("index ")) return bad("no index line");
  const std::string_view idx = line.substr(6);
  const auto [end, ec] = std::from_chars(idx.data(), idx.data() + idx.size(), p.index);
  if (idx.empty() || ec != std::errc() || end != idx.data() + idx.size() || (idx.size() > 1 && idx[0] == '0')) {
    return bad("the index is not a decimal");
  }
  while (true) {
    if (!next(line)) return bad("no blank line before the checkpoint");
    if (line.empty()) break;
    Result<Hash> h = HashFromBase64(line);
    if (!h.ok()) return bad("a proof line is not a base64 SHA-256 hash");
    if (p.hashes.size() >= 64) return bad("more than 64 proof hashes");
    p.hashes.push_back(*h);
  }
  if (text.empty()) return bad("no checkpoint");
  p.checkpoint = std::string(text);
  return p;
}

}  // namespace pilotledger::tlogproof
