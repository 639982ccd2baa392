#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

namespace pilotledger::projections {

// A sorted map whose copy costs O(size / kChunk) instead of O(size): its entries are held in
// chunks of at most kChunk consecutive keys, each chunk shared by every copy until one of them
// writes to it, which then clones that chunk first (copy-on-write). The ledger's state is copied
// whole by the snapshot thread, by the report tables and after a rollback, under the readers'
// lock; with 10^5 units and actors a deep copy held the sequencer's next swap for tens of ms
// (docs/performance.md, "Snapshots without a stall").
//
// Threads: const members may run on several threads at once, also on different copies that share
// chunks (the reference counts are atomic; a writer sees a count of 1 only after every other
// copy's release, with acquire order). A writer must own its copy, as with std::map.
//
// Iteration is in key order. Only find, at and operator[] of a non-const map give mutable access,
// so a read through a non-const map never clones; a mutable iterator unshares the next chunk as it
// steps into it. References to values stay valid across inserts (chunks split by moving nodes),
// but not across a write to a chunk another copy still shares (which clones it).
// kChunk 64: a write to a chunk a snapshot shares clones 64 entries (docs/performance.md, "Snapshots
// off the log"); a copy costs one pointer per 64 entries.
template <typename K, typename V, size_t kChunk = 64>
class CowMap {
  using Inner = std::map<K, V>;
  struct Chunk : boost::intrusive_ref_counter<Chunk, boost::thread_safe_counter> {
    Inner map;
  };
  using ChunkPtr = boost::intrusive_ptr<Chunk>;

 public:
  using key_type = K;
  using mapped_type = V;
  using value_type = typename Inner::value_type;
  using size_type = size_t;

  template <bool kConst>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = typename Inner::value_type;
    using difference_type = std::ptrdiff_t;
    using reference = std::conditional_t<kConst, const value_type&, value_type&>;
    using pointer = std::conditional_t<kConst, const value_type*, value_type*>;

    Iter() = default;
    operator Iter<true>() const requires(!kConst) { return Iter<true>(owner_, chunk_, it_); }

    reference operator*() const { return *it_; }
    pointer operator->() const { return &*it_; }
    Iter& operator++() {
      if (++it_ == owner_->chunks_[chunk_]->map.end()) {
        if (++chunk_ == owner_->chunks_.size()) {
          it_ = InnerIt{};
        } else {
          if constexpr (!kConst) owner_->Unshare(chunk_);
          it_ = owner_->chunks_[chunk_]->map.begin();
        }
      }
      return *this;
    }
    Iter operator++(int) {
      Iter before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const Iter& a, const Iter& b) { return a.chunk_ == b.chunk_ && a.it_ == b.it_; }

   private:
    friend class CowMap;
    template <bool>
    friend class Iter;
    using InnerIt = std::conditional_t<kConst, typename Inner::const_iterator, typename Inner::iterator>;
    using Owner = std::conditional_t<kConst, const CowMap, CowMap>;
    Iter(Owner* owner, size_t chunk, InnerIt it) : owner_(owner), chunk_(chunk), it_(it) {}

    Owner* owner_ = nullptr;
    size_t chunk_ = 0;  // owner_->chunks_.size() at the end, with a value-initialised it_
    InnerIt it_{};
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  CowMap() = default;

  size_type size() const { return size_; }
  bool empty() const { return size_ == 0; }

  const_iterator begin() const { return chunks_.empty() ? end() : const_iterator(this, 0, chunks_[0]->map.begin()); }
  const_iterator end() const { return const_iterator(this, chunks_.size(), {}); }
  iterator mutable_end() { return iterator(this, chunks_.size(), {}); }

  const_iterator find(const K& key) const {
    if (chunks_.empty()) return end();
    const size_t c = ChunkFor(key);
    const auto it = chunks_[c]->map.find(key);
    return it == chunks_[c]->map.end() ? end() : const_iterator(this, c, it);
  }
  // Clones the key's chunk only if the key is there and the chunk is shared.
  iterator find(const K& key) {
    if (chunks_.empty()) return mutable_end();
    const size_t c = ChunkFor(key);
    if (!std::as_const(chunks_[c]->map).contains(key)) return mutable_end();
    Unshare(c);
    return iterator(this, c, chunks_[c]->map.find(key));
  }
  bool contains(const K& key) const { return find(key) != end(); }

  const V& at(const K& key) const {
    const auto it = find(key);
    if (it == end()) throw std::out_of_range("CowMap::at");
    return it->second;
  }
  V& at(const K& key) {
    const auto it = find(key);
    if (it == mutable_end()) throw std::out_of_range("CowMap::at");
    return it->second;
  }

