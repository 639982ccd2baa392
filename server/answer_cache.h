#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace pilotledger::server {

// Answers computed from one version of the served state, reused until the state moves on. The
// version is the state's size: the served state at a size is a pure function of the log's first
// `size` entries (it only ever holds durable entries), so an answer kept at that size is exactly
// what computing it again would give. For views that are costly to build and read often between
// two commits (the quota usage of a campaign; docs/performance.md (c)). Thread-safe.
class AnswerCache {
 public:
  // The body kept for `key` at `version`, if any.
  std::optional<std::string> Find(const std::string& key, uint64_t version) const {
    std::lock_guard lock(mu_);
    const auto it = answers_.find(key);
    if (it == answers_.end() || it->second.first != version) return std::nullopt;
    return it->second.second;
  }
  // Keeps `body` as the answer for `key` at `version`, unless one of a newer version is kept
  // (two readers on two versions race to keep theirs).
  void Keep(const std::string& key, uint64_t version, std::string body) {
    std::lock_guard lock(mu_);
    if (answers_.size() >= kMaxKeys && !answers_.count(key)) answers_.clear();  // a bound, for any key space
    auto [it, added] = answers_.try_emplace(key, version, std::move(body));
    if (!added && it->second.first < version) it->second = {version, std::move(body)};
  }

 private:
  static constexpr size_t kMaxKeys = 256;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> answers_;
};

}  // namespace pilotledger::server
