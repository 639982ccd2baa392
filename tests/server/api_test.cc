// The Api called directly, without sockets, over a real LedgerService on RocksDB in a temporary
// directory: routing (every route, 404, 405 with Allow), error answers to bad input, read
// authentication (PilotLedger-Sig) and what each reader sees (redaction, unit visibility, quotas).
// The events come from the projections' test ledger (tests/projections/fixture.h), which keeps a
// mirror of the state so that its helpers (departments, units) know what is registered.
#include "server/api.h"
#include "server/web.h"

#include <future>

#include "ledger/canonical_json.h"
#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "ledger/utf8.h"
#include "server/metrics.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/projections/fixture.h"

namespace pilotledger::server {
namespace {

namespace fx = projections::fx;
using testing::FakeClock;
using testing::TempDir;

constexpr int64_t kStart = 1697356800000;  // 2023-10-15T08:00:00Z, the test ledger's clock

// {"error":{"code","message","details"}} as the Api writes it.
std::string ErrorBody(const std::string& code, const std::string& message, const Json& details = Json::object()) {
  return WriteCanonical({{"error", {{"code", code}, {"message", message}, {"details", details}}}});
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = fx::OpenLedger("2023");  // genesis, then the 2017-2020 and 2023 campaigns opened
    const Json& genesis = ledger_->entries[0].signed_event.body();
    Result<std::string> key =
        LedgerService::Init(data_dir(), "test.pilotledger/api", genesis["authorities"], genesis["policy"], clock_);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    ServiceOptions options;
    options.data_dir = data_dir();
    Result<std::unique_ptr<LedgerService>> service = LedgerService::Open(options, clock_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
    api_ = std::make_unique<Api>(*service_, metrics_);

    departments_ = ledger_->Departments("110000");
    ASSERT_OK(ledger_->Register("auditor1", "auditor"));
    ledger_->Expert("expert1");
    unit_ = ledger_->AddUnit("2023", "110000", "enterprise");  // submission.filed: not public
    ASSERT_NO_FATAL_FAILURE(Sync());
    ASSERT_EQ(log().size(), ledger_->entries.size());
    submission_seq_ = log().size() - 1;
  }
  void TearDown() override {
    if (service_) service_->Stop();
  }

  std::string data_dir() const { return dir_ / "data"; }
  const ledger::Log& log() const { return service_->log(); }

  // Calls the Api and waits for its answer (an append answers from the sequencer thread).
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& authorization = "") {
    std::promise<HttpResponse> answer;
    std::future<HttpResponse> future = answer.get_future();
    api_->Handle(HttpRequest{method, target, authorization, body}, [&answer](HttpResponse r) { answer.set_value(std::move(r)); });
    return future.get();
  }
  HttpResponse Get(const std::string& target, const std::string& authorization = "") {
    return Call("GET", target, "", authorization);
  }
  HttpResponse Post(const SignedEvent& e, const std::string& authorization = "") {
    return Call("POST", "/v1/entries", WriteCanonical(SubmissionJson(e)), authorization);
  }

  // Appends through the Api what the test ledger accepted since the last call.
  void Sync() {
    for (size_t seq = log().size(); seq < ledger_->entries.size(); ++seq) {
      const HttpResponse r = Post(ledger_->entries[seq].signed_event);
      ASSERT_EQ(r.status, 201) << r.body;
      ASSERT_EQ(r.seq, seq);
    }
  }

  // The PilotLedger-Sig header of `actor` (docs/protocol.md §12), signed with the test ledger's key.
  std::string ReadHeader(const std::string& actor, const std::string& method, const std::string& target,
                         int64_t at_ms = kStart) {
    const std::string time = FormatRfc3339Seconds(Timestamp{at_ms});
    const std::string sig = ledger_->Key(actor).Sign("pilotledger:read:v1\n" + method + " " + target + "\n" + time);
    return "PilotLedger-Sig actor=" + actor + ",time=" + time + ",sig=" + Base64Encode(sig);
  }

