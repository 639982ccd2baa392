#include "projections/cow_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace pilotledger::projections {
namespace {

using Map = CowMap<std::string, std::string, 8>;

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%05d", i);
  return buf;
}

std::vector<std::pair<std::string, std::string>> Items(const Map& m) {
  return {m.begin(), m.end()};
}

TEST(CowMapTest, BehavesLikeAStdMapUnderRandomInsertsErasesAndLookups) {
  Map m;
  std::map<std::string, std::string> model;
  std::mt19937 rng(7);
  for (int step = 0; step < 20000; ++step) {
    const std::string k = Key(int(rng() % 600));
    switch (rng() % 4) {
      case 0:
      case 1:
        m[k] = std::to_string(step);
        model[k] = std::to_string(step);
        break;
      case 2:
        EXPECT_EQ(m.erase(k), model.erase(k));
        break;
      default: {
        const auto it = std::as_const(m).find(k);
        const auto mit = model.find(k);
        ASSERT_EQ(it == m.end(), mit == model.end()) << k;
        if (mit != model.end()) {
          EXPECT_EQ(it->second, mit->second);
        }
        const auto ub = m.upper_bound(k);
        const auto mub = model.upper_bound(k);
        ASSERT_EQ(ub == m.end(), mub == model.end()) << k;
        if (mub != model.end()) {
          EXPECT_EQ(ub->first, mub->first);
        }
        const auto lb = m.lower_bound(k);
        const auto mlb = model.lower_bound(k);
        ASSERT_EQ(lb == m.end(), mlb == model.end()) << k;
        if (mlb != model.end()) {
          EXPECT_EQ(lb->first, mlb->first);
        }
      }
    }
    ASSERT_EQ(m.size(), model.size());
  }
  EXPECT_EQ(Items(m), (std::vector<std::pair<std::string, std::string>>(model.begin(), model.end())));
  EXPECT_GT(m.chunk_count(), 600u / 8 / 2);  // it did split
}

TEST(CowMapTest, ACopySharesEveryChunkAndAWriteClonesOnlyItsOwn) {
  Map a;
  for (int i = 0; i < 100; ++i) a[Key(i)] = "a";
  const size_t chunks = a.chunk_count();
  Map b = a;
  EXPECT_EQ(b.shared_chunks(), chunks);
  EXPECT_EQ(a.shared_chunks(), chunks);

  b[Key(50)] = "b";  // clones one chunk in b
  EXPECT_EQ(b.shared_chunks(), chunks - 1);
  EXPECT_EQ(a.at(Key(50)), "a");
  EXPECT_EQ(b.at(Key(50)), "b");

  // A lookup through a non-const map that finds nothing, and a const one, clone nothing.
  EXPECT_EQ(b.find("zzz"), b.end());
  EXPECT_EQ(std::as_const(b).find(Key(7))->second, "a");
  EXPECT_EQ(b.shared_chunks(), chunks - 1);

  b.find(Key(7))->second = "b";  // a mutable find clones the chunk it writes to
  EXPECT_EQ(a.at(Key(7)), "a");
  EXPECT_EQ(b.shared_chunks(), chunks - 2);

  b.erase(Key(99));
  EXPECT_TRUE(a.contains(Key(99)));
  EXPECT_FALSE(b.contains(Key(99)));
  EXPECT_EQ(a.size(), 100u);
  EXPECT_EQ(b.size(), 99u);
  EXPECT_FALSE(a == b);

  Map c = a;
  EXPECT_TRUE(c == a);
  a = Map();  // b still shares c's untouched chunks; dropping it too leaves them unshared
  EXPECT_EQ(c.shared_chunks(), chunks - 3);
  b = Map();
  EXPECT_EQ(c.shared_chunks(), 0u);
}

TEST(CowMapTest, AMutableIteratorUnsharesEachChunkItStepsInto) {
  Map a;
  for (int i = 0; i < 40; ++i) a[Key(i)] = "a";
  Map b = a;
  for (auto it = b.find(Key(0)); it != b.end(); ++it) it->second = "b";
  EXPECT_EQ(b.shared_chunks(), 0u);
  for (const auto& [k, v] : a) EXPECT_EQ(v, "a") << k;
  for (const auto& [k, v] : b) EXPECT_EQ(v, "b") << k;
}

TEST(CowMapTest, ReferencesSurviveTheSplitsOfLaterInserts) {
  Map m;
  std::string& first = m[Key(500)];
  first = "kept";
  for (int i = 0; i < 1000; ++i) m[Key(i)];
  EXPECT_EQ(&first, &m.at(Key(500)));
  EXPECT_EQ(first, "kept");
}

