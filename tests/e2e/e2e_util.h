#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <thread>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "client/ledger_client.h"
#include "ledger/encoding.h"
#include "projections/actors.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/ledger_builder.h"

namespace pilotledger::testing {

inline std::string Bin(const std::string& name) { return std::string(PILOT_BIN_DIR) + "/" + name; }

// Starts `argv` with stdout (and stderr, if `with_stderr`) on the returned pid's `out_fd`, and
// stdin from `in_fd` (or inherited if -1). The parent's ends: out_fd to read.
inline pid_t Spawn(const std::vector<std::string>& argv, int& out_fd, bool with_stderr, int in_fd = -1,
                   const std::string& stderr_file = "") {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test, even if it crashes
    if (in_fd >= 0) dup2(in_fd, 0);  // dup2 clears O_CLOEXEC on the copy
    dup2(out_pipe[1], 1);
    if (with_stderr) dup2(out_pipe[1], 2);
    if (!stderr_file.empty()) {
      const int fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) dup2(fd, 2);
    }
    close(out_pipe[0]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  out_fd = out_pipe[0];
  return pid;
}

// Runs a command to completion; returns its exit status and fills `out` with stdout+stderr.
inline int RunCommand(const std::vector<std::string>& argv, std::string* out = nullptr, const std::string& input = "") {
  int in_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return -1;
  int out_fd = -1;
  const pid_t pid = Spawn(argv, out_fd, /*with_stderr=*/true, in_pipe[0]);
  close(in_pipe[0]);
  if (!input.empty()) (void)!write(in_pipe[1], input.data(), input.size());
  close(in_pipe[1]);
  std::string output;
  char buf[4096];
  ssize_t n;
  while ((n = read(out_fd, buf, sizeof buf)) > 0) output.append(buf, size_t(n));
  close(out_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out) *out = output;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A running `pilotledgerd serve` on 127.0.0.1 with a free port, killed on destruction.
class ServerProcess {
 public:
  // `binary`: pilotledgerd, or the tests' tampered-log server (tests/CMakeLists.txt).
  static std::unique_ptr<ServerProcess> Start(const std::string& data_dir, std::vector<std::string> extra = {},
                                              const std::string& binary = "pilotledgerd") {
    std::vector<std::string> argv = {Bin(binary), "serve", "--data", data_dir, "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    int out_fd = -1;
    const std::string log = data_dir + "/../server.log";
    const pid_t pid = Spawn(argv, out_fd, /*with_stderr=*/false, -1, log);
    if (pid < 0) return nullptr;
    auto p = std::unique_ptr<ServerProcess>(new ServerProcess(pid, out_fd));
    p->log_path_ = log;
    if (!p->WaitForAddress()) return nullptr;
    return p;
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(fd_);
  }
  const std::string& url() const { return url_; }
  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  // Sends `sig` and waits for the exit; returns the exit status (128+signal if killed).
  int Stop(int sig) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Everything the server printed to stdout so far (after the address line).
  std::string Output() {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd_, buf, sizeof buf)) > 0) output_.append(buf, size_t(n));
    return output_;
  }
  // What the server wrote to stderr (its request log and errors).
  std::string Log() const { return ReadFile(log_path_); }
  std::unique_ptr<client::LedgerClient> Client() const {
    auto c = client::LedgerClient::Connect(url_);
    return c.ok() ? std::move(*c) : nullptr;
  }

 private:
  ServerProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  bool WaitForAddress() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        char buf[1024];
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) return false;
        output_.append(buf, size_t(n));
        const auto at = output_.find("listening on ");
        if (at != std::string::npos && output_.find(' ', at + 13) != std::string::npos) {
          address_ = output_.substr(at + 13, output_.find(' ', at + 13) - at - 13);
          url_ = "http://" + address_;
          fcntl(fd_, F_SETFL, O_NONBLOCK);
          return true;
        }
      }
    }
    return false;
  }
  pid_t pid_;
  int fd_;
  std::string output_, address_, url_, log_path_;
};