  std::string Leaf(uint64_t seq) const { return *log().ReadLeaf(seq); }
  std::string Redacted(uint64_t seq, const std::string& type) const {
    return WriteCanonical({{"seq", seq}, {"type", type}, {"leaf_hash", HashBase64(merkle::HashLeaf(Leaf(seq)))}, {"redacted", true}});
  }

  TempDir dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<fx::Ledger> ledger_;
  std::unique_ptr<LedgerService> service_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::vector<std::string> departments_;
  std::string unit_;
  uint64_t submission_seq_ = 0;
};

// --- routing ---

TEST_F(ApiTest, AnAppendAnswersItsReceiptAndARepeatTheSameReceiptWith200) {
  const SignedEvent e = ledger_->Make("actor.registered",
                                      {{"actor", "expert2"}, {"role", "expert"}, {"name", "Actor expert2"},
                                       {"public_key", ledger_->Key("expert2").public_key().ToBase64()}},
                                      {"miit"});
  const uint64_t seq = log().size();
  const HttpResponse created = Post(e);
  const std::string receipt = WriteCanonical(
      {{"seq", seq}, {"leaf_hash", HashBase64(merkle::HashLeaf(Leaf(seq)))}, {"received", "2023-10-15T08:00:00.000Z"}});
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.content_type, "application/json");
  EXPECT_EQ(created.body, receipt);
  EXPECT_EQ(created.seq, seq);
  EXPECT_TRUE(created.headers.empty());
  const HttpResponse repeated = Post(e);
  EXPECT_EQ(repeated.status, 200);
  EXPECT_EQ(repeated.body, receipt);
  EXPECT_EQ(log().size(), seq + 1);
}

TEST_F(ApiTest, EveryLogRouteAnswers) {
  const uint64_t n = log().size();
  HttpResponse r = Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"size\":" + std::to_string(n) + ",\"status\":\"ok\"}");

  r = Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body, metrics_.Render(*service_));

  r = Get("/v1/entries?from=1&limit=2");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"entries\":[" + Leaf(1) + "," + Leaf(2) + "],\"next\":3}");
  r = Get("/v1/entries");  // from 0, up to 100
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["next"], n);

  r = Get("/v1/entries/0");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, Leaf(0));

  r = Get("/v1/checkpoint");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, *log().signed_checkpoint());

  r = Get("/v1/ledger-key");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, log().verifier_key() + "\n");

  r = Get("/v1/stream");
  EXPECT_EQ(r.status, 426);
  EXPECT_EQ(r.body, ErrorBody("upgrade_required", "/v1/stream is a WebSocket: send a GET with Upgrade: websocket"));

  r = Get("/v1/proofs/inclusion?index=2&size=" + std::to_string(n));
  EXPECT_EQ(r.status, 200);
  Json hashes = Json::array();
  const Result<std::vector<Hash>> inclusion = log().InclusionProof(2, n);
  for (const Hash& h : *inclusion) hashes.push_back(HashBase64(h));
  EXPECT_EQ(r.body, WriteCanonical({{"index", 2}, {"size", n}, {"hashes", hashes}}));

  r = Get("/v1/proofs/consistency?from=3&to=" + std::to_string(n));
  EXPECT_EQ(r.status, 200);
  hashes = Json::array();
  const Result<std::vector<Hash>> consistency = log().ConsistencyProof(3, n);
  for (const Hash& h : *consistency) hashes.push_back(HashBase64(h));
  EXPECT_EQ(r.body, WriteCanonical({{"from", 3}, {"to", n}, {"hashes", hashes}}));
}