// append (a snapshot load) fills chunks in key order and leaves a map that behaves as one built by
// inserts; a key not above the last is refused; a copy's shared last chunk is cloned first.
TEST(CowMapTest, AppendBuildsInKeyOrderAndRefusesAnyOtherOrder) {
  Map m;
  for (int i = 0; i < 40; i += 2) ASSERT_NE(m.append(Key(i), "v" + std::to_string(i)), nullptr);
  EXPECT_EQ(m.chunk_count(), 3u);  // 20 keys in chunks of 8, filled
  EXPECT_EQ(m.append(Key(38), "again"), nullptr);
  EXPECT_EQ(m.append(Key(3), "before"), nullptr);
  EXPECT_EQ(m.size(), 20u);
  Map copy = m;
  ASSERT_NE(copy.append(Key(40), "v40"), nullptr);
  EXPECT_FALSE(m.contains(Key(40)));
  EXPECT_EQ(copy.shared_chunks(), 2u);
  for (int i = 1; i < 40; i += 2) m[Key(i)] = "odd";  // inserts between appended keys split them
  std::map<std::string, std::string> model;
  for (int i = 0; i < 40; ++i) model[Key(i)] = i % 2 ? "odd" : "v" + std::to_string(i);
  EXPECT_EQ(Items(m), (std::vector<std::pair<std::string, std::string>>(model.begin(), model.end())));
  EXPECT_EQ(m.size(), 40u);
}

// append_chunk (a snapshot load's units, decoded on several threads) adds a whole chunk after the
// last key, its nodes taken; a chunk that is empty, too large or not above the last key is refused
// and changes nothing; the map then behaves as one built by inserts (finds, splits, copies).
TEST(CowMapTest, AppendChunkAddsARunAfterTheLastKeyAndRefusesAnyOther) {
  Map m;
  const auto chunk = [](int from, int to) {
    Map::chunk_type c;
    for (int i = from; i < to; i += 2) c.emplace(Key(i), "v" + std::to_string(i));
    return c;
  };
  ASSERT_TRUE(m.append_chunk(chunk(0, 16)));  // 8 keys: a full chunk
  ASSERT_TRUE(m.append_chunk(chunk(16, 22)));  // 3 keys: chunks need not be full
  Map::chunk_type taken = chunk(22, 30);
  const std::string* node = &taken.begin()->second;
  ASSERT_TRUE(m.append_chunk(std::move(taken)));
  EXPECT_EQ(&m.at(Key(22)), node);  // the node itself, not a copy
  EXPECT_EQ(m.chunk_count(), 3u);
  EXPECT_EQ(m.size(), 15u);
  EXPECT_FALSE(m.append_chunk(chunk(28, 40)));  // its first key is the map's last
  EXPECT_FALSE(m.append_chunk(chunk(1, 3)));
  EXPECT_FALSE(m.append_chunk(Map::chunk_type{}));
  EXPECT_FALSE(m.append_chunk(chunk(30, 30 + 2 * 9)));  // 9 keys: over the chunk size
  EXPECT_EQ(m.size(), 15u);
  EXPECT_EQ(m.chunk_count(), 3u);
  Map copy = m;
  for (int i = 1; i < 30; i += 2) m[Key(i)] = "odd";
  std::map<std::string, std::string> model;
  for (int i = 0; i < 30; ++i) model[Key(i)] = i % 2 ? "odd" : "v" + std::to_string(i);
  EXPECT_EQ(Items(m), (std::vector<std::pair<std::string, std::string>>(model.begin(), model.end())));
  EXPECT_EQ(m.size(), 30u);
  EXPECT_EQ(copy.size(), 15u);
  EXPECT_EQ(copy.at(Key(22)), "v22");
  EXPECT_FALSE(copy.contains(Key(1)));
}

// Readers on one copy while the owner of another writes: run under ThreadSanitizer by ./test --all.
TEST(CowMapTest, ReadersOfACopyAndAWriterOfTheOriginalDoNotRace) {
  Map original;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 400; ++i) original[Key(i)] = "0";
    auto copy = std::make_unique<Map>(original);
    std::thread reader([&copy] {
      size_t n = 0;
      for (const auto& [k, v] : *copy) n += v.size();
      EXPECT_EQ(n, 400u);  // the copy still has every "0": the writer cloned before writing
      copy.reset();  // its chunks are released on this thread
    });
    for (int i = 0; i < 400; i += 3) original[Key(i)] = std::to_string(round + 10);
    reader.join();
  }
  EXPECT_EQ(original.shared_chunks(), 0u);
}

}  // namespace
}  // namespace pilotledger::projections