  V& operator[](const K& key) {
    size_t c = 0;
    if (chunks_.empty()) {
      chunks_.push_back(ChunkPtr(new Chunk));
    } else {
      c = ChunkFor(key);
      Unshare(c);
    }
    Inner& map = chunks_[c]->map;
    const auto [it, inserted] = map.try_emplace(key);
    if (inserted) {
      ++size_;
      if (map.size() > kChunk) Split(c);  // moves nodes, not values: `it->second` stays put
    }
    return it->second;
  }

  // Adds `key` after every key the map holds, filling the last chunk up to kChunk (building a map
  // in key order, as a snapshot load does, without a search or a split per key). Null, and the
  // map unchanged, if `key` is not above the last key.
  V* append(K key, V value) {
    if (!chunks_.empty()) {
      if (!(std::prev(chunks_.back()->map.end())->first < key)) return nullptr;
      if (chunks_.back()->map.size() < kChunk) Unshare(chunks_.size() - 1);
    }
    if (chunks_.empty() || chunks_.back()->map.size() >= kChunk) chunks_.push_back(ChunkPtr(new Chunk));
    Inner& map = chunks_.back()->map;
    ++size_;
    return &map.emplace_hint(map.end(), std::move(key), std::move(value))->second;
  }

  // The map type of one chunk, and its most entries: a run of entries built apart (on another
  // thread, say: a snapshot load decodes its units on every core) as chunks of their own.
  using chunk_type = Inner;
  static constexpr size_t chunk_size = kChunk;
  // Adds `chunk` (1 to kChunk entries) after every key the map holds as a chunk of its own: its
  // nodes are taken, not copied. False, and the map unchanged, if it is empty, too large, or its
  // first key is not above the map's last key.
  bool append_chunk(Inner&& chunk) {
    if (chunk.empty() || chunk.size() > kChunk) return false;
    if (!chunks_.empty() && !(std::prev(chunks_.back()->map.end())->first < chunk.begin()->first)) return false;
    ChunkPtr c(new Chunk);
    c->map = std::move(chunk);
    size_ += c->map.size();
    chunks_.push_back(std::move(c));
    return true;
  }

  size_type erase(const K& key) {
    if (chunks_.empty()) return 0;
    const size_t c = ChunkFor(key);
    if (!std::as_const(chunks_[c]->map).contains(key)) return 0;
    Unshare(c);
    chunks_[c]->map.erase(key);
    --size_;
    if (chunks_[c]->map.empty()) chunks_.erase(chunks_.begin() + c);
    return 1;
  }

  const_iterator lower_bound(const K& key) const {
    if (chunks_.empty()) return end();
    const size_t c = ChunkFor(key);
    return Settle(c, chunks_[c]->map.lower_bound(key));
  }
  const_iterator upper_bound(const K& key) const {
    if (chunks_.empty()) return end();
    const size_t c = ChunkFor(key);
    return Settle(c, chunks_[c]->map.upper_bound(key));
  }

  friend bool operator==(const CowMap& a, const CowMap& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }

  // For tests: how many chunks this copy shares with another one.
  size_t shared_chunks() const {
    return size_t(std::count_if(chunks_.begin(), chunks_.end(), [](const ChunkPtr& c) { return c->use_count() > 1; }));
  }
  size_t chunk_count() const { return chunks_.size(); }

 private:
  // The chunk whose key range holds `key`: the last one whose first key is not above it (or the
  // first chunk). Chunks are never empty.
  size_t ChunkFor(const K& key) const {
    const auto it = std::upper_bound(chunks_.begin(), chunks_.end(), key,
                                     [](const K& k, const ChunkPtr& chunk) { return k < chunk->map.begin()->first; });
    return it == chunks_.begin() ? 0 : size_t(it - chunks_.begin()) - 1;
  }
  const_iterator Settle(size_t c, typename Inner::const_iterator it) const {
    if (it != chunks_[c]->map.end()) return const_iterator(this, c, it);
    return c + 1 == chunks_.size() ? end() : const_iterator(this, c + 1, chunks_[c + 1]->map.begin());
  }
  void Unshare(size_t c) {
    if (chunks_[c]->use_count() == 1) return;
    ChunkPtr copy(new Chunk);
    copy->map = chunks_[c]->map;
    chunks_[c] = std::move(copy);
  }
  // Moves the upper half of chunk c (unshared, over kChunk entries) into a new chunk after it.
  void Split(size_t c) {
    ChunkPtr upper(new Chunk);
    Inner& map = chunks_[c]->map;
    for (auto it = std::next(map.begin(), std::ptrdiff_t(map.size() / 2)); it != map.end();) {
      upper->map.insert(upper->map.end(), map.extract(it++));
    }
    chunks_.insert(chunks_.begin() + std::ptrdiff_t(c) + 1, std::move(upper));
  }

  std::vector<ChunkPtr> chunks_;
  size_type size_ = 0;
};

}  // namespace pilotledger::projections
