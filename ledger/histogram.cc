#include "ledger/histogram.h"

#include <cstdio>

namespace pilotledger {

std::string Histogram::Render(const std::string& name, const std::string& labels) const {
  std::string out;
  uint64_t cumulative = 0;
  const std::string sep = labels.empty() ? "" : ",";
  char line[256];
  for (size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (i < kBounds.size()) {
      std::snprintf(line, sizeof line, "%s_bucket{%s%sle=\"%g\"} %llu\n", name.c_str(), labels.c_str(), sep.c_str(), kBounds[i],
                    static_cast<unsigned long long>(cumulative));
    } else {
      std::snprintf(line, sizeof line, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name.c_str(), labels.c_str(), sep.c_str(),
                    static_cast<unsigned long long>(cumulative));
    }
    out += line;
  }
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  std::snprintf(line, sizeof line, "%s_sum%s %.6f\n%s_count%s %llu\n", name.c_str(), braces.c_str(),
                double(sum_micros_.load(std::memory_order_relaxed)) / 1e6, name.c_str(), braces.c_str(),
                static_cast<unsigned long long>(cumulative));
  out += line;
  return out;
}

}  // namespace pilotledger
