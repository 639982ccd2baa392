// Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the world
// (fuzz/world.h), the test vectors (tests/testdata/) and the rule files (config/campaigns/). Run
// by hand when a target or the world changes, and commit the result:
//   build-fuzz/bin/fuzz_make_seeds fuzz/corpus   (after scripts/fuzz.sh built it)
// It writes only seed-*; inputs found by fuzzing that are worth keeping (crashes fixed since) are
// committed beside them as regress-*.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client/verifier.h"
#include "client/watch_state.h"
#include "fuzz/world.h"
#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/note.h"
#include "projections/apply.h"
#include "projections/policy.h"
#include "projections/snapshot.h"

namespace fs = std::filesystem;
using namespace pilotledger;
using namespace pilotledger::fuzz;

namespace {

fs::path g_out;
std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
void Seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(g_out / target);
  std::ofstream(g_out / target / ("seed-" + name), std::ios::binary) << bytes;
}

// An offline proof bundle for world entry `seq` in the tree of `size`, with its signers' registrations.
Json Bundle(const World& w, uint64_t seq, uint64_t size, bool redacted) {
  Json hashes = Json::array();
  for (const Hash& h : w.Inclusion(seq, size)) hashes.push_back(HashBase64(h));
  Json entry = w.EntryJson(seq);
  if (redacted) {
    // The type of a redacted entry is not covered by the proof; it must be one that is redacted.
    entry = {{"seq", seq}, {"type", "submission.filed"}, {"leaf_hash", HashBase64(merkle::HashLeaf(EntryLeaf(w.entries[seq])))},
             {"redacted", true}};
  }
  Json b = {{"format", client::kProofBundleFormat}, {"entry", entry}, {"checkpoint", w.SignedCheckpoint(size)},
            {"inclusion", {{"index", seq}, {"size", size}, {"hashes", hashes}}}};
  if (redacted) return b;
  Json signers = Json::array();
  for (const Signature& sig : w.entries[seq].signed_event.sigs) {
    // The ministries are registered by the genesis, the others by the world's registrations.
    uint64_t reg = 0;
    for (uint64_t i = 1; i < w.entries.size(); ++i) {
      const Entry& e = w.entries[i];
      if (e.type() == "actor.registered" && e.body().value("actor", "") == sig.signer) reg = i;
    }
    Json rh = Json::array();
    for (const Hash& h : w.Inclusion(reg, size)) rh.push_back(HashBase64(h));
    signers.push_back({{"actor", sig.signer}, {"entry", w.EntryJson(reg)}, {"inclusion", {{"index", reg}, {"size", size}, {"hashes", rh}}}});
  }
  b["signers"] = signers;
  return b;
}