TEST_F(ApiTest, EveryProjectionRouteAnswersAsOfTheLogSize) {
  const uint64_t n = log().size();
  const std::string auditor = "auditor1";
  const auto as_of = [n](const std::string& body) { return Json::parse(body)["as_of"] == n; };
  const auto state = [&](auto f) { return service_->Read(f); };

  HttpResponse r = Get("/v1/units", ReadHeader(auditor, "GET", "/v1/units"));
  EXPECT_EQ(r.status, 200);
  const Json units = Json::parse(r.body);
  ASSERT_EQ(units["units"].size(), 1u) << r.body;
  EXPECT_EQ(units["units"][0]["id"], unit_);
  EXPECT_TRUE(as_of(r.body));

  r = Get("/v1/units/" + unit_, ReadHeader(auditor, "GET", "/v1/units/" + unit_));
  EXPECT_EQ(r.status, 200);
  Json expected = state([&](const projections::State& s) { return projections::UnitView(s, *s.FindUnit(unit_), true); });
  expected["as_of"] = n;
  EXPECT_EQ(r.body, WriteCanonical(expected));

  r = Get("/v1/campaigns");
  EXPECT_EQ(r.status, 200);
  const Json campaigns = Json::parse(r.body)["campaigns"];
  ASSERT_EQ(campaigns.size(), 5u);
  EXPECT_TRUE(as_of(r.body));

  r = Get("/v1/campaigns/2023");
  EXPECT_EQ(r.status, 200);
  expected = state([](const projections::State& s) { return projections::CampaignView(*s.FindCampaign("2023")); });
  expected["as_of"] = n;
  EXPECT_EQ(r.body, WriteCanonical(expected));

  r = Get("/v1/campaigns/2023/quotas", ReadHeader(auditor, "GET", "/v1/campaigns/2023/quotas"));
  EXPECT_EQ(r.status, 200);
  expected = state([](const projections::State& s) { return projections::QuotaView(s, *s.FindCampaign("2023")); });
  expected["as_of"] = n;
  EXPECT_EQ(r.body, WriteCanonical(expected));

  r = Get("/v1/actors");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["actors"].size(), 3u + 3u + 2u);  // ministries, departments, auditor, expert
  EXPECT_TRUE(as_of(r.body));

  r = Get("/v1/actors/miit");
  EXPECT_EQ(r.status, 200);
  expected = state([](const projections::State& s) { return projections::ActorJson(*s.FindActor("miit")); });
  expected["as_of"] = n;
  EXPECT_EQ(r.body, WriteCanonical(expected));
}

TEST_F(ApiTest, UnknownPathsAreNotFound) {
  for (const std::string path : {"/nope", "/v1", "/v1/", "/v2/entries", "/healthz/", "/v1/entries/0/more",
                                 "/v1/proofs", "/v1/proofs/other", "/v1/campaigns/2023/other", "/v1/checkpoint/x",
                                 "/V1/entries"}) {
    const HttpResponse r = Get(path + "?x=1");
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body, ErrorBody("not_found", "no such endpoint " + path)) << path;
    EXPECT_TRUE(r.headers.empty()) << path;
    // Any method: the path decides first.
    EXPECT_EQ(Call("DELETE", path).status, 404) << path;
  }
}

TEST_F(ApiTest, OtherMethodsAreNotAllowedWithTheAllowHeader) {
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"/healthz", "GET"},           {"/metrics", "GET"},
      {"/v1/entries", "GET, POST"},  {"/v1/entries/3", "GET"},
      {"/v1/checkpoint", "GET"},     {"/v1/ledger-key", "GET"},
      {"/v1/stream", "GET"},         {"/v1/proofs/inclusion", "GET"},
      {"/v1/proofs/consistency", "GET"}, {"/v1/units", "GET"},
      {"/v1/units/x", "GET"},        {"/v1/campaigns", "GET"},
      {"/v1/campaigns/2023", "GET"}, {"/v1/campaigns/2023/quotas", "GET"},
      {"/v1/actors", "GET"},         {"/v1/actors/miit", "GET"},
      {"/", "GET"},                  {"/units/x", "GET"},
      {"/revocations", "GET"},       {"/campaigns/2023/quotas", "GET"},
  };
  for (const auto& [path, allow] : paths) {
    for (const std::string method : {"PUT", "DELETE", "HEAD", "PATCH"}) {
      const HttpResponse r = Call(method, path);
      EXPECT_EQ(r.status, 405) << method << " " << path;
      EXPECT_EQ(r.body, ErrorBody("method_not_allowed", method + " is not allowed on " + path + "; use " + allow));
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0], std::make_pair(std::string("Allow"), allow));
    }
    if (path != "/v1/entries") {
      const HttpResponse r = Call("POST", path, "{}");
      EXPECT_EQ(r.status, 405) << path;
      EXPECT_EQ(r.headers, (std::vector<std::pair<std::string, std::string>>{{"Allow", allow}})) << path;
    }
  }
  // The append is the exact path /v1/entries: spelled otherwise it is refused like a read.
  const HttpResponse encoded = Call("POST", "/v1/%65ntries", "{}");
  EXPECT_EQ(encoded.status, 405);
  EXPECT_EQ(encoded.body, ErrorBody("method_not_allowed", "POST is not allowed on /v1/entries; use GET, POST"));
  EXPECT_EQ(encoded.headers, (std::vector<std::pair<std::string, std::string>>{{"Allow", "GET, POST"}}));
  // Reads match decoded segments.
  EXPECT_EQ(Get("/v1/%65ntries/0").body, Leaf(0));
}