// A ledger in a temporary directory, created with `pilotledgerd init`, and the founders' keys.
class TestLedger {
 public:
  struct Founder {
    std::string actor, role, department, region, unit;
  };
  static std::vector<Founder> Ministries() {
    return {{"miit", "ministry", "miit", "", ""}, {"mca", "ministry", "mca", "", ""}, {"nhc", "ministry", "nhc", "", ""}};
  }

  explicit TestLedger(const std::vector<Founder>& founders = Ministries(), const std::string& origin = "test.pilotledger/log",
                      const std::string& policy_file = "") {
    Json authorities = Json::array();
    for (const Founder& f : founders) authorities.push_back(Descriptor(f, NewKey(f.actor)));
    const std::string path = dir_ / "authorities.json";
    std::ofstream(path) << authorities.dump();
    std::vector<std::string> argv = {Bin("pilotledgerd"), "init", "--data", data_dir(), "--origin", origin, "--authorities", path};
    if (!policy_file.empty()) argv.insert(argv.end(), {"--policy", policy_file});
    std::string out;
    init_status_ = RunCommand(argv, &out);
    init_output_ = out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    verifier_key_ = out;
  }

  std::string data_dir() const { return dir_ / "data"; }
  const TempDir& dir() const { return dir_; }
  int init_status() const { return init_status_; }
  const std::string& init_output() const { return init_output_; }
  const std::string& verifier_key() const { return verifier_key_; }

  const PrivateKey& NewKey(const std::string& actor) { return keys_.NewKey(actor); }
  client::Identity Id(const std::string& actor) const { return {actor, keys_.Existing(actor)}; }

  // An actor descriptor (an actor.registered body) for `f` with `key`.
  static Json Descriptor(const Founder& f, const PrivateKey& key) {
    Json extra = Json::object();
    if (!f.department.empty()) extra["department"] = f.department;
    if (!f.region.empty()) extra["region"] = f.region;
    if (!f.unit.empty()) extra["unit"] = f.unit;
    return ActorDescriptor(f.actor, f.role, f.actor + " (test)", key.public_key(), extra);
  }

  // A signed event of `type` with `body`, signed by `signers`.
  SignedEvent Event(const std::string& id, const std::string& type, const Json& body, const std::vector<std::string>& signers,
                    Timestamp time = Timestamp{1697356800000}) const {
    return SignEvent(keys_, id, type, time, body, signers);
  }
  // actor.registered for a new actor `f` (with a fresh key), signed by the ministry of a provincial
  // department's line, or else by MIIT.
  SignedEvent Register(const Founder& f, const std::string& id = "") {
    const PrivateKey& key = NewKey(f.actor);
    std::string line = f.role == "provincial" ? projections::MinistryOfLine(f.department) : "";
    if (line.empty()) line = "miit";
    return Event(id.empty() ? "reg-" + f.actor : id, "actor.registered", Descriptor(f, key), {line});
  }

 private:
  TempDir dir_;
  KeyRing keys_;
  int init_status_ = -1;
  std::string init_output_;
  std::string verifier_key_;
};

}  // namespace pilotledger::testing

#include "projections/uscc.h"

