#include "client/cli/cli.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pilotledger::cli {

int Fail(const std::string& message) {
  std::cerr << "pilotctl: " << message << "\n";
  return kFailed;
}

int Fail(const Status& status) {
  std::string line = std::string(CodeName(status.code())) + ": " + status.message();
  if (status.details().contains("field")) line += " (field " + status.details()["field"].get<std::string>() + ")";
  if (status.details().contains("rule")) line += " (rule " + status.details()["rule"].get<std::string>() + ")";
  return Fail(line);
}

int FailRead(const Globals& g, const Status& status) {
  if (status.code() == Code::kUnauthenticated && g.reader.empty()) {
    return Fail(Status(status.code(), status.message() + "; use --as KEYFILE (an actor's key file, e.g. data/dev-keys/auditor.pem) to read as that actor",
                       status.details()));
  }
  if (status.code() == Code::kNotFound && g.reader.empty() && status.message().rfind("no unit ", 0) == 0) {
    return Fail(Status(status.code(), status.message() + " visible to the public (a unit that has only applied is seen by its own "
                                                          "authority, ministries and auditors: use --as KEYFILE)",
                       status.details()));
  }
  if (status.code() == Code::kUnauthenticated && status.message().find("read signature") != std::string::npos) {
    const auto of = status.message().find(" of "), does = status.message().find(" does not verify");
    const std::string actor = of != std::string::npos && does != std::string::npos ? status.message().substr(of + 4, does - of - 4) : "the actor";
    return Fail(Status(status.code(), status.message() + ": the key in " + g.reader + " is not " + actor +
                                          "'s registered key (compare pilotctl actors " + actor + ")",
                       status.details()));
  }
  return Fail(status);
}

std::string Count(uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool Parse(const std::vector<std::string>& args, po::options_description& options,
           const std::vector<std::pair<std::string, int>>& positional, po::variables_map& vm, const std::string& usage) {
  options.add_options()("help,h", "show this help");
  po::positional_options_description pos;
  for (const auto& [name, count] : positional) pos.add(name.c_str(), count);
  po::store(po::command_line_parser(args).options(options).positional(pos).run(), vm);
  if (vm.count("help")) {
    // Wide enough that no value list ("a|b|c") is broken inside a word.
    std::ostringstream narrow;
    narrow << options;
    std::string caption = narrow.str().substr(0, narrow.str().find('\n'));
    if (!caption.empty() && caption.back() == ':') caption.pop_back();
    po::options_description wide(caption, 160, 100);
    for (const auto& option : options.options()) wide.add(option);
    std::cout << "usage: " << usage << "\n\n" << wide << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

Result<std::unique_ptr<client::LedgerClient>> Connect(const Globals& g) {
  client::ClientOptions options;
  options.ca_file = g.ca_file;
  PL_ASSIGN_OR_RETURN(auto c, client::LedgerClient::Connect(g.server, options));
  if (!g.reader.empty()) {
    PL_ASSIGN_OR_RETURN(client::Identity reader, client::LoadIdentity(g.reader));
    c->SetReader(std::move(reader));
  }
  return c;
}

void PrintJson(const Json& value) { std::cout << value.dump(2, ' ', false) << "\n"; }

Result<std::string> ReadInput(const std::string& path) {
  std::stringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(Code::kNotFound, "cannot read " + path);
    buffer << in.rdbuf();
  }
  return buffer.str();
}

Result<Json> ReadJsonInput(const std::string& path) {
  PL_ASSIGN_OR_RETURN(std::string text, ReadInput(path.rfind('@', 0) == 0 ? path.substr(1) : path));
  Result<Json> j = ParseStrictJson(text);
  if (!j.ok()) return Status(j.status().code(), path + ": " + j.status().message());
  return j;
}

Status WriteOutput(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return Status::Ok();
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Status(Code::kInvalidArgument, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status(Code::kInvalidArgument, "cannot write " + path);
  return Status::Ok();
}

}  // namespace pilotledger::cli