// --- bad input ---

TEST_F(ApiTest, BadSubmissionsAreRefusedWithTheirCodeAndChangeNothing) {
  const uint64_t n = log().size();
  const auto refused = [&](const std::string& body, int status, const std::string& code) {
    const HttpResponse r = Call("POST", "/v1/entries", body);
    EXPECT_EQ(r.status, status) << body << " -> " << r.body;
    const Json j = Json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    EXPECT_EQ(r.body, ErrorBody(code, j["error"]["message"], j["error"]["details"]));
    EXPECT_FALSE(r.seq.has_value());
    return j["error"];
  };
  // Malformed JSON: the parser's message, as ParseSubmission reports it.
  for (const std::string body : {"", "{", "{\"event\":}", "[1,2", "{\"event\":{}} x"}) {
    const Json e = refused(body, 400, "malformed_json");
    EXPECT_EQ(e["message"], ParseSubmission(body).status().message()) << body;
  }
  EXPECT_EQ(refused("{\"a\":1,\"a\":2}", 400, "schema_violation")["message"], "duplicate key \"a\"");
  // A schema violation names the field.
  const SignedEvent good = ledger_->Make("actor.registered",
                                         {{"actor", "expert3"}, {"role", "expert"}, {"name", "Actor expert3"},
                                          {"public_key", ledger_->Key("expert3").public_key().ToBase64()}},
                                         {"miit"});
  Json envelope = SubmissionJson(good);
  envelope.erase("sigs");
  EXPECT_EQ(refused(WriteCanonical(envelope), 400, "schema_violation")["details"]["field"], "sigs");
  envelope = SubmissionJson(good);
  envelope["event"]["v"] = 2;
  EXPECT_EQ(refused(WriteCanonical(envelope), 400, "schema_violation")["details"]["field"], "event.v");
  // A body that breaks its type's schema.
  const SignedEvent no_role = ledger_->Make("actor.registered",
                                            {{"actor", "expert4"}, {"name", "Actor expert4"},
                                             {"public_key", ledger_->Key("expert4").public_key().ToBase64()}},
                                            {"miit"});
  refused(WriteCanonical(SubmissionJson(no_role)), 400, "schema_violation");
  // The body is parsed before sequencing, but its error still comes after the signatures' and
  // the policy's (PROTOCOL.md §7): the same broken body from an unknown signer, or forged.
  refused(WriteCanonical(SubmissionJson(ledger_->Make("actor.registered", no_role.body(), {"ghost"}))), 401, "unknown_signer");
  SignedEvent forged_no_role = no_role;
  forged_no_role.sigs[0].sig = ledger_->Key("mca").Sign(SigningInput(no_role.canonical));
  refused(WriteCanonical(SubmissionJson(forged_no_role)), 401, "bad_signature");
  // A key that is no point of the curve (y = 2) is the body's error.
  const SignedEvent off_curve = ledger_->Make("actor.registered",
                                              {{"actor", "expert6"}, {"role", "expert"}, {"name", "Actor expert6"},
                                               {"public_key", Base64Encode(std::string(1, '\x02') + std::string(31, '\0'))}},
                                              {"miit"});
  EXPECT_EQ(refused(WriteCanonical(SubmissionJson(off_curve)), 400, "schema_violation")["details"]["field"], "public_key");
  // An unknown signer and a forged signature.
  const SignedEvent ghost = ledger_->Make("actor.registered",
                                          {{"actor", "expert5"}, {"role", "expert"}, {"name", "Actor expert5"},
                                           {"public_key", ledger_->Key("expert5").public_key().ToBase64()}},
                                          {"ghost"});
  const Json unknown = refused(WriteCanonical(SubmissionJson(ghost)), 401, "unknown_signer");
  SignedEvent forged = good;
  forged.sigs[0].sig = ledger_->Key("mca").Sign(SigningInput(good.canonical));
  refused(WriteCanonical(SubmissionJson(forged)), 401, "bad_signature");
  EXPECT_EQ(log().size(), n) << "nothing refused is stored";
  // The same event, well signed, is accepted afterwards.
  EXPECT_EQ(Post(good).status, 201);
  (void)unknown;
}

