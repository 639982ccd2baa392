// The real thing: the data directory on a small tmpfs, filled up under concurrent appends, then
// freed. The server answers 503 to what it cannot persist, keeps serving reads, takes appends again
// without a restart, and a restart finds every acknowledged entry. Mounting needs root (CI runs as
// root); elsewhere the test is skipped with a message.
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "ledger/merkle.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger::testing {
namespace {

using namespace std::chrono_literals;

class FullDiskTest : public ServerTest {
 protected:
  FullDiskTest() : ServerTest(std::nullopt) {}
  void TearDown() override {
    c_.reset();
    server_.reset();
    if (HasFailure() && mounted_) std::cerr << "server log:\n" << ReadFile(ledger_.dir() / "full-disk-server.log") << "\n";
    if (mounted_) ::umount2(mount_.c_str(), MNT_DETACH);
  }
  // Fills the tmpfs up to `leave` free bytes with a file; returns its path.
  std::string Fill(uint64_t leave) {
    struct statvfs v {};
    EXPECT_EQ(::statvfs(mount_.c_str(), &v), 0);
    const uint64_t free_bytes = uint64_t(v.f_bavail) * v.f_frsize;
    const std::string path = mount_ + "/filler";
    std::ofstream out(path, std::ios::binary);
    const std::string chunk(1 << 16, '\0');
    for (uint64_t written = 0; written + chunk.size() + leave <= free_bytes; written += chunk.size()) out.write(chunk.data(), chunk.size());
    return path;
  }

  std::string mount_;
  bool mounted_ = false;
};

TEST_F(FullDiskTest, AFullDataDiskGives503ReadsGoOnAndAppendsResumeOnceSpaceIsFreed) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs for the data directory (CI runs as root)";
  ASSERT_EQ(ledger_.init_status(), 0) << ledger_.init_output();
  mount_ = ledger_.dir() / "tmpfs";
  std::filesystem::create_directories(mount_);
  if (::mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=32m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  mounted_ = true;
  const std::string data = mount_ + "/data";
  // The server's log lives outside the full disk (its path is the data directory's parent's).
  std::filesystem::create_symlink(ledger_.dir() / "full-disk-server.log", mount_ + "/server.log");
  std::filesystem::copy(ledger_.data_dir(), data, std::filesystem::copy_options::recursive);
  // No per-connection request limit: on a tmpfs a sync costs nothing, and 8 connections appending
  // back to back can pass 1,000 requests/s each (429 too_many_requests is not what this tests).
  ASSERT_TRUE(StartServerOn(data, {"--log-requests", "false", "--requests-per-second", "0"}));

  std::vector<SignedEvent> events;
  for (int i = 0; i < 12000; ++i) events.push_back(ledger_.Register({"d-" + std::to_string(i), "expert", "", "", ""}));
  const std::string filler = Fill(512 << 10);

  std::mutex mu;
  std::map<uint64_t, Hash> acknowledged;
  std::atomic<int> next{0}, refused{0};
  std::atomic<bool> freed{false};
  const auto appender = [&] {
    auto c = server_->Client();
    for (int i; (i = next++) < int(events.size());) {
      // An event refused for want of space is sent again once space is freed: it must be stored once.
      for (int attempt = 0; attempt < 400; ++attempt) {
        Result<client::AppendReceipt> r = c->Append(events[i]);
        if (r.ok()) {
          std::lock_guard lock(mu);
          acknowledged[r->seq] = r->leaf_hash;
          break;
        }
        if (r.status().code() != Code::kUnavailable) {
          ADD_FAILURE() << r.status().ToString();
          return;
        }
        ++refused;
        std::this_thread::sleep_for(freed ? 10ms : 50ms);
      }
    }
  };
  std::vector<std::thread> threads;
  struct Joiner {
    std::vector<std::thread>& threads;
    std::atomic<int>& next;
    ~Joiner() {
      next = 1 << 30;  // stop taking events
      for (auto& t : threads) if (t.joinable()) t.join();
    }
  } joiner{threads, next};
  for (int t = 0; t < 8; ++t) threads.emplace_back(appender);
  // Wait for the disk to fill: appends refused with 503.
  for (int i = 0; i < 600 && refused == 0; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_GT(refused.load(), 0) << "the tmpfs never filled up";
  // Reads go on while the disk is full.
  auto reader = server_->Client();
  EXPECT_OK(reader->GetJson("/v1/actors/miit").status());
  EXPECT_OK(reader->SignedCheckpoint().status());
  Result<client::HttpResult> health = reader->Raw("GET", "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 503);
  // Free the space: appends resume without a restart.
  std::filesystem::remove(filler);
  freed = true;
  for (auto& t : threads) t.join();
  const uint64_t size = *reader->GetJson("/healthz").value()["size"].get_ptr<const int64_t*>();
  EXPECT_EQ(acknowledged.size(), events.size());
  EXPECT_EQ(size, 1 + events.size());  // genesis + each event once: nothing refused was stored

  // A restart (after SIGKILL) finds every acknowledged entry at its seq.
  server_->Stop(SIGKILL);
  ASSERT_TRUE(StartServerOn(data, {"--log-requests", "false"}));
  int checked = 0;
  for (const auto& [seq, hash] : acknowledged) {
    if (seq % 50 != 0) continue;  // a sample (the per-connection rate limit); the restart verified every leaf
    Result<client::HttpResult> e = c_->Raw("GET", "/v1/entries/" + std::to_string(seq));
    ASSERT_TRUE(e.ok() && e->status == 200) << seq;
    EXPECT_EQ(merkle::HashLeaf(e->body), hash) << "entry " << seq;
    ++checked;
  }
  EXPECT_GT(checked, 200);
  EXPECT_EQ(*c_->GetJson("/healthz").value()["size"].get_ptr<const int64_t*>(), int64_t(size));
}

}  // namespace
}  // namespace pilotledger::testing
