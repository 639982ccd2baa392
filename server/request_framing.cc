#include "server/request_framing.h"

#include <cctype>
#include <string>

namespace pilotledger::server {
namespace {

bool NameIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

}  // namespace

size_t HeaderBlockSize(std::string_view data) {
  for (size_t pos = 0; (pos = data.find('\n', pos)) != std::string_view::npos; ++pos) {
    if (pos + 1 < data.size() && data[pos + 1] == '\n') return pos + 2;
    if (pos + 2 < data.size() && data[pos + 1] == '\r' && data[pos + 2] == '\n') return pos + 3;
  }
  return 0;
}

Status CheckFraming(std::string_view block) {
  int content_length = 0, transfer_encoding = 0;
  size_t pos = block.find('\n');  // the request line is Beast's to judge
  while (pos != std::string_view::npos && pos + 1 < block.size()) {
    const size_t start = pos + 1;
    pos = block.find('\n', start);
    std::string_view line = block.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the header block
    if (line.front() == ' ' || line.front() == '\t') {
      return Status(Code::kInvalidArgument, "malformed HTTP request: a header line folded onto the next (obs-fold)");
    }
    const auto value = [&line] {
      std::string_view v = line.substr(line.find(':') + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return v;
    };
    if (NameIs(line, "content-length")) {
      ++content_length;
      const std::string_view v = value();
      if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos) {
        return Status(Code::kInvalidArgument, "malformed HTTP request: Content-Length must be one decimal number");
      }
    }
    if (NameIs(line, "transfer-encoding")) {
      ++transfer_encoding;
      std::string v(value());
      for (char& c : v) c = char(std::tolower(static_cast<unsigned char>(c)));
      if (v != "chunked") return Status(Code::kInvalidArgument, "malformed HTTP request: the only Transfer-Encoding taken is chunked");
    }
  }
  if (content_length > 1) return Status(Code::kInvalidArgument, "malformed HTTP request: more than one Content-Length");
  if (transfer_encoding > 1) return Status(Code::kInvalidArgument, "malformed HTTP request: more than one Transfer-Encoding");
  if (content_length && transfer_encoding) {
    return Status(Code::kInvalidArgument, "malformed HTTP request: both Content-Length and Transfer-Encoding");
  }
  return Status::Ok();
}

}  // namespace pilotledger::server