TEST_F(ApiTest, BadReadParametersAreBadRequests) {
  const uint64_t n = log().size();
  const auto bad = [&](const std::string& target, int status, const std::string& code, const std::string& message) {
    const HttpResponse r = Get(target);
    EXPECT_EQ(r.status, status) << target;
    EXPECT_EQ(r.body, ErrorBody(code, message)) << target;
  };
  bad("/v1/entries?limit=0", 400, "bad_request", "limit must be 1-1000");
  bad("/v1/entries?limit=1001", 400, "bad_request", "limit must be 1-1000");
  bad("/v1/units?limit=0", 400, "bad_request", "limit must be 1-1000");
  bad("/v1/entries/abc", 400, "bad_request", "an entry is addressed by its seq, a non-negative integer");
  bad("/v1/entries/-1", 400, "bad_request", "an entry is addressed by its seq, a non-negative integer");
  bad("/v1/entries/", 400, "bad_request", "an entry is addressed by its seq, a non-negative integer");
  bad("/v1/proofs/consistency?from=0&to=2", 400, "bad_request", "a consistency proof starts from a size of at least 1");
  bad("/v1/units/nosuchunit", 404, "not_found", "no unit nosuchunit");
  bad("/v1/campaigns/1999", 404, "not_found", "no campaign 1999");
  bad("/v1/actors/nobody", 404, "not_found", "no actor nobody");
  // The query parameters' own messages, as Query reports them.
  const Query none(std::vector<std::pair<std::string, std::string>>{});
  bad("/v1/proofs/inclusion?size=2", 400, "bad_request", none.Number("index").status().message());
  const Query leading(std::vector<std::pair<std::string, std::string>>{{"from", "01"}});
  bad("/v1/entries?from=01", 400, "bad_request", leading.Number("from").status().message());
  // The log's own refusals.
  bad("/v1/entries/" + std::to_string(n), 404, "not_found", log().ReadLeaf(n).status().message());
  bad("/v1/proofs/inclusion?index=0&size=" + std::to_string(n + 1), 400, "bad_request",
      log().InclusionProof(0, n + 1).status().message());
  bad("/v1/entries?from=1%zz", 400, "bad_request", "malformed request target");
}

// --- access ---

