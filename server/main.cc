// pilotledgerd: init, serve and rebuild a PilotLedger ledger.
#include <sys/resource.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "ledger/canonical_json.h"
#include "ledger/tlog_policy.h"
#include "projections/policy.h"
#include "server/api.h"
#include "server/config.h"
#include "server/feed.h"
#include "server/http_server.h"
#include "server/ledger_service.h"
#include "server/rebuild.h"
#include "server/witness.h"
#include "server/witness_client.h"
#include "server/rotate_key.h"

namespace po = boost::program_options;
using namespace pilotledger;

namespace {

constexpr const char* kUsage =
    "usage: pilotledgerd <command> [options]\n"
    "\n"
    "commands:\n"
    "  init     create a new ledger: its key and genesis entry\n"
    "  serve    serve a ledger over HTTP and WebSocket\n"
    "  rebuild  replay the log from genesis and compare it with the stored projection snapshot\n"
    "  witness  run a C2SP tlog-witness ('witness init' creates its key)\n"
    "  rotate-key  replace the ledger key (server stopped), with a ledger.key_rotated entry signed by both keys\n"
    "  version  print the version\n"
    "\n"
    "Run 'pilotledgerd <command> --help' for a command's options.\n";

int Fail(const std::string& message) {
  std::cerr << "pilotledgerd: " << message << "\n";
  return 1;
}

Result<Json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  Result<Json> j = ParseStrictJson(s.str());
  if (!j.ok()) return Status(j.status().code(), path + ": " + j.status().message());
  return j;
}

