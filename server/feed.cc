#include "server/feed.h"

#include "ledger/canonical_json.h"
#include "ledger/event.h"

namespace pilotledger::server {

FeedFrame MakeFeedFrame(uint64_t seq, const std::string& leaf, const Hash& leaf_hash) {
  FeedFrame f;
  f.seq = seq;
  const Json j = Json::parse(leaf, nullptr, /*allow_exceptions=*/false);
  f.type = j.is_object() && j["event"].is_object() ? j["event"].value("type", "") : "";
  const EventTypeInfo* info = FindEventType(f.type);
  f.is_public = info && info->is_public;
  f.full = "{\"entry\":" + leaf + "}";
  f.redacted = "{\"entry\":" +
               WriteCanonical({{"seq", seq}, {"type", f.type}, {"leaf_hash", HashBase64(leaf_hash)}, {"redacted", true}}) + "}";
  return f;
}

void FeedHub::Publish(const std::vector<ledger::AppendedLeaf>& leaves) {
  std::vector<std::shared_ptr<FeedSubscriber>> live;
  {
    std::lock_guard lock(mu_);
    std::erase_if(subscribers_, [&](const std::weak_ptr<FeedSubscriber>& w) {
      auto s = w.lock();
      if (!s) return true;
      live.push_back(std::move(s));
      return false;
    });
  }
  if (live.empty()) return;  // nobody to build the frames for
  auto batch = std::make_shared<FeedBatch>();
  batch->reserve(leaves.size());
  for (const ledger::AppendedLeaf& l : leaves) batch->push_back(std::make_shared<const FeedFrame>(MakeFeedFrame(l.seq, l.leaf, l.leaf_hash)));
  // Outside the lock: a subscriber's Push only posts to its own executor.
  const std::shared_ptr<const FeedBatch> shared = std::move(batch);
  for (const auto& s : live) s->Push(shared);
}

bool FeedHub::Subscribe(const std::shared_ptr<FeedSubscriber>& subscriber, size_t max) {
  std::lock_guard lock(mu_);
  std::erase_if(subscribers_, [](const std::weak_ptr<FeedSubscriber>& w) { return w.expired(); });
  if (subscribers_.size() >= max) return false;
  subscribers_.push_back(subscriber);
  return true;
}

size_t FeedHub::watchers() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& w : subscribers_) n += !w.expired();
  return n;
}

}  // namespace pilotledger::server
