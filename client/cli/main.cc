// pilotctl: the command line of PilotLedger for ministries, provinces, auditors and watchers.
#include <cstdlib>

#include "client/cli/cli.h"

using namespace pilotledger::cli;

namespace {

void Usage(const std::vector<Command>& commands) {
  std::cout << "usage: pilotctl [--server URL] [--as KEYFILE] [--json] [--ca PEM] <command> [options]\n\ncommands:\n";
  for (const Command& c : commands) std::cout << "  " << c.name << std::string(c.name.size() < 18 ? 18 - c.name.size() : 1, ' ') << c.summary << "\n";
  std::cout << "\nGlobal options come before the command. --server defaults to $PILOTCTL_SERVER or http://127.0.0.1:8080;\n"
               "--as authenticates reads with an actor's key. Run 'pilotctl <command> --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Command> commands;
  AddEventCommands(commands);
  AddQueryCommands(commands);
  AddVerifyCommands(commands);
  AddWatchCommands(commands);
  AddImportCommands(commands);
  AddSampleCommands(commands);

  Globals g;
  if (const char* env = std::getenv("PILOTCTL_SERVER")) g.server = env;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--json") {
      g.json = true;
    } else if (a == "--server" || a == "--as" || a == "--ca") {
      if (!value(a == "--server" ? g.server : a == "--as" ? g.reader : g.ca_file)) {
        std::cerr << "pilotctl: " << a << " needs a value\n";
        return kUsage;
      }
    } else if (a == "--version" || a == "version") {
      std::cout << "pilotctl " << PILOTLEDGER_VERSION << "\n";
      return kOk;
    } else if (a == "--help" || a == "-h" || a == "help") {
      Usage(commands);
      return kOk;
    } else {
      break;
    }
  }
  if (i >= argc) {
    Usage(commands);
    return kUsage;
  }
  const std::string name = argv[i];
  const std::vector<std::string> args(argv + i + 1, argv + argc);
  for (const Command& c : commands) {
    if (c.name != name) continue;
    try {
      return c.run(g, args);
    } catch (const po::error& e) {
      std::cerr << "pilotctl " << name << ": " << e.what() << " (see pilotctl " << name << " --help)\n";
      return kUsage;
    }
  }
  std::cerr << "pilotctl: unknown command " << name << " (see pilotctl --help)\n";
  return kUsage;
}