namespace pilotledger::testing {

inline const std::vector<std::string> kMinistries = {"miit", "mca", "nhc"};

// The unit ids of the entries `pilotctl watch` wrote to `path`, one JSON line each, in order.
inline std::vector<std::string> WatchedUnitIds(const std::string& path) {
  std::vector<std::string> ids;
  std::istringstream lines(ReadFile(path));
  for (std::string line; std::getline(lines, line);) ids.push_back(Json::parse(line)["event"]["body"]["unit_id"]);
  return ids;
}

// Opens the historical 2017 campaign and grants titles to `n` Beijing enterprises; returns their ids.
inline std::vector<std::string> TitledUnits(TestLedger& ledger, client::LedgerClient& c, int n, int first = 1) {
  if (first == 1) {
    Result<client::AppendReceipt> open =
        c.Append(ledger.Event("open-2017", "campaign.opened", {{"campaign", "2017"}, {"rules", CampaignRules("2017")}}, kMinistries));
    EXPECT_TRUE(open.ok()) << open.status().ToString();
  }
  std::vector<std::string> ids;
  Json units = Json::array();
  for (int i = first; i < first + n; ++i) {
    ids.push_back(Uscc("110101", i));
    units.push_back({{"id", ids.back()}, {"name", "测试企业" + std::to_string(i)}, {"category", "enterprise"}, {"subtype", "product"},
                     {"region", "110101"}, {"authority", "110000"}});
  }
  Result<client::AppendReceipt> grant = c.Append(
      ledger.Event("grant-2017-" + std::to_string(first), "title.granted", {{"campaign", "2017"}, {"units", units}}, kMinistries));
  EXPECT_TRUE(grant.ok()) << grant.status().ToString();
  return ids;
}

// Appends each list of events over its own connection, the lists in parallel; every append must succeed.
inline void AppendInParallel(const ServerProcess& server, const std::vector<std::vector<SignedEvent>>& work) {
  std::vector<std::thread> threads;
  for (const auto& events : work) {
    threads.emplace_back([&server, &events] {
      auto c = server.Client();
      for (const SignedEvent& e : events) {
        Result<client::AppendReceipt> r = c->Append(e);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
}

// title.revoked of `unit` (reason other), signed by the three ministries.
inline SignedEvent Revocation(const TestLedger& ledger, const std::string& unit) {
  return ledger.Event("revoke-" + unit, "title.revoked",
                      {{"campaign", "2017"}, {"unit_id", unit}, {"reason", "other"}, {"note", "测试撤销"}}, kMinistries);
}

}  // namespace pilotledger::testing

namespace pilotledger::testing {

// Registers the three departments of `authority` (ids "p<authority>-miit" etc.).
inline void RegisterDepartments(TestLedger& ledger, client::LedgerClient& c, const std::string& authority) {
  for (const char* dep : {"miit", "civil", "health"}) {
    Result<client::AppendReceipt> r = c.Append(ledger.Register({"p" + authority + "-" + dep, "provincial", dep, authority, ""}));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  }
}

// Opens a selection campaign `name` under the 2023 rules with a deadline far ahead and no review.
inline void OpenSelection(TestLedger& ledger, client::LedgerClient& c, const std::string& name) {
  Json rules = CampaignRules("2023");
  rules["campaign"] = name;
  rules["deadline"] = "2099-12-31T23:59:59+08:00";
  rules.erase("review");
  // Without the process requirements (documents, checks, scores before publication), which the
  // whole-cycle test exercises: the other tests concern other things.
  rules.erase("documents");
  rules.erase("recommendation_check");
  rules["scoring"]["scores_required"] = 0;
  Result<client::AppendReceipt> r =
      c.Append(ledger.Event("open-" + name, "campaign.opened", {{"campaign", name}, {"rules", rules}}, kMinistries));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

// A street of Beijing (serial `n`) with metrics meeting every threshold of the 2023 rules.
inline Json StreetSubmission(const std::string& campaign, int n) {
  return {{"campaign", campaign},
          {"unit", {{"id", Uscc("110101", n, "11")}, {"name", "测试街道" + std::to_string(n)}, {"category", "street"}, {"region", "110101"},
                    {"authority", "110000"}}},
          {"metrics", {{"investment", 12000000}, {"it_investment", 2500000}, {"product_kinds", 6}, {"service_kinds", 6},
                       {"people_served", 15000}, {"online_offline", true}, {"contractor_evaluation", true}}},
          {"scenarios", {"family_health", "community_day_care", "home_visit_services", "medical_elderly_integration"}}};
}

}  // namespace pilotledger::testing
