#include "client/keys.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ledger/event.h"

namespace pilotledger::client {
namespace {

constexpr std::string_view kActorLine = "# pilotledger actor: ";

}  // namespace

Status SaveIdentity(const std::string& path, const Identity& identity) {
  const std::string text = std::string(kActorLine) + identity.actor + "\n" + identity.key.ToPem();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status(Code::kInvalidArgument, "cannot create " + path + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status(Code::kInvalidArgument, "cannot write " + path);
  return Status::Ok();
}

Result<Identity> LoadIdentity(const std::string& spec) {
  std::string actor, path = spec;
  if (const auto eq = spec.find('='); eq != std::string::npos) {
    actor = spec.substr(0, eq);
    path = spec.substr(eq + 1);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read key file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (actor.empty() && text.rfind(kActorLine, 0) == 0) actor = text.substr(kActorLine.size(), text.find('\n') - kActorLine.size());
  if (actor.empty() || !IsValidId(actor)) {
    return Status(Code::kInvalidArgument, path + " does not name its actor: pass --key ACTOR=" + path);
  }
  Result<PrivateKey> key = PrivateKey::FromPem(text);
  if (!key.ok()) return Status(key.status().code(), path + ": " + key.status().message());
  return Identity{actor, *key};
}

Result<std::vector<Identity>> LoadIdentities(const std::vector<std::string>& specs) {
  std::vector<Identity> out;
  for (const std::string& s : specs) {
    PL_ASSIGN_OR_RETURN(Identity id, LoadIdentity(s));
    out.push_back(std::move(id));
  }
  return out;
}

}  // namespace pilotledger::client
