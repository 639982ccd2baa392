// Witnesses for the e2e tests: `pilotledgerd witness init` and `pilotledgerd witness` on a loopback
// port, and a C2SP tlog-policy file naming them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace pilotledger::testing {

// A witness's directory, key and (while running) process. Restart() reuses its port and its data.
class TestWitness {
 public:
  TestWitness(const std::string& dir, const std::string& name) : dir_(dir), name_(name) {
    std::string out;
    init_status_ = RunCommand({Bin("pilotledgerd"), "witness", "init", "--data", dir, "--name", name}, &out);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    vkey_ = out;
  }
  ~TestWitness() { Stop(); }

  // Starts it for the log of `ledger_key` on `port` (0: a free one, remembered for restarts).
  [[nodiscard]] bool Start(const std::string& ledger_key) {
    ledger_key_ = ledger_key;
    std::vector<std::string> argv = {Bin("pilotledgerd"), "witness", "--data", dir_, "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--log", ledger_key};
    int fd = -1;
    pid_ = Spawn(argv, fd, /*with_stderr=*/false, -1, dir_ + "/../" + name_.substr(name_.rfind('/') + 1) + ".log");
    if (pid_ < 0) return false;
    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[1024];
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      output.append(buf, size_t(n));
      const auto at = output.find("listening on ");
      if (at != std::string::npos && output.find(' ', at + 13) != std::string::npos) {
        const std::string address = output.substr(at + 13, output.find(' ', at + 13) - at - 13);
        port_ = std::stoi(address.substr(address.rfind(':') + 1));
        close(fd);
        return true;
      }
    }
    close(fd);
    return false;
  }
  [[nodiscard]] bool Restart() { return Start(ledger_key_); }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& vkey() const { return vkey_; }
  int init_status() const { return init_status_; }

 private:
  std::string dir_, name_, vkey_, ledger_key_;
  int init_status_ = -1;
  int port_ = 0;
  pid_t pid_ = -1;
};

// "log …", one "witness wN …" line per witness (with its URL), and a quorum of `k` of them.
inline std::string PolicyText(const std::string& ledger_key, const std::vector<TestWitness*>& witnesses, int k) {
  std::string text = "# the ledger and its witnesses\nlog " + ledger_key + "\n";
  std::string members;
  for (size_t i = 0; i < witnesses.size(); ++i) {
    const std::string name = "w" + std::to_string(i + 1);
    text += "witness " + name + " " + witnesses[i]->vkey() + " " + witnesses[i]->url() + "\n";
    members += " " + name;
  }
  return text + "group witnesses " + std::to_string(k) + members + "\nquorum witnesses\n";
}

}  // namespace pilotledger::testing
