#pragma once

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "client/keys.h"
#include "client/ledger_client.h"

// pilotctl's shared plumbing: global options, argument parsing, output and errors.
namespace pilotledger::cli {

namespace po = boost::program_options;

struct Globals {
  std::string server = "http://127.0.0.1:8080";  // --server, or $PILOTCTL_SERVER
  std::string ca_file;                           // --ca
  std::string reader;                            // --as KEYFILE: authenticate reads
  bool json = false;                             // --json
};

// Exit codes: 0 success, 1 the operation failed, 2 usage error.
inline constexpr int kOk = 0, kFailed = 1, kUsage = 2;

// Prints "pilotctl: <message>" to stderr and returns kFailed.
int Fail(const std::string& message);
int Fail(const Status& status);
// Fail for a read: adds what to do when the answer is about the reader (an unauthenticated read
// without --as, or a key that is not the actor's registered key).
int FailRead(const Globals& g, const Status& status);
// "1 entry", "2 entries".
std::string Count(uint64_t n, const std::string& one, const std::string& many);

// Parses a command's arguments. `positional` names the positional options in order (the last
// may repeat). Prints the help and returns false for --help; throws po::error on bad usage.
bool Parse(const std::vector<std::string>& args, po::options_description& options,
           const std::vector<std::pair<std::string, int>>& positional, po::variables_map& vm, const std::string& usage);

// A client for the configured server, authenticating reads if --as was given.
Result<std::unique_ptr<client::LedgerClient>> Connect(const Globals& g);

// Prints `value` as indented JSON (for --json) with a trailing newline.
void PrintJson(const Json& value);
// Reads a file, or standard input for "-".
Result<std::string> ReadInput(const std::string& path);
// Reads a JSON file strictly, or "@-"/"-" from standard input.
Result<Json> ReadJsonInput(const std::string& path);
// Writes `text` to `path` ("-" for standard output).
Status WriteOutput(const std::string& path, const std::string& text);

using CommandFn = std::function<int(const Globals&, const std::vector<std::string>&)>;
struct Command {
  std::string name;
  std::string summary;
  CommandFn run;
};

// The command groups, registered by their files.
void AddEventCommands(std::vector<Command>& commands);
void AddQueryCommands(std::vector<Command>& commands);
void AddVerifyCommands(std::vector<Command>& commands);
void AddSampleCommands(std::vector<Command>& commands);
void AddWatchCommands(std::vector<Command>& commands);
void AddImportCommands(std::vector<Command>& commands);
void AddReportCommands(std::vector<Command>& commands);
void AddImportTableCommands(std::vector<Command>& commands);
void AddDocumentCommands(std::vector<Command>& commands);

// {name, sha256, bytes} of the file a --document option names: NAME=FILE, or FILE (named by its
// file name). The file itself never enters the log.
Result<Json> DocumentCitation(const std::string& spec);
// The `checks` of a recommendation from --check options, each METHOD:YYYY-MM-DD:NOTE (how the
// authority checked the unit); the ledger judges the method and the date.
Result<Json> CheckRecords(const std::vector<std::string>& items);

}  // namespace pilotledger::cli
