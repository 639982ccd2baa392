#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/log.h"

namespace pilotledger::server {

// One committed entry as the stream sends it: the full message and the one for readers who may
// not see this entry's type (PROTOCOL.md §7 redaction). Immutable; shared by every watcher.
struct FeedFrame {
  uint64_t seq = 0;
  std::string type;
  bool is_public = false;
  std::string full;      // {"entry":{…}}
  std::string redacted;  // {"entry":{"leaf_hash","redacted":true,"seq","type"}}
};
// Frames are shared one by one, so that a watcher's queue holds only the frames it waits to send.
using FeedBatch = std::vector<std::shared_ptr<const FeedFrame>>;

// The messages of one entry, from its leaf.
FeedFrame MakeFeedFrame(uint64_t seq, const std::string& leaf, const Hash& leaf_hash);

// A watcher connection. Push is called on the sequencer thread and must only hand the batch over
// (post it to the watcher's own executor); it must never block.
class FeedSubscriber {
 public:
  virtual ~FeedSubscriber() = default;
  virtual void Push(std::shared_ptr<const FeedBatch> batch) = 0;
};

// Fans committed entries out to the watchers. Holds them weakly: a watcher's lifetime is its
// connection's. Thread-safe.
class FeedHub {
 public:
  // Publishes a committed batch to every watcher (sequencer thread).
  void Publish(const std::vector<ledger::AppendedLeaf>& leaves);
  // Adds a watcher; false if `max` watchers are already connected.
  bool Subscribe(const std::shared_ptr<FeedSubscriber>& subscriber, size_t max);
  size_t watchers() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::weak_ptr<FeedSubscriber>> subscribers_;  // guarded by mu_
};

}  // namespace pilotledger::server