TEST_F(ApiTest, AnonymousReadersSeeNonPublicEntriesRedacted) {
  const std::string leaf = Leaf(submission_seq_);
  ASSERT_EQ(Json::parse(leaf)["event"]["type"], "submission.filed");
  const std::string redacted = Redacted(submission_seq_, "submission.filed");
  const std::string one = "/v1/entries/" + std::to_string(submission_seq_);
  EXPECT_EQ(Get(one).body, redacted);
  const std::string page = "/v1/entries?from=" + std::to_string(submission_seq_ - 1) + "&limit=5";
  EXPECT_EQ(Get(page).body, "{\"entries\":[" + Leaf(submission_seq_ - 1) + "," + redacted + "],\"next\":" +
                                std::to_string(submission_seq_ + 1) + "}");
  // Auditors and ministries read everything in full; departments and experts do not.
  for (const std::string actor : {"auditor1", "miit"}) {
    EXPECT_EQ(Get(one, ReadHeader(actor, "GET", one)).body, leaf) << actor;
    EXPECT_EQ(Get(page, ReadHeader(actor, "GET", page)).body,
              "{\"entries\":[" + Leaf(submission_seq_ - 1) + "," + leaf + "],\"next\":" + std::to_string(submission_seq_ + 1) + "}");
  }
  for (const std::string& actor : std::vector<std::string>{departments_[0], "expert1"}) {
    EXPECT_EQ(Get(one, ReadHeader(actor, "GET", one)).body, redacted) << actor;
  }
}

TEST_F(ApiTest, UnitsAndQuotasAreServedByRole) {
  const std::string unit = "/v1/units/" + unit_;
  EXPECT_EQ(Get(unit).body, ErrorBody("not_found", "no unit " + unit_));
  EXPECT_EQ(Get(unit, ReadHeader("expert1", "GET", unit)).status, 404);
  EXPECT_EQ(Get(unit, ReadHeader(departments_[1], "GET", unit)).status, 200) << "the unit's own authority";
  EXPECT_EQ(Get(unit, ReadHeader("auditor1", "GET", unit)).status, 200);
  EXPECT_EQ(Json::parse(Get("/v1/units").body)["units"], Json::array());

  const std::string quotas = "/v1/campaigns/2023/quotas";
  EXPECT_EQ(Get(quotas).body, ErrorBody("unauthenticated",
                                        "quota usage is served to authenticated ministry, provincial, SOE group and auditor actors"));
  EXPECT_EQ(Get(quotas).status, 401);
  const HttpResponse expert = Get(quotas, ReadHeader("expert1", "GET", quotas));
  EXPECT_EQ(expert.status, 403);
  EXPECT_EQ(expert.body, ErrorBody("forbidden", "an actor of role expert may not read quota usage"));
  for (const std::string& actor : std::vector<std::string>{"auditor1", "miit", departments_[2]}) {
    EXPECT_EQ(Get(quotas, ReadHeader(actor, "GET", quotas)).status, 200) << actor;
  }
}

// A campaign's quota usage is built once per state version and served to every reader allowed it
// from then on, until the next commit changes the state: then it is built again, with the change.
TEST_F(ApiTest, AQuotaAnswerIsBuiltOncePerStateVersionAndFollowsEveryCommit) {
  const std::string quotas = "/v1/campaigns/2023/quotas";
  const auto read = [&](const std::string& actor) {
    const HttpResponse r = Get(quotas, ReadHeader(actor, "GET", quotas));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  };
  const auto used = [](const std::string& body) {
    const Json answer = Json::parse(body);
    for (const Json& a : answer["authorities"]) {
      if (a["authority"] == "110000") return a["places"]["enterprise"]["used"].get<int64_t>();
    }
    return int64_t{-1};
  };
  const auto counted = [&](const std::string& result) {
    const std::string metrics = Get("/metrics").body;
    const std::string line = "pilotledger_cached_answers_total{result=\"" + result + "\"} ";
    const size_t at = metrics.find(line);
    return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + line.size()));
  };
  const std::string first = read("miit");
  EXPECT_EQ(read("auditor1"), first);
  EXPECT_EQ(read(departments_[2]), first);
  EXPECT_EQ(counted("miss"), 1);
  EXPECT_EQ(counted("hit"), 2);
  EXPECT_EQ(used(first), 0);
  EXPECT_EQ(Json::parse(first)["as_of"], log().size());

  ASSERT_OK(ledger_->Recommend("2023", unit_));
  ASSERT_NO_FATAL_FAILURE(Sync());
  const std::string after = read("auditor1");
  EXPECT_EQ(used(after), 1);
  EXPECT_EQ(Json::parse(after)["as_of"], log().size());
  EXPECT_EQ(counted("miss"), 2);
  EXPECT_EQ(read("miit"), after);
  EXPECT_EQ(counted("hit"), 3);
  // Another campaign's answer is its own.
  const std::string other = "/v1/campaigns/2017/quotas";
  EXPECT_EQ(Json::parse(Get(other, ReadHeader("miit", "GET", other)).body)["campaign"], "2017");
  EXPECT_EQ(counted("miss"), 3);
}

