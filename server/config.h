#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include "ledger/canonical_json.h"
#include "server/http_server.h"
#include "server/ledger_service.h"

namespace pilotledger::server {

// Everything `pilotledgerd serve` can be told: from a JSON config file (config/pilotledger.json),
// then command-line overrides. Every setting has one name in both ("limits.max_body_bytes" in the
// file is --max-body-bytes on the command line).
struct Config {
  ServiceOptions service;
  ServerOptions server;
  std::string listen = "127.0.0.1:8080";
  // A C2SP tlog-policy file naming the witnesses (with URLs) and the quorum; none if empty.
  std::string witness_policy;
  std::chrono::milliseconds witness_timeout{5'000};
};

// Reads `path` into `config` strictly: unknown keys and wrong types are errors naming the key.
Status LoadConfigFile(const std::string& path, Config& config);
// Adds an option per setting to `options`, and applies those given on the command line.
void AddConfigOptions(boost::program_options::options_description& options);
Status ApplyConfigOptions(const boost::program_options::variables_map& vm, Config& config);
// Refuses settings that break a promise (a checkpoint at least every 5 s) or make no sense (an
// empty watcher queue). Errors: kInvalidArgument naming the setting.
Status ValidateConfig(const Config& config);
// Splits config.listen ("HOST:PORT", "[::1]:PORT") into server.host and server.port.
Status ResolveListen(Config& config);

}  // namespace pilotledger::server
