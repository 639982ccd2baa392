// pilotledgerd: init, serve and rebuild a PilotLedger ledger.
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "ledger/canonical_json.h"
#include "projections/policy.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/ledger_service.h"

namespace po = boost::program_options;
using namespace pilotledger;

namespace {

constexpr const char* kUsage =
    "usage: pilotledgerd <command> [options]\n"
    "\n"
    "commands:\n"
    "  init     create a new ledger: its key and genesis entry\n"
    "  serve    serve a ledger over HTTP and WebSocket\n"
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
  server::ServiceOptions service_options;
  server::ServerOptions server_options;
  std::string listen = "127.0.0.1:8080";
  po::options_description o("pilotledgerd serve: serve a ledger");
  o.add_options()("help,h", "show this help")
      ("data", po::value(&service_options.data_dir)->required(), "data directory of the ledger")
      ("listen", po::value(&listen)->default_value(listen), "HOST:PORT to listen on (port 0 picks a free one)")
      ("threads", po::value(&server_options.threads), "I/O threads (default: one per core)")
      ("tls-cert", po::value(&server_options.tls_cert_file), "PEM certificate chain: serve HTTPS and WSS")
      ("tls-key", po::value(&server_options.tls_key_file), "PEM private key of --tls-cert");
  po::variables_map vm;
  if (!ParseArgs(args, o, vm)) return 0;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail("--listen takes HOST:PORT");
  server_options.host = listen.substr(0, colon);
  if (server_options.host.size() > 1 && server_options.host.front() == '[') {
    server_options.host = server_options.host.substr(1, server_options.host.size() - 2);
  }
  try {
    server_options.port = static_cast<uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    return Fail("--listen takes HOST:PORT");
  }

  SystemClock clock;
  Result<std::unique_ptr<server::LedgerService>> service = server::LedgerService::Open(service_options, clock);
  if (!service.ok()) return Fail("refusing to serve: " + service.status().ToString());
  server::Api api(**service);
  server::HttpServer http(api, server_options);
  Result<std::string> address = http.Listen();
  if (!address.ok()) return Fail(address.status().message());
  std::cout << "pilotledgerd: listening on " << address.value() << " (" << (*service)->log().size() << " entries, "
            << (*service)->log().verifier_key() << ")" << std::endl;
  http.RunUntilSignal([&] { (*service)->Stop(); });
  std::cout << "pilotledgerd: stopped at " << (*service)->log().size() << " entries" << std::endl;
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