TEST_F(ApiTest, TheReadHeaderIsCheckedBeforeRoutingAndRefusedWith401) {
  const std::string target = "/v1/entries?from=0&limit=1";
  const auto unauthenticated = [&](const std::string& t, const std::string& header, const std::string& message) {
    const HttpResponse r = Get(t, header);
    EXPECT_EQ(r.status, 401) << header;
    EXPECT_EQ(r.body, ErrorBody("unauthenticated", message)) << header;
  };
  // The time window is 300 s either way, inclusive.
  EXPECT_EQ(Get(target, ReadHeader("auditor1", "GET", target, kStart - 300'000)).status, 200);
  EXPECT_EQ(Get(target, ReadHeader("auditor1", "GET", target, kStart + 300'000)).status, 200);
  unauthenticated(target, ReadHeader("auditor1", "GET", target, kStart - 301'000),
                  "the signed time 2023-10-15T07:54:59Z is more than 300 s from the server's clock");
  unauthenticated(target, ReadHeader("auditor1", "GET", target, kStart + 301'000),
                  "the signed time 2023-10-15T08:05:01Z is more than 300 s from the server's clock");
  // The signature covers the method and the exact target.
  unauthenticated(target, ReadHeader("auditor1", "GET", target + "&x=1"), "the read signature of auditor1 does not verify");
  unauthenticated(target, ReadHeader("auditor1", "POST", target), "the read signature of auditor1 does not verify");
  unauthenticated("/v1/entries?limit=1&from=0", ReadHeader("auditor1", "GET", target),
                  "the read signature of auditor1 does not verify");
  unauthenticated(target, ReadHeader("nobody", "GET", target), "actor nobody is not a registered, active actor");
  // The header's grammar.
  unauthenticated(target, "Bearer abc", "the Authorization header must use the PilotLedger-Sig scheme");
  unauthenticated(target, "pilotledger-sig actor=auditor1", "the Authorization header must use the PilotLedger-Sig scheme");
  unauthenticated(target, "PilotLedger-Sig actor=auditor1", "the Authorization header needs actor, time and sig");
  unauthenticated(target, "PilotLedger-Sig actor=auditor1,actor=miit",
                  "unexpected or repeated Authorization parameter actor");
  unauthenticated(target, "PilotLedger-Sig actor=auditor1,key=x", "unexpected or repeated Authorization parameter key");
  unauthenticated(target, "PilotLedger-Sig actor=auditor1, time=x", "unexpected or repeated Authorization parameter  time");
  unauthenticated(target, "PilotLedger-Sig actor", "malformed Authorization parameter \"actor\"");
  unauthenticated(target, "PilotLedger-Sig actor=auditor1,time=yesterday,sig=AAAA", "time is not an RFC 3339 UTC time");
  // Before routing: an unknown path, /healthz and a bad method all answer 401 to a bad header.
  unauthenticated("/nope", "Bearer abc", "the Authorization header must use the PilotLedger-Sig scheme");
  unauthenticated("/healthz", "Bearer abc", "the Authorization header must use the PilotLedger-Sig scheme");
  EXPECT_EQ(Call("DELETE", "/v1/entries", "", "Bearer abc").status, 401);
  // A good header on an unknown path is a 404.
  EXPECT_EQ(Get("/nope", ReadHeader("auditor1", "GET", "/nope")).status, 404);
}

// Found by fuzzing (fuzz/corpus/read_auth/regress-*, fuzz/corpus/stream_params/regress-*): the
// refusal quoted the header's parts and the stream's types raw, so that the answer was not UTF-8.
TEST_F(ApiTest, ErrorAnswersQuotingTheRequestAreValidUtf8) {
  const auto check = [](const HttpResponse& r, int status, const std::string& quoted) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_TRUE(IsValidUtf8(r.body)) << r.body;
    EXPECT_TRUE(ParseStrictJson(r.body).ok()) << r.body;
    EXPECT_NE(r.body.find(quoted), std::string::npos) << r.body;
  };
  check(Get("/v1/entries", "PilotLedger-Sig act\xffor"), 401, "malformed Authorization parameter \\\"act\\\\xFFor\\\"");
  check(Get("/v1/entries", "PilotLedger-Sig actor=mi\xc3,time=2023-10-15T08:00:00Z,sig=AAAA"), 401, "actor mi\\\\xC3 is not");
  check(Get("/v1/entries?%ff=1"), 400, "unknown query parameter \\\"\\\\xFF\\\"");
  Result<StreamRequest> stream = api_->OpenStream("/v1/stream?types=title.revoked,%e9", "", 0, 10);
  ASSERT_FALSE(stream.ok());
  check(Api::ErrorResponse(stream.status()), 400, "unknown event type \\\"\\\\xE9\\\" in types");
}

TEST_F(ApiTest, AnAppendIgnoresTheReadHeader) {
  const SignedEvent e = ledger_->Make("actor.registered",
                                      {{"actor", "expert6"}, {"role", "expert"}, {"name", "Actor expert6"},
                                       {"public_key", ledger_->Key("expert6").public_key().ToBase64()}},
                                      {"miit"});
  EXPECT_EQ(Post(e, "Bearer not-checked").status, 201);
}

TEST_F(ApiTest, ARevokedReaderIsNoLongerAuthenticated) {
  const std::string target = "/v1/entries/0";
  ASSERT_EQ(Get(target, ReadHeader("auditor1", "GET", target)).status, 200);
  ASSERT_OK(ledger_->Append("actor.revoked", {{"actor", "auditor1"}, {"reason", "left the programme"}}, {"miit"}));
  ASSERT_NO_FATAL_FAILURE(Sync());
  const HttpResponse r = Get(target, ReadHeader("auditor1", "GET", target));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, ErrorBody("unauthenticated", "actor auditor1 is not a registered, active actor"));
}

// --- the web page (server/api_web.cc) ---

TEST_F(ApiTest, ThePagePathsServeTheEmbeddedPageWithAStrictPolicy) {
  const auto header = [](const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) if (k == name) return v;
    return std::string();
  };
  const std::string prefix = "/static/" + std::string(WebAssetVersion()) + "/";
  for (const std::string& path : std::vector<std::string>{"/", "/?q=%E5%85%BB%E8%80%81&lang=en", "/units/" + unit_, "/campaigns/2023",
                                 "/campaigns/2023/quotas?lang=en", "/revocations"}) {
    const HttpResponse r = Get(path);
    ASSERT_EQ(r.status, 200) << path << " " << r.body;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(header(r, "Content-Security-Policy"), kWebContentSecurityPolicy);
    EXPECT_NE(r.body.find("<script type=\"module\" src=\"" + prefix + "app.js\"></script>"), std::string::npos);
    EXPECT_EQ(r.body.find("{{static}}"), std::string::npos);
  }
  HttpResponse r = Get(prefix + "app.js");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Get(prefix + "app.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get(prefix + "icon.svg").content_type, "image/svg+xml");
  // Another version, an unknown file, the shell itself under /static/, unknown parameters, other methods.
  EXPECT_EQ(Get("/static/000000000000/app.js").status, 404);
  EXPECT_EQ(Get(prefix + "nope.js").status, 404);
  EXPECT_EQ(Get(prefix + "index.html").status, 404);
  EXPECT_EQ(Get("/units").status, 404);
  r = Get("/?from=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"error":{"code":"bad_request","details":{"allowed":["q","lang"],"parameter":"from"},"message":"unknown query parameter \"from\" on /: it takes q, lang"}})");
  EXPECT_EQ(Get("/revocations?q=x").status, 400);
  r = Call("POST", "/");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET");
}

}  // namespace
}  // namespace pilotledger::server
