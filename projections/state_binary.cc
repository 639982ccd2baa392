// The state's binary form (snapshot.h): the server's snapshot. StateToJson's DOM of a large state
// costs seconds and ~4× the state's memory to build, write, parse and free (docs/performance.md,
// "A binary snapshot"); this form is written into one string and read straight into the state.
//
// Layout (docs/storage.md): kBinaryStateMagic, then unsigned integers as LEB128 varints, signed
// ones zigzag-encoded, booleans as one byte 0 or 1, strings (and canonical JSON texts) as a
// varint length and the bytes, an optional as a boolean and then the value, a list or map as a
// varint count and its items (map keys strictly increasing). Event types are indices into the
// table of names the snapshot carries (their enum values are not a format). The units, most of a
// large state, come in blocks of kUnitsPerBlock, each a string of its own, so that a load decodes
// them on every core (docs/performance.md, "The snapshot's units on every core").
#include <algorithm>
#include <atomic>
#include <thread>

#include "ledger/utf8.h"
#include "projections/internal/snapshot_json.h"
#include "projections/snapshot.h"

namespace pilotledger::projections {
namespace {

class Writer {
 public:
  void U(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(char(uint8_t(v) | 0x80));
      v >>= 7;
    }
    out_.push_back(char(v));
  }
  void I(int64_t v) { U((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
  void B(bool v) { out_.push_back(v ? 1 : 0); }
  void S(std::string_view v) {
    U(v.size());
    out_.append(v);
  }
  void J(const Json& v) { S(WriteCanonical(v)); }
  void Opt(const std::optional<uint64_t>& v) {
    B(v.has_value());
    if (v) U(*v);
  }
  void Raw(std::string_view v) { out_.append(v); }
  template <typename Items, typename F>
  void List(const Items& items, F each) {
    U(items.size());
    for (const auto& item : items) each(item);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what Writer wrote. A malformed input sets the first error and makes every later read
// return an empty value, so a decoder reads on and checks ok() at the end (and in its loops).
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  uint64_t U() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return Fail("it ends inside a number");
      const uint8_t b = uint8_t(in_.front());
      in_.remove_prefix(1);
      if (shift == 63 && b > 1) return Fail("a number is out of range");
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail("a number is out of range");
  }
  int64_t I() {
    const uint64_t z = U();
    return int64_t(z >> 1) ^ -int64_t(z & 1);
  }
  bool B() {
    if (in_.empty()) return Fail("it ends inside a boolean");
    const char b = in_.front();
    in_.remove_prefix(1);
    if (b != 0 && b != 1) return Fail("a boolean is neither 0 nor 1");
    return b == 1;
  }
  std::string_view Bytes(size_t n) {
    if (n > in_.size()) return Fail("it ends inside a string"), std::string_view();
    const std::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  std::string S() { return std::string(Bytes(Count())); }
  Json J() {
    const std::string_view text = Bytes(Count());
    if (!ok()) return Json();
    Result<Json> j = ParseStrictJson(text);
    if (!j.ok()) return Fail("a JSON value does not parse: " + j.status().message()), Json();
    return std::move(*j);
  }
  std::optional<uint64_t> Opt() {
    if (!B()) return std::nullopt;
    return U();
  }
  // A count of items or bytes that follow: each takes at least a byte, so a count beyond what is
  // left is malformed (and never allocates).
  // `min_bytes`: the fewest bytes an item takes.
  size_t Count(size_t min_bytes = 1) {
    const uint64_t n = U();
    if (n > in_.size() / min_bytes) return Fail("a count exceeds what follows");
    return size_t(n);
  }
  // Calls each() for every item of a list, stopping at the first error.
  template <typename F>
  void List(F each) {
    const size_t n = Count();
    for (size_t i = 0; i < n && ok(); ++i) each();
  }
  // A list read into a vector of each()'s items, reserved to its count first (a loaded state
  // holds no spare capacity: a unit's assessments and history are most of its memory).
  // `min_bytes`: the fewest bytes an item takes.
  template <typename T, typename F>
  std::vector<T> Vector(size_t min_bytes, F each) {
    std::vector<T> v;
    const size_t n = Count(min_bytes);
    v.reserve(n);
    for (size_t i = 0; i < n && ok(); ++i) {
      T item = each();
      if (ok()) v.push_back(std::move(item));
    }
    return v;
  }
  // The key of a map's next item, which must be above the one before (`last`).
  template <typename K>
  bool Increasing(const std::optional<K>& last, const K& key) {
    if (last && !(*last < key)) return Fail("a map's keys are not in increasing order");
    return true;
  }

  // `why` may quote the input's bytes (a type's name, an id), which need not be UTF-8.
  bool Fail(std::string_view why) {
    if (error_.empty()) error_ = Printable(why);
    in_ = {};
    return false;
  }
  bool ok() const { return error_.empty(); }
  bool at_end() const { return in_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string_view in_;
  std::string error_;
};

// A map of strings to T in key order: each() reads one T into the reference it is given.
template <typename Map, typename F>
void ReadStringMap(Reader& r, Map& map, F each) {
  std::optional<std::string> last;
  r.List([&] {
    std::string key = r.S();
    if (!r.Increasing(last, key)) return;
    each(map.emplace_hint(map.end(), key, typename Map::mapped_type{})->second);
    last = std::move(key);
  });
}

// --- The parts of a unit.

void WriteTrack(Writer& w, const Track& t) {
  w.Opt(t.recommended_seq);
  w.Opt(t.published_seq);
  w.B(t.objection_deadline.has_value());
  if (t.objection_deadline) w.I(t.objection_deadline->ms);
  w.Opt(t.rejected_seq);
  w.List(t.scores, [&](const Score& s) {
    w.U(s.seq);
    w.S(s.expert);
    w.I(s.score);
  });
  w.List(t.spot_checks, [&](const SpotCheck& s) {
    w.U(s.seq);
    w.B(s.passed);
  });
  w.List(t.objections, [&](const Objection& o) {
    w.U(o.seq);
    w.S(o.summary);
    w.Opt(o.resolved_seq);
    w.B(o.upheld);
  });
  w.B(t.refusal.has_value());
  if (t.refusal) {
    w.U(t.refusal->seq);
    w.S(t.refusal->reason);
    w.S(t.refusal->note);
  }
  w.List(t.checks, [&](const CheckRecord& c) {
    w.S(c.method);
    w.S(c.date);
    w.S(c.note);
  });
}

void ReadTrack(Reader& r, Track& t) {
  t.recommended_seq = r.Opt();
  t.published_seq = r.Opt();
  if (r.B()) t.objection_deadline = Timestamp{r.I()};
  t.rejected_seq = r.Opt();
  t.scores = r.Vector<Score>(3, [&] {
    Score s{.seq = r.U(), .expert = r.S()};
    s.score = r.I();
    return s;
  });
  t.spot_checks = r.Vector<SpotCheck>(2, [&] {
    SpotCheck s{.seq = r.U()};
    s.passed = r.B();
    return s;
  });
  t.objections = r.Vector<Objection>(4, [&] {
    Objection o{.seq = r.U(), .summary = r.S()};
    o.resolved_seq = r.Opt();
    o.upheld = r.B();
    return o;
  });
  if (r.B()) {
    Refusal f{.seq = r.U(), .reason = r.S()};
    f.note = r.S();
    t.refusal = std::move(f);
  }
  t.checks = r.Vector<CheckRecord>(3, [&] {
    CheckRecord c{.method = r.S(), .date = r.S()};
    c.note = r.S();
    return c;
  });
}

void WriteStrings(Writer& w, const std::vector<std::string>& v) {
  w.List(v, [&](const std::string& s) { w.S(s); });
}
std::vector<std::string> ReadStrings(Reader& r) {
  return r.Vector<std::string>(1, [&] { return r.S(); });
}

void WriteUnit(Writer& w, const Unit& u, const std::vector<size_t>& type_index) {
  for (const std::string* f : {&u.d.id, &u.d.name, &u.d.category, &u.d.subtype, &u.d.region, &u.d.authority}) w.S(*f);
  w.List(u.applications, [&](const auto& item) {
    const Application& a = item.second;
    w.S(item.first);
    WriteTrack(w, a);
    w.U(a.submitted_seq);
    w.S(a.category);
    w.S(a.subtype);
    w.J(a.metrics);
    WriteStrings(w, a.scenarios);
    w.Opt(a.granted_seq);
  });
  w.List(u.reviews, [&](const auto& item) {
    const Review& v = item.second;
    w.S(item.first);
    WriteTrack(w, v);
    w.U(v.requested_seq);
    w.J(v.metrics);
    WriteStrings(w, v.scenarios);
    w.List(v.findings, [&](const auto& f) {
      w.S(f.first);
      w.B(f.second.progress);
      w.S(f.second.note);
    });
    w.Opt(v.passed_seq);
  });
  w.List(u.titles, [&](const auto& item) {
    const Title& t = item.second;
    w.S(item.first);
    w.U(t.granted_seq);
    w.Opt(t.revoked_seq);
    w.S(t.revoked_in);
    w.S(t.reason);
    w.S(t.note);
  });
  w.List(u.assessments, [&](const Assessment& a) {
    w.U(a.seq);
    w.S(a.campaign);
    w.B(a.passed);
    w.S(a.note);
  });
  w.List(u.history, [&](const std::pair<uint64_t, EventType>& h) {
    w.U(h.first);
    w.U(type_index[size_t(h.second)]);
  });
}

void ReadUnit(Reader& r, Unit& u, const std::vector<EventType>& types) {
  for (std::string* f : {&u.d.id, &u.d.name, &u.d.category, &u.d.subtype, &u.d.region, &u.d.authority}) *f = r.S();
  ReadStringMap(r, u.applications, [&](Application& a) {
    ReadTrack(r, a);
    a.submitted_seq = r.U();
    a.category = r.S();
    a.subtype = r.S();
    a.metrics = r.J();
    a.scenarios = ReadStrings(r);
    a.granted_seq = r.Opt();
  });
  ReadStringMap(r, u.reviews, [&](Review& v) {
    ReadTrack(r, v);
    v.requested_seq = r.U();
    v.metrics = r.J();
    v.scenarios = ReadStrings(r);
    ReadStringMap(r, v.findings, [&](ReviewFinding& f) {
      f.progress = r.B();
      f.note = r.S();
    });
    v.passed_seq = r.Opt();
  });
  ReadStringMap(r, u.titles, [&](Title& t) {
    t.granted_seq = r.U();
    t.revoked_seq = r.Opt();
    t.revoked_in = r.S();
    t.reason = r.S();
    t.note = r.S();
  });
  u.assessments = r.Vector<Assessment>(4, [&] {
    Assessment a{.seq = r.U(), .campaign = r.S()};
    a.passed = r.B();
    a.note = r.S();
    return a;
  });
  u.history = r.Vector<std::pair<uint64_t, EventType>>(2, [&] {
    const uint64_t seq = r.U(), type = r.U();
    if (type >= types.size()) return r.Fail("unit " + u.d.id + " has history of an unknown event type"), std::pair<uint64_t, EventType>();
    return std::pair(seq, types[type]);
  });
}

using UnitChunks = std::vector<decltype(State::units)::chunk_type>;

// A list of units in increasing order, read into chunks of the state's map of units (both forms:
// the 0x02 form's one list, and each block of the current one).
void ReadUnitList(Reader& r, const std::vector<EventType>& types, UnitChunks& chunks) {
  const std::string* last = nullptr;
  r.List([&] {
    Unit u;
    ReadUnit(r, u, types);
    if (!r.ok()) return;
    if (last && !(*last < u.d.id)) return void(r.Fail("the units are not in increasing order"));
    if (chunks.empty() || chunks.back().size() == decltype(State::units)::chunk_size) chunks.emplace_back();
    auto& chunk = chunks.back();
    std::string id = u.d.id;
    last = &chunk.emplace_hint(chunk.end(), std::move(id), std::move(u))->first;
  });
}

// Adds the chunks after the state's units, checking the order across them.
void AppendUnitChunks(Reader& r, State& s, UnitChunks& chunks) {
  for (auto& chunk : chunks) {
    if (!s.units.append_chunk(std::move(chunk))) return void(r.Fail("the units are not in increasing order"));
  }
}

// The units of one block, decoded on its own (on a thread of ReadUnitBlocks).
struct UnitBlock {
  std::string_view bytes;
  UnitChunks chunks;
  std::string error;  // of its decoding, if any
};

void DecodeUnitBlock(UnitBlock& block, const std::vector<EventType>& types) {
  Reader r(block.bytes);
  ReadUnitList(r, types, block.chunks);
  if (r.ok() && !r.at_end()) r.Fail("bytes follow a block's units");
  if (!r.ok()) block.error = r.error();
}

// The units' blocks: decoded on one thread per core (each with a Reader of its own: a block's
// length bounds its reads, so a malformed block fails alone), then their chunks added in order on
// this thread, which checks the order across blocks and reports the first error in the bytes'
// order. The decoded units are not moved again: each block's chunks become the map's.
void ReadUnitBlocks(Reader& r, State& s, const std::vector<EventType>& types) {
  std::vector<UnitBlock> blocks = r.Vector<UnitBlock>(1, [&] { return UnitBlock{.bytes = r.Bytes(r.Count())}; });
  if (!r.ok()) return;
  const size_t threads = std::min<size_t>(blocks.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next = 0;
  const auto work = [&] {
    for (size_t i; (i = next++) < blocks.size();) DecodeUnitBlock(blocks[i], types);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  for (UnitBlock& block : blocks) {
    if (!block.error.empty()) return void(r.Fail(block.error));
    AppendUnitChunks(r, s, block.chunks);
    if (!r.ok()) return;
  }
}

}  // namespace

std::string StateToBinary(const State& s) {
  Writer w;
  w.Raw(kBinaryStateMagic);
  w.U(kApplyVersion);
  // The event types by name, in the order of EventTypes(); a unit's history names them by index.
  const std::vector<EventTypeInfo>& types = EventTypes();
  std::vector<size_t> type_index(types.size());
  for (size_t i = 0; i < types.size(); ++i) type_index[size_t(types[i].type)] = i;
  w.List(types, [&](const EventTypeInfo& t) { w.S(t.name); });

  w.U(s.size);
  w.I(s.last_received.ms);
  w.S(s.origin);
  w.S(s.ledger_key);
  w.List(s.ledger_keys, [&](const State::LedgerKeyEpoch& k) {
    w.S(k.key);
    w.U(k.from_seq);
  });
  w.J(s.genesis_policy);
  w.List(s.actors, [&](const auto& item) {
    const Actor& a = item.second;
    for (const std::string* f : {&a.id, &a.role, &a.name, &a.region, &a.department, &a.unit}) w.S(*f);
    w.Raw(a.key.raw_bytes());
    w.U(a.registered_seq);
    w.Opt(a.revoked_seq);
  });
  // A handful (one a year or so), with rules and nested tallies: as in the JSON form.
  w.J(internal::CampaignsJson(s));
  // The units in blocks (kBinaryStateMagic's layout; kBinaryStateMagicV2 had them as one list).
  w.U((s.units.size() + kUnitsPerBlock - 1) / kUnitsPerBlock);
  for (auto it = s.units.begin(); it != s.units.end();) {
    Writer block;
    std::vector<const Unit*> units;
    for (; it != s.units.end() && units.size() < kUnitsPerBlock; ++it) units.push_back(&it->second);
    block.List(units, [&](const Unit* u) { WriteUnit(block, *u, type_index); });
    w.S(block.Take());
  }
  w.List(s.objections, [&](const auto& item) {
    w.U(item.first);
    w.S(item.second.unit);
    w.S(item.second.campaign);
    w.B(item.second.review);
  });
  w.List(s.documents, [&](const auto& item) {
    w.S(item.first);
    w.List(item.second, [&](const Citation& c) {
      w.U(c.seq);
      w.S(c.type);
      w.S(c.name);
      w.I(c.bytes);
    });
  });
  return w.Take();
}

Result<State> StateFromBinary(std::string_view bytes, Source source) {
  const auto malformed = [](const std::string& why) { return Status(Code::kDataLoss, "the snapshot is malformed: " + why); };
  const bool v2 = bytes.starts_with(kBinaryStateMagicV2);
  if (!v2 && !bytes.starts_with(kBinaryStateMagic)) return malformed("it does not start with the binary state's magic");
  Reader r(bytes.substr(kBinaryStateMagic.size()));
  const uint64_t version = r.U();
  if (r.ok() && version != uint64_t(kApplyVersion)) {
    return Status(Code::kDataLoss, "the snapshot was made by another version of the rules (apply version " + std::to_string(version) + ")");
  }
  const std::vector<EventType> types = r.Vector<EventType>(1, [&] {
    const std::string name = r.S();
    const std::optional<EventType> type = EventTypeFromName(name);
    if (!type) return r.Fail("it names an unknown event type \"" + name + "\""), EventType{};
    return *type;
  });

  State s;
  s.size = r.U();
  s.last_received = Timestamp{r.I()};
  s.origin = r.S();
  s.ledger_key = r.S();
  s.ledger_keys = r.Vector<State::LedgerKeyEpoch>(2, [&] {
    State::LedgerKeyEpoch k{.key = r.S()};
    k.from_seq = r.U();
    return k;
  });
  s.genesis_policy = r.J();
  if (!r.ok()) return malformed(r.error());
  Result<Policy> policy = ParsePolicy(s.genesis_policy);
  if (!policy.ok()) return malformed("its policy: " + policy.status().message());
  s.policy = std::move(*policy);

  r.List([&] {
    Actor a;
    for (std::string* f : {&a.id, &a.role, &a.name, &a.region, &a.department, &a.unit}) *f = r.S();
    const std::string_view raw = r.Bytes(32);
    a.registered_seq = r.U();
    a.revoked_seq = r.Opt();
    if (!r.ok()) return;
    if (source == Source::kStored) {
      a.key = PublicKey::FromTrustedRaw(raw);
    } else if (Result<PublicKey> key = PublicKey::FromRaw(raw); key.ok()) {
      a.key = *key;
    } else {
      return void(r.Fail("actor " + a.id + " has a key that is not a valid Ed25519 public key"));
    }
    if (a.active()) s.active_keys[a.key.raw()] = a.id;
    if (a.role == "soe_group") s.soe_authorities.insert(a.authority());
    std::string id = a.id;
    if (!s.actors.append(std::move(id), std::move(a))) r.Fail("the actors are not in increasing order");
  });

  const Json campaigns = r.J();
  if (!r.ok()) return malformed(r.error());
  try {
    for (const Json& cj : campaigns) {
      Result<Campaign> c = internal::CampaignFromJson(cj);
      if (!c.ok()) return malformed("a campaign's rules: " + c.status().message());
      std::string id = c->id;
      if (!s.campaigns.emplace(std::move(id), std::move(*c)).second) return malformed("a campaign is there twice");
    }
  } catch (const std::exception& e) {
    return malformed(std::string("a campaign: ") + e.what());
  }

  if (v2) {  // the units as one list, on this thread
    UnitChunks chunks;
    ReadUnitList(r, types, chunks);
    if (r.ok()) AppendUnitChunks(r, s, chunks);
  } else {
    ReadUnitBlocks(r, s, types);
  }
  std::optional<uint64_t> last_objection;
  r.List([&] {
    const uint64_t seq = r.U();
    if (!r.Increasing(last_objection, seq)) return;
    ObjectionRef o{.unit = r.S(), .campaign = r.S()};
    o.review = r.B();
    s.objections.emplace_hint(s.objections.end(), seq, std::move(o));
    last_objection = seq;
  });
  r.List([&] {
    std::string hash = r.S();
    std::vector<Citation> cites = r.Vector<Citation>(4, [&] {
      Citation c{.seq = r.U(), .type = r.S(), .name = r.S()};
      c.bytes = r.I();
      return c;
    });
    if (r.ok() && !s.documents.append(std::move(hash), std::move(cites))) r.Fail("the documents are not in increasing order");
  });
  if (!r.ok()) return malformed(r.error());
  if (!r.at_end()) return malformed("bytes follow the state");
  return s;
}

}  // namespace pilotledger::projections
