#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace pilotledger {

// A Prometheus-style histogram of durations in seconds with fixed buckets (0.1 ms … 10 s).
// Observe() is lock-free and thread-safe; readers see a consistent-enough snapshot for metrics.
class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                     0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   10.0};
  void Observe(double seconds) {
    size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  }
  // The Prometheus text lines for metric `name` (with optional `labels` like `code="x"`).
  std::string Render(const std::string& name, const std::string& labels = "") const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_micros_{0};
};

}  // namespace pilotledger
