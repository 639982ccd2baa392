// Ed25519 verifications per second through PublicKey::Verify on every core at once, with the
// backend the environment chooses (PILOTLEDGER_ED25519, ledger/crypto.h): the verification ceiling
// of bench/run (docs/performance.md). The messages are event-sized (300 bytes) and signed before
// the clock starts; each thread verifies its own keys, made as the server makes them.
//   [PILOTLEDGER_ED25519=openssl] verify_speed [--seconds S] [--threads N]
// Prints a VALUE line for bench/report.py.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "ledger/crypto.h"

namespace pilotledger {
namespace {

struct Signed {
  PublicKey key;
  std::string message, signature;
};

std::vector<Signed> Prepare(int count) {
  std::vector<Signed> out;
  for (int i = 0; i < count; ++i) {
    Result<PrivateKey> key = PrivateKey::Generate();
    if (!key.ok()) std::abort();
    std::string message(300, char('a' + i % 26));
    out.push_back({key->public_key(), message, key->Sign(message)});
  }
  return out;
}

double Rate(int threads, double seconds) {
  std::vector<std::vector<Signed>> work;
  for (int t = 0; t < threads; ++t) work.push_back(Prepare(64));
  std::atomic<bool> stop{false};
  std::atomic<long> done{0}, failed{0};
  std::vector<std::thread> pool;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      long n = 0;
      for (size_t i = 0; !stop.load(std::memory_order_relaxed); i = (i + 1) % work[t].size(), ++n) {
        const Signed& s = work[t][i];
        if (!s.key.Verify(s.message, s.signature)) failed.fetch_add(1);
      }
      done.fetch_add(n);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed.load() != 0) std::abort();  // every signature is valid
  return double(done.load()) / elapsed;
}

}  // namespace
}  // namespace pilotledger

int main(int argc, char** argv) {
  using namespace pilotledger;
  double seconds = 3;
  int threads = int(std::thread::hardware_concurrency());
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
  }
  const char* backend = Ed25519BackendName(CurrentEd25519Backend());
  std::printf("VALUE\tEd25519 verification ceiling, %d cores (%s, bench/verify_speed)\t%.0f\tverifications/s\t"
              "PublicKey::Verify, 300-byte messages\n", threads, backend, Rate(threads, seconds));
  return 0;
}