// The auditor's state file after verifying the first `size` world entries.
std::string VerifyState(const World& w, uint64_t size) {
  merkle::CompactRange range;
  projections::State state;
  for (uint64_t i = 0; i < size; ++i) {
    range.Append(merkle::HashLeaf(EntryLeaf(w.entries[i])), [](merkle::NodeId, const Hash&) {});
    (void)projections::Apply(state, w.entries[i]).ok();
  }
  Json hashes = Json::array();
  for (const Hash& h : range.hashes()) hashes.push_back(HashBase64(h));
  return WriteCanonical({{"format", 1}, {"ledger_key", w.verifier_key}, {"size", size}, {"root", HashBase64(range.Root())},
                         {"checkpoint", w.SignedCheckpoint(size)}, {"compact_range", hashes}, {"state", projections::StateToJson(state)}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds CORPUS_DIR (fuzz/corpus)\n";
    return 2;
  }
  g_out = argv[1];
  const fs::path src = PILOT_SOURCE_DIR;
  const World& w = TheWorld();
  const uint64_t n = w.entries.size();

  // canonical_json and rules: the rule files; canonical_json also the test vectors' JSON and a few shapes.
  for (const auto& f : fs::directory_iterator(src / "config" / "campaigns")) {
    if (f.path().filename() == "rules.schema.json") continue;
    Seed("rules", f.path().stem().string(), Read(f.path()));
  }
  Seed("rules", "default-policy", WriteCanonical(projections::DefaultPolicyJson()));
  Seed("canonical_json", "worked-example", Read(src / "tests" / "testdata" / "worked_example.json"));
  Seed("canonical_json", "rules-2021", Read(src / "config" / "campaigns" / "2021.json"));
  Seed("canonical_json", "shapes", R"({"a":[1,-9007199254740991,9007199254740991,true,false,null],"b":{"":"\u00e9\ud83d\ude00\n\t\"\\"},"c":[[[]]],"d":"工业"})");
  Seed("canonical_json", "escapes", R"(["\u0000\u001f\u007f","\/","\b\f\r",{"z":1,"a":2,"\u00e9":3}])");

  // submission and bodies: the world's events, signed and not.
  for (uint64_t i = 1; i < n; ++i) {
    const SignedEvent& e = w.entries[i].signed_event;
    Seed("submission", std::to_string(i) + "-" + e.type, WriteCanonical(SubmissionJson(e)));
    Seed("bodies", std::to_string(i) + "-" + e.type, WriteCanonical(e.body()));
  }
  SignedEvent unsigned_event = w.entries[1].signed_event;
  unsigned_event.sigs.clear();
  Seed("submission", "unsigned", WriteCanonical(SubmissionJson(unsigned_event)));
  Seed("submission", "genesis", WriteCanonical(SubmissionJson(w.entries[0].signed_event)));
  // The stored leaves that CheckStoredLeaf reads both ways, whole and split into the event's line
  // and the tail after it.
  for (const uint64_t seq : {uint64_t(0), uint64_t(1), n - 1}) {
    const std::string leaf = EntryLeaf(w.entries[seq]);
    const std::string& canonical = w.entries[seq].signed_event.canonical;
    Seed("submission", "leaf-" + std::to_string(seq), leaf);
    Seed("submission", "leaf-split-" + std::to_string(seq), canonical + "\n" + leaf.substr(9 + canonical.size()));
  }
  Seed("bodies", "genesis", WriteCanonical(w.entries[0].body()));
  // Bodies of the lifecycle that the world's events do not cover (the unit and codes are examples).
  const std::string unit = R"({"id":"91440100000000001X","name":"Unit 1","category":"enterprise","subtype":"product","region":"440100","authority":"440000"})";
  const char* bodies[] = {
      R"({"campaign":"2023","unit":)",
      R"({"campaign":"2023","unit_id":"91440100000000001X"})",
      R"({"campaign":"2023","unit_id":"91440100000000001X","score":85})",
      R"({"campaign":"2023","unit_id":"91440100000000001X","passed":true})",
      R"({"campaign":"2023","unit_ids":["91440100000000001X"],"objection_deadline":"2023-11-30T00:00:00Z"})",
      R"({"campaign":"2023","unit_id":"91440100000000001X","summary":"an objection"})",
      R"({"campaign":"2023","objection":7,"upheld":false,"note":"dismissed"})",
      R"({"campaign":"2023","units":["91440100000000001X"]})",
      R"({"campaign":"2023","unit_id":"91440100000000001X","reason":"other","note":"why"})",
      R"({"campaign":"2023","authority":"440000","category":"enterprise","extra":1,"reason":"approved"})",
      R"({"actor":"expert-1","reason":"retired"})",
  };
  int k = 0;
  for (std::string b : bodies) {
    if (b.back() == ':') b += unit + R"(,"metrics":{"revenue":1},"scenarios":["family_health"]})";
    Seed("bodies", "lifecycle-" + std::to_string(++k), b);
    Seed("submission", "lifecycle-" + std::to_string(k),
         R"({"event":{"v":1,"id":"fuzz-1","type":"submission.filed","time":"2023-10-20T00:00:00Z","body":)" + b +
             R"(},"sigs":[{"signer":"gd-miit","sig":")" + Base64Encode(std::string(64, 'x')) + R"("}]})");
  }

  // note: the world's checkpoints, keys, and the signed-note vectors.
  for (uint64_t size = 1; size <= n; ++size) Seed("note", "checkpoint-" + std::to_string(size), w.SignedCheckpoint(size));
  Seed("note", "verifier-key", w.verifier_key);
  Seed("note", "signer-key", note::SignerKeyString(w.origin, w.ledger_key));
  Seed("note", "checkpoint-text", CheckpointText({w.origin, n, w.Root(n)}) + "extension line\n");
  const Json vectors = Json::parse(Read(src / "tests" / "testdata" / "signed_note_vectors.json"));
  k = 0;
  for (const Json& v : vectors["notes"]) {
    if (v.contains("note") && v["note"].is_string()) Seed("note", "vector-" + std::to_string(++k), v["note"].get<std::string>());
  }
  for (const Json& v : vectors["verifier_keys"]) {
    if (v.is_string()) Seed("note", "vector-" + std::to_string(++k), v.get<std::string>());
    if (v.is_object() && v.contains("vkey")) Seed("note", "vector-" + std::to_string(++k), v["vkey"].get<std::string>());
  }

  // bundle: the genesis and the registrations in the whole tree and in a smaller one, one redacted.
  for (uint64_t seq = 0; seq < 4; ++seq) Seed("bundle", "entry-" + std::to_string(seq), Bundle(w, seq, n, false).dump(2));
  Seed("bundle", "smaller-tree", Bundle(w, 1, 2, false).dump(2));
  Seed("bundle", "redacted", Bundle(w, 4, n, true).dump(2));

  // state_file: the verifier's state after 1, 3 and all entries, and watch states.
  for (const uint64_t size : {uint64_t{1}, uint64_t{3}, n}) Seed("state_file", "verify-" + std::to_string(size), VerifyState(w, size));
  Seed("state_file", "watch", client::WatchStateText({3, w.SignedCheckpoint(3), w.verifier_key}));
  Seed("state_file", "watch-new", client::WatchStateText({0, "", ""}));

  // state_binary: the state after the genesis and after every entry. (seed-v2-* beside them are
  // the same states in the form before the units came in blocks, PLSTATE 0x02, which is still read:
  // written by this program before 2026-12-04, kept.)
  for (const uint64_t size : {uint64_t{1}, n}) {
    projections::State state;
    for (uint64_t i = 0; i < size; ++i) (void)projections::Apply(state, w.entries[i]).ok();
    Seed("state_binary", "state-" + std::to_string(size), projections::StateToBinary(state));
  }

  // read_auth: "METHOD\nTARGET\nHEADER" (the harness fills "time=@" and "sig=@").
  const std::string sign = "PilotLedger-Sig actor=auditor-1,time=@,sig=@";
  Seed("read_auth", "public", "GET\n/v1/entries\n");
  Seed("read_auth", "auditor", "GET\n/v1/entries?from=0&limit=10\n" + sign);
  Seed("read_auth", "expert", "GET\n/v1/units\nPilotLedger-Sig actor=expert-1,time=@,sig=@");
  Seed("read_auth", "stale", "GET\n/v1/entries\nPilotLedger-Sig actor=miit,time=2023-10-15T09:00:00Z,sig=@");
  Seed("read_auth", "unsigned", "GET\n/v1/entries\nPilotLedger-Sig actor=miit,time=2023-10-20T00:00:00Z,sig=" +
                                    Base64Encode(std::string(64, 'x')));

  // stream_params: a watcher-count byte, then "TARGET\nHEADER".
  Seed("stream_params", "all", std::string("\x01") + "/v1/stream");
  Seed("stream_params", "types", std::string("\x02") + "/v1/stream?from=1&types=title.revoked,actor.registered");
  Seed("stream_params", "signed", std::string("\x00", 1) + "/v1/stream?from=0&types=campaign.opened\n" + sign);
  Seed("stream_params", "full", std::string("\x08") + "/v1/stream?from=99");

  // http: requests as a client sends them.
  const auto req = [](const std::string& head, const std::string& body = "") {
    return head + "\r\nHost: 127.0.0.1\r\n" + (body.empty() ? "" : "Content-Type: application/json\r\nContent-Length: " +
                                                                      std::to_string(body.size()) + "\r\n") + "\r\n" + body;
  };
  Seed("http", "entries", req("GET /v1/entries?from=0&limit=10 HTTP/1.1"));
  Seed("http", "entry-auditor", req("GET /v1/entries/4 HTTP/1.1\r\nAuthorization: " + sign));
  Seed("http", "entry-public", req("GET /v1/entries/4 HTTP/1.1"));
  Seed("http", "checkpoint", req("GET /v1/checkpoint HTTP/1.1"));
  Seed("http", "proofs", req("GET /v1/proofs/inclusion?index=1&size=5 HTTP/1.1"));
  Seed("http", "consistency", req("GET /v1/proofs/consistency?from=1&to=5 HTTP/1.1"));
  Seed("http", "units", req("GET /v1/units?campaign=2023&status=applied&name=x HTTP/1.1\r\nAuthorization: " + sign));
  Seed("http", "campaign", req("GET /v1/campaigns/2023/quotas HTTP/1.1"));
  Seed("http", "actors", req("GET /v1/actors/expert-1 HTTP/1.1"));
  Seed("http", "healthz", req("GET /healthz HTTP/1.1"));
  Seed("http", "metrics", req("GET /metrics HTTP/1.1"));
  Seed("http", "append", req("POST /v1/entries HTTP/1.1", WriteCanonical(SubmissionJson(w.entries[1].signed_event))));
  Seed("http", "chunked", "POST /v1/entries HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n");
  Seed("http", "stream", req("GET /v1/stream?from=0&types=title.revoked HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
  Seed("http", "method", req("DELETE /v1/entries HTTP/1.1"));
  std::cout << "seeds written to " << g_out << "\n";
  return 0;
}
