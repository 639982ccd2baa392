// pilotctl: the command line of PilotLedger for ministries, provinces, auditors and watchers.
#include <cstdlib>

#include "client/cli/cli.h"

using namespace pilotledger::cli;

namespace {

void Usage(const std::vector<Command>& commands) {
  std::cout << "usage: pilotctl [--server URL] [--as KEYFILE] [--json] [--ca PEM] <command> [options]\n\ncommands:\n";
  for (const Command& c : commands) std::cout << "  " << c.name << std::string(c.name.size() < 18 ? 18 - c.name.size() : 1, ' ') << c.summary << "\n";
  std::cout << "\nGlobal options may come before or after the command. --server defaults to $PILOTCTL_SERVER or http://127.0.0.1:8080;\n"
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
  AddReportCommands(commands);
  AddImportTableCommands(commands);
  AddDocumentCommands(commands);
  AddSampleCommands(commands);

  Globals g;
  if (const char* env = std::getenv("PILOTCTL_SERVER")) g.server = env;
  // Global options may come anywhere on the line (before or after the command); the rest, in
  // order, is the command and its own arguments. After "--" nothing is taken as a global option.
  std::string name;
  std::vector<std::string> args;
  bool only_args = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (only_args) {
      args.push_back(a);
      continue;
    }
    std::string inline_value;
    bool has_inline = false;
    if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      const std::string opt = a.substr(0, eq);
      if (opt == "--server" || opt == "--as" || opt == "--ca") {
        inline_value = a.substr(eq + 1);
        has_inline = true;
        a = opt;
      }
    }
    if (a == "--") {
      only_args = true;
      if (!name.empty()) args.push_back(a);
    } else if (a == "--json") {
      g.json = true;
    } else if (a == "--server" || a == "--as" || a == "--ca") {
      std::string& out = a == "--server" ? g.server : a == "--as" ? g.reader : g.ca_file;
      if (has_inline) {
        out = inline_value;
      } else if (i + 1 < argc) {
        out = argv[++i];
      } else {
        std::cerr << "pilotctl: " << a << " needs a value (" << (a == "--as" ? "a key file" : a == "--ca" ? "a PEM file" : "a URL")
                  << ")\n";
        return kUsage;
      }
    } else if (name.empty() && (a == "--version" || a == "version")) {
      std::cout << "pilotctl " << PILOTLEDGER_VERSION << "\n";
      return kOk;
    } else if (name.empty() && (a == "--help" || a == "-h" || a == "help")) {
      Usage(commands);
      return kOk;
    } else if (name.empty()) {
      name = a;
    } else {
      args.push_back(a);
    }
  }
  if (name.empty()) {
    Usage(commands);
    return kUsage;
  }
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
