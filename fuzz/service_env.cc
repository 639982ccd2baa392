#include "fuzz/service_env.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>

namespace pilotledger::fuzz {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz service: %s\n", what.c_str());
  std::abort();
}

ServiceEnv* g_env = nullptr;

ServiceEnv* Create() {
  const World& w = TheWorld();
  auto* env = new ServiceEnv;  // lives until exit (RemoveAtExit)
  char dir[] = "/tmp/pilot-fuzz-ledger-XXXXXX";
  if (!mkdtemp(dir)) Die("mkdtemp");
  env->dir = dir;
  Result<std::string> key = server::LedgerService::Init(env->dir + "/data", w.origin, w.authorities, w.policy, env->clock);
  if (!key.ok()) Die("init: " + key.status().ToString());
  server::ServiceOptions options;
  options.data_dir = env->dir + "/data";
  options.snapshot_interval = 0;
  Result<std::unique_ptr<server::LedgerService>> s = server::LedgerService::Open(options, env->clock);
  if (!s.ok()) Die("open: " + s.status().ToString());
  env->service = std::move(*s);
  for (const SignedEvent& e : w.events) {
    std::promise<Result<ledger::Receipt>> p;
    env->service->Append(e, [&p](Result<ledger::Receipt> r) { p.set_value(std::move(r)); });
    Result<ledger::Receipt> r = p.get_future().get();
    if (!r.ok()) Die("append " + e.type + ": " + r.status().ToString());
  }
  env->api = std::make_unique<server::Api>(*env->service, env->metrics);
  std::atexit([] {
    g_env->api.reset();
    g_env->service.reset();
    std::error_code ec;
    std::filesystem::remove_all(g_env->dir, ec);
  });
  return env;
}

}  // namespace

ServiceEnv& TheService() {
  static ServiceEnv* env = g_env = Create();
  return *env;
}

std::string FillAuthorization(const std::string& header, const std::string& method, const std::string& target,
                              std::string* signed_by) {
  signed_by->clear();
  std::string h = header;
  const std::string time = FormatRfc3339Seconds(TheService().clock.Now());
  if (const auto t = h.find("time=@"); t != std::string::npos) h.replace(t + 5, 1, time);
  const auto s = h.find("sig=@");
  if (s == std::string::npos) return h;
  // The actor and time as the header gives them (the first occurrence of each).
  const auto value = [&](const std::string& key) -> std::string {
    const auto k = h.find(key + "=");
    if (k == std::string::npos) return "";
    const auto begin = k + key.size() + 1;
    return h.substr(begin, h.find(',', begin) - begin);
  };
  const std::string actor = value("actor");
  const std::string sig = TheWorld().ReadSignature(actor, method, target, value("time"));
  if (sig.empty()) return h;
  h.replace(s + 4, 1, sig);
  *signed_by = actor;
  return h;
}

server::HttpResponse Call(const server::HttpRequest& request) {
  std::promise<server::HttpResponse> p;
  TheService().api->Handle(request, [&p](server::HttpResponse r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

}  // namespace pilotledger::fuzz