// Parses `args` against `options`; prints help and returns false on --help.
bool ParseArgs(const std::vector<std::string>& args, const po::options_description& options, po::variables_map& vm) {
  po::store(po::command_line_parser(args).options(options).run(), vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

int Init(const std::vector<std::string>& args) {
  std::string data, origin, authorities_file, policy_file;
  po::options_description o("pilotledgerd init: create a new ledger (refuses to overwrite one)");
  o.add_options()("help,h", "show this help")
      ("data", po::value(&data)->required(), "data directory to create the ledger in")
      ("origin", po::value(&origin)->required(), "the log's origin, e.g. pilotledger.example/log")
      ("authorities", po::value(&authorities_file)->required(), "JSON file: array of founding actor descriptors")
      ("policy", po::value(&policy_file), "JSON file: the signing policy (default: the seeds' joint decisions)");
  po::variables_map vm;
  if (!ParseArgs(args, o, vm)) return 0;
  Result<Json> authorities = ReadJsonFile(authorities_file);
  if (!authorities.ok()) return Fail(authorities.status().message());
  Json policy = projections::DefaultPolicyJson();
  if (!policy_file.empty()) {
    Result<Json> p = ReadJsonFile(policy_file);
    if (!p.ok()) return Fail(p.status().message());
    policy = *p;
  }
  SystemClock clock;
  Result<std::string> key = server::LedgerService::Init(data, origin, *authorities, policy, clock);
  if (!key.ok()) return Fail(key.status().message());
  std::cout << *key << "\n";
  return 0;
}

int Serve(const std::vector<std::string>& args) {
  server::Config config;
  std::string config_file;
  po::options_description o("pilotledgerd serve: serve a ledger (settings from --config, overridden by flags)");
  o.add_options()("help,h", "show this help")("config", po::value(&config_file), "JSON config file, e.g. config/pilotledger.json");
  server::AddConfigOptions(o);
  po::variables_map vm;
  if (!ParseArgs(args, o, vm)) return 0;
  if (!config_file.empty()) {
    if (Status s = server::LoadConfigFile(config_file, config); !s.ok()) return Fail(s.message());
  }
  if (Status s = server::ApplyConfigOptions(vm, config); !s.ok()) return Fail(s.message());
  if (Status s = server::ResolveListen(config); !s.ok()) return Fail(s.message());
  if (Status s = server::ValidateConfig(config); !s.ok()) return Fail(s.message());
  if (config.service.data_dir.empty()) return Fail("no data directory: pass --data DIR (or set \"data\" in the config file)");
  server::ServiceOptions& service_options = config.service;
  server::ServerOptions& server_options = config.server;
#ifdef PILOTLEDGER_UNVERIFIED_TEST_SERVER
  // tests/CMakeLists.txt builds this file a second time as the tests' tampered-log server: it skips
  // the check of the stored log on open, so that it serves whatever the store holds and the tests can
  // show that the auditors' tools catch it.
  service_options.verify_log = false;
#endif

  // Every watcher holds a socket: use all the descriptors the system allows this process.
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  SystemClock clock;
  Result<std::unique_ptr<server::LedgerService>> service = server::LedgerService::Open(service_options, clock);
  if (!service.ok()) return Fail("refusing to serve: " + service.status().ToString());
  server::Metrics metrics;
  server::Api api(**service, metrics);
  server::FeedHub hub;
  metrics.SetWatcherCount([&hub] { return hub.watchers(); });
  (*service)->AddListener([&hub](const std::vector<ledger::AppendedLeaf>& leaves) { hub.Publish(leaves); });
  std::unique_ptr<server::WitnessClient> witnesses;
  if (!config.witness_policy.empty()) {
    Result<policy::Policy> p = policy::Load(config.witness_policy);
    if (!p.ok()) return Fail(p.status().message());
    Result<std::unique_ptr<server::WitnessClient>> w = server::WitnessClient::Create(**service, std::move(*p), config.witness_timeout);
    if (!w.ok()) return Fail(config.witness_policy + ": " + w.status().message());
    witnesses = std::move(*w);
    server::WitnessClient* client = witnesses.get();
    metrics.SetExtra([client] { return client->RenderMetrics(); });
    (*service)->AddListener([client](const std::vector<ledger::AppendedLeaf>&) { client->Notify(); });
    client->Start();
    client->Notify();
  }
  server::HttpServer http(api, hub, server_options);
  Result<std::string> address = http.Listen();
  if (!address.ok()) return Fail(address.status().message());
  std::cout << "pilotledgerd: listening on " << address.value() << " (" << (*service)->log().size() << " entries, "
            << (*service)->log().verifier_key() << ")" << std::endl;
  http.RunUntilSignal([&] {
    (*service)->Stop();
    if (witnesses) witnesses->Stop();
  });
  std::cout << "pilotledgerd: stopped at " << (*service)->log().size() << " entries" << std::endl;
  return 0;
}

int RebuildCmd(const std::vector<std::string>& args) {
  std::string data;
  bool write = false;
  po::options_description o("pilotledgerd rebuild: replay from genesis and compare with the stored snapshot (server stopped)");
  o.add_options()("help,h", "show this help")("data", po::value(&data)->required(), "data directory of the ledger")
      ("write", po::bool_switch(&write), "store a fresh snapshot of the replay");
  po::variables_map vm;
  if (!ParseArgs(args, o, vm)) return 0;
  Result<std::string> report = server::Rebuild(data, write);
  if (!report.ok()) return Fail(report.status().message());
  std::cout << *report;
  return 0;
}

int WitnessCmd(const std::vector<std::string>& args) {
  std::string data, name, listen = "127.0.0.1:8090";
  std::vector<std::string> logs;
  if (!args.empty() && args[0] == "init") {
    po::options_description o("pilotledgerd witness init: create a witness key (refuses to overwrite one); prints its verifier key");
    o.add_options()("help,h", "show this help")("data", po::value(&data)->required(), "the witness's data directory")
        ("name", po::value(&name)->required(), "the witness's key name, e.g. witness.example/w1");
    po::variables_map vm;
    if (!ParseArgs(std::vector<std::string>(args.begin() + 1, args.end()), o, vm)) return 0;
    Result<std::string> vkey = server::Witness::Init(data, name);
    if (!vkey.ok()) return Fail(vkey.status().message());
    std::cout << *vkey << "\n";
    return 0;
  }
  po::options_description o("pilotledgerd witness: a C2SP tlog-witness (POST /add-checkpoint, GET /<origin hash>/checkpoint)");
  o.add_options()("help,h", "show this help")("data", po::value(&data)->required(), "the witness's data directory (witness init)")
      ("listen", po::value(&listen), "HOST:PORT to listen on (port 0 picks a free one)")
      ("log", po::value(&logs)->required(), "a log's verifier key (its name is its origin); repeat for more logs");
  po::variables_map vm;
  if (!ParseArgs(args, o, vm)) return 0;
  std::vector<note::Verifier> keys;
  for (const std::string& l : logs) {
    Result<note::Verifier> v = note::ParseVerifierKey(l);
    if (!v.ok()) return Fail(v.status().message());
    keys.push_back(*v);
  }
  server::Config config;
  config.listen = listen;
  if (Status s = server::ResolveListen(config); !s.ok()) return Fail(s.message());
  SystemClock clock;
  Result<std::unique_ptr<server::Witness>> witness = server::Witness::Open(data, std::move(keys), clock);
  if (!witness.ok()) return Fail("refusing to serve: " + witness.status().ToString());
  server::Witness* w = witness->get();
  server::HttpServer http([w](const server::HttpRequest& r, std::function<void(server::HttpResponse)> respond) { respond(w->Handle(r)); },
                          config.server);
  Result<std::string> address = http.Listen();
  if (!address.ok()) return Fail(address.status().message());
  std::cout << "pilotledgerd: witness listening on " << *address << " (" << w->verifier_key() << ")" << std::endl;
  http.RunUntilSignal([] {});
  return 0;
}

int RotateKeyCmd(const std::vector<std::string>& args) {
  std::string data;
  po::options_description o("pilotledgerd rotate-key: replace the ledger key with a new one (server stopped); the "
                            "ledger.key_rotated entry, signed by both keys, lets auditors and watchers follow");
  o.add_options()("help,h", "show this help")("data", po::value(&data)->required(), "data directory of the ledger");
  po::variables_map vm;
  if (!ParseArgs(args, o, vm)) return 0;
  SystemClock clock;
  Result<server::RotateKeyReport> r = server::RotateKey(data, clock);
  if (!r.ok()) return Fail("cannot rotate the ledger key: " + r.status().message());
  std::cout << "rotated the ledger key at entry " << r->seq << "\n  old key  " << r->old_key << " (kept as ledger-key.pem.retired-"
            << r->seq << ")\n  new key  " << r->new_key << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "init") return Init(args);
    if (command == "serve") return Serve(args);
    if (command == "rebuild") return RebuildCmd(args);
    if (command == "witness") return WitnessCmd(args);
    if (command == "rotate-key") return RotateKeyCmd(args);
    if (command == "version" || command == "--version") {
      std::cout << "pilotledgerd " << PILOTLEDGER_VERSION << "\n";
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return 0;
    }
  } catch (const po::error& e) {
    return Fail(std::string(e.what()) + " (see pilotledgerd " + command + " --help)");
  }
  std::cerr << "pilotledgerd: unknown command " << command << "\n" << kUsage;
  return 2;
}
