// The tables and the check of unsigned events through the Api, without sockets, over a real
// LedgerService on RocksDB (the files themselves are read back independently by
// tests/tools/report_tables.py): routing and refusals, the checkpoint stamped with the rows, what
// each reader sees, and POST /v1/check checking in order on a copy of the state.
#include <future>
#include <thread>

#include "ledger/canonical_json.h"
#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "server/api.h"
#include "server/metrics.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/projections/fixture.h"

namespace pilotledger::server {
namespace {

namespace fx = projections::fx;
using testing::FakeClock;
using testing::TempDir;

constexpr int64_t kStart = 1697356800000;  // 2023-10-15T08:00:00Z, the test ledger's clock

class ReportsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = fx::OpenLedger("2023");
    const Json& genesis = ledger_->entries[0].signed_event.body();
    ASSERT_TRUE(LedgerService::Init(dir_ / "data", "test.pilotledger/reports", genesis["authorities"], genesis["policy"], clock_).ok());
    ServiceOptions options;
    options.data_dir = dir_ / "data";
    Result<std::unique_ptr<LedgerService>> service = LedgerService::Open(options, clock_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
    api_ = std::make_unique<Api>(*service_, metrics_);
    ASSERT_OK(ledger_->Register("auditor1", "auditor"));
    beijing_ = ledger_->Departments("110000");
    shanghai_ = ledger_->Departments("310000");
    recommended_ = ledger_->AddRecommended("2023", "110000", "enterprise");
    submitted_ = ledger_->AddUnit("2023", "110000", "street");
    other_ = ledger_->AddUnit("2023", "310000", "street");
    ASSERT_NO_FATAL_FAILURE(Sync());
  }
  void TearDown() override {
    if (service_) service_->Stop();
  }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body, const std::string& actor) {
    std::string auth;
    if (!actor.empty()) {
      const std::string time = FormatRfc3339Seconds(clock_.Now());
      auth = "PilotLedger-Sig actor=" + actor + ",time=" + time + ",sig=" +
             Base64Encode(ledger_->Key(actor).Sign("pilotledger:read:v1\n" + method + " " + target + "\n" + time));
    }
    std::promise<HttpResponse> answer;
    std::future<HttpResponse> future = answer.get_future();
    api_->Handle(HttpRequest{method, target, auth, body}, [&answer](HttpResponse r) { answer.set_value(std::move(r)); });
    return future.get();
  }
  HttpResponse Get(const std::string& target, const std::string& actor = "") { return Call("GET", target, "", actor); }
  void Sync() {
    for (size_t seq = service_->log().size(); seq < ledger_->entries.size(); ++seq) {
      const HttpResponse r = Call("POST", "/v1/entries", WriteCanonical(SubmissionJson(ledger_->entries[seq].signed_event)), "");
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  // The unsigned event {campaign, unit_id} of `type`, as pilotctl import-table makes it.
  Json Unsigned(const std::string& type, const std::string& unit, const std::string& id) {
    // With the documents (and, for a recommendation, the checks) the 2023 rules require.
    Json body = ledger_->Documented(type, {{"campaign", "2023"}, {"unit_id", unit}});
    if (type == "recommendation.issued") body = ledger_->Checked(body);
    Result<SignedEvent> e = MakeEvent(id, type, clock_.Now(), body);
    EXPECT_TRUE(e.ok());
    return SubmissionJson(*e);
  }
  Json Check(const Json& events, const std::string& actor) {
    const HttpResponse r = Call("POST", "/v1/check", WriteCanonical({{"events", events}}), actor);
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body);
  }
  static std::string Rule(const Json& result) { return result["error"]["details"].value("rule", result["error"].value("code", "")); }

  TempDir dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<fx::Ledger> ledger_;
  std::unique_ptr<LedgerService> service_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::vector<std::string> beijing_, shanghai_;
  std::string recommended_, submitted_, other_;
};

TEST_F(ReportsApiTest, ACsvReportStatesTheCheckpointItsRowsReflect) {
  const HttpResponse r = Get("/v1/campaigns/2023/reports/summary?format=csv&lang=en", "auditor1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8; header=present");
  ASSERT_EQ(r.body.rfind("\xEF\xBB\xBF# report: summary\r\n", 0), 0u) << r.body;
  const std::string note = *service_->log().signed_checkpoint();
  EXPECT_NE(r.body.find("# checkpoint_size: " + std::to_string(service_->log().size()) + "\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("# checkpoint_note: " + Base64Encode(note) + "\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("\r\nno,kind,batch,name,credit_code,category,subtype,region,authority,eligibility,failed_criteria,status,reason,note,seqs\r\n"),
            std::string::npos);
  // The one recommendation, in full for the auditor.
  const projections::Unit& u = *ledger_->state.FindUnit(recommended_);
  const projections::Application& a = u.applications.at("2023");
  const std::string seqs = std::to_string(ledger_->state.FindCampaign("2023")->rules_seq) + " " + std::to_string(a.submitted_seq) + " " +
                           std::to_string(*a.recommended_seq);
  EXPECT_NE(r.body.find("\r\n1,application,," + u.d.name + "," + recommended_ + ",enterprise,product," + u.d.region +
                        ",110000,eligible,,recommended,,," + seqs + "\r\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("# rows: 1\r\n"), std::string::npos);
  const auto header = std::find_if(r.headers.begin(), r.headers.end(), [](const auto& h) { return h.first == "PilotLedger-Checkpoint-Size"; });
  ASSERT_NE(header, r.headers.end());
  EXPECT_EQ(header->second, std::to_string(service_->log().size()));
}

// The log's own checkpoint runs ahead of the served state between a durable write and the swap;
// ReadAtCheckpoint hands out the state with the checkpoint of exactly its entries, while appends go on.
TEST_F(ReportsApiTest, TheStateAndTheCheckpointAreReadTogetherWhileAppendsGoOn) {
  for (int i = 0; i < 200; ++i) ledger_->AddUnit("2023", i % 2 ? "110000" : "310000", "street");
  std::thread appender([this] { Sync(); });
  uint64_t reads = 0, last = 0;
  while (last < ledger_->entries.size()) {
    const auto [state_size, cp] = service_->ReadAtCheckpoint([](const projections::State& s, const std::string& note) {
      return std::make_pair(s.size, ParseCheckpointText(note.substr(0, note.find("\n\n") + 1)));
    });
    ASSERT_TRUE(cp.ok());
    ASSERT_EQ(cp->size, state_size);
    ASSERT_GE(state_size, last);
    last = state_size;
    ++reads;
  }
  appender.join();
  EXPECT_GT(reads, 0u);
}

TEST_F(ReportsApiTest, ReadersSeeInReportsWhatTheySeeInTheJsonAnswers) {
  const std::string target = "/v1/campaigns/2023/reports/summary?format=csv";
  EXPECT_NE(Get(target).body.find("# rows: 0\r\n"), std::string::npos) << "recommendations are not public";
  EXPECT_NE(Get(target, shanghai_[0]).body.find("# rows: 0\r\n"), std::string::npos) << "another province's";
  EXPECT_NE(Get(target, beijing_[0]).body.find("# rows: 1\r\n"), std::string::npos) << "its own province's";
  EXPECT_EQ(Get(target, beijing_[0]).body.find(other_), std::string::npos);
  EXPECT_EQ(Get("/v1/campaigns/2023/reports/quotas?format=csv").status, 401);
  EXPECT_EQ(Get("/v1/campaigns/2023/reports/quotas?format=csv", shanghai_[1]).status, 200);
}

// The issue-11 outcomes in the tables: application.rejected and review.failed with their reasons
// in the summary's status columns (and the review list's), a revoked title with its reason wherever
// a title status says revoked, and the outcomes' seqs among each row's.
TEST_F(ReportsApiTest, TheTablesShowEveryOutcomeWithItsReason) {
  ASSERT_OK(ledger_->SpotCheck("2023", recommended_, false));
  ASSERT_OK(ledger_->Reject("2023", recommended_, "spot_check_failed", "现场抽查不合格"));
  const std::string failed = ledger_->Titled("2018", "110000"), passed = ledger_->Titled("2017", "110000");
  ASSERT_OK(ledger_->Scope("2023", {failed, passed, ledger_->Titled("2019", "110000")}));  // the 70% cap: 2 of 3
  for (const std::string& id : {failed, passed}) {
    ASSERT_OK(ledger_->RequestReview("2023", id));
    ASSERT_OK(ledger_->RecommendReview("2023", id));
  }
  ASSERT_OK(ledger_->Publish("2023", {passed}, fx::At("2023-10-15T08:00:01Z")));
  ASSERT_NO_FATAL_FAILURE(Sync());
  clock_.Advance(2000);  // past the objection deadline, for the server and the test's ledger alike
  ledger_->now = clock_.Now();
  ASSERT_OK(ledger_->PassReview("2023", {passed}));
  for (const char* expert : {"expert1", "expert2", "expert3"}) ASSERT_OK(ledger_->Score("2023", failed, 50, expert));
  ASSERT_OK(ledger_->FailReview("2023", failed, "score_below_line"));
  ASSERT_OK(ledger_->Revoke("2023", failed, "review_failed", "复核未通过，撤销称号"));
  ASSERT_NO_FATAL_FAILURE(Sync());
  const projections::State& s = ledger_->state;
  const auto unit = [&](const std::string& id) { return *s.FindUnit(id); };
  const auto seqs = [](std::vector<uint64_t> v) {
    std::sort(v.begin(), v.end());
    std::string out;
    for (uint64_t q : v) out += (out.empty() ? "" : " ") + std::to_string(q);
    return out;
  };
  const projections::Unit r = unit(recommended_), f = unit(failed), p = unit(passed);
  const projections::Application& a = r.applications.at("2023");
  const projections::Review &fr = f.reviews.at("2023"), &pr = p.reviews.at("2023");
  const uint64_t rules = s.FindCampaign("2023")->rules_seq;
  const std::string summary = Get("/v1/campaigns/2023/reports/summary?format=csv", "auditor1").body;
  EXPECT_NE(summary.find("\r\n1,申报推荐,," + r.d.name + "," + r.d.id + ",企业,产品企业," + r.d.region + ",110000,符合,,未通过,抽查未通过,现场抽查不合格," +
                         seqs({a.submitted_seq, *a.recommended_seq, rules, a.refusal->seq}) + "\r\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find(",复核推荐,2018," + f.d.name + "," + f.d.id + ",企业,产品企业," + f.d.region + ",110000,符合,,复核未通过,评审得分未达线,," +
                         seqs({fr.requested_seq, *fr.recommended_seq, rules, f.titles.at("2018").granted_seq, *f.titles.at("2018").revoked_seq,
                               fr.refusal->seq}) + "\r\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find(",复核推荐,2017," + p.d.name + "," + p.d.id + ",企业,产品企业," + p.d.region + ",110000,符合,,复核通过,,," +
                         seqs({pr.requested_seq, *pr.recommended_seq, rules, p.titles.at("2017").granted_seq, *pr.passed_seq}) + "\r\n"),
            std::string::npos)
      << summary;
  const std::string en = Get("/v1/campaigns/2023/reports/review-list?format=csv&lang=en", "auditor1").body;
  EXPECT_NE(en.find(",2018," + f.d.name + "," + f.d.id + ",enterprise,product," + f.d.region + ",110000,revoked,review_failed,failed,score_below_line,"),
            std::string::npos)
      << en;
  // To the public, the revocation (a public entry) but not the review's failure (not public).
  const std::string pub = Get("/v1/campaigns/2023/reports/review-list?format=csv&lang=en").body;
  EXPECT_NE(pub.find("," + f.d.id + ",enterprise,product," + f.d.region + ",110000,revoked,review_failed,,," +
                     seqs({*s.FindCampaign("2023")->Listed("110000", failed), f.titles.at("2018").granted_seq, *f.titles.at("2018").revoked_seq}) +
                     "\r\n"),
            std::string::npos)
      << pub;
  const std::string granted = Get("/v1/campaigns/2018/reports/granted?format=csv&lang=en").body;
  EXPECT_NE(granted.find(",title," + f.d.name + "," + f.d.id + ",enterprise,product," + f.d.region + ",110000,revoked,review_failed,"),
            std::string::npos)
      << granted;
  const std::string revoked = Get("/v1/campaigns/2023/reports/revoked?format=csv").body;
  EXPECT_NE(revoked.find("\r\n1," + f.d.name + "," + f.d.id + ",企业,产品企业," + f.d.region + ",110000,2018,复核未通过,复核未通过，撤销称号," +
                         seqs({f.titles.at("2018").granted_seq, *f.titles.at("2018").revoked_seq}) + "\r\n"),
            std::string::npos)
      << revoked;
}

TEST_F(ReportsApiTest, BadReportRequestsAreRefusedWithTheirCodes) {
  EXPECT_EQ(Get("/v1/campaigns/nope/reports/summary").status, 404);
  EXPECT_EQ(Get("/v1/campaigns/2023/reports/nope").status, 404);
  EXPECT_EQ(Get("/v1/campaigns/2023/reports/summary?format=pdf").status, 400);
  EXPECT_EQ(Get("/v1/campaigns/2023/reports/summary?lang=fr").status, 400);
  EXPECT_EQ(Get("/v1/campaigns/2023/reports/summary?page=2").status, 400);
  EXPECT_EQ(Get("/v1/campaigns/2020/reports/review-list").status, 400) << "2020 reviews no titles";
  const HttpResponse xlsx = Get("/v1/campaigns/2023/reports/granted");
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.rfind("PK\x03\x04", 0), 0u) << "an XLSX file is a zip";
}

TEST_F(ReportsApiTest, TheCheckJudgesUnsignedEventsInOrderAndChangesNothing) {
  const uint64_t size = service_->log().size();
  const Json results = Check(Json::array({Unsigned("recommendation.issued", submitted_, "r1"),
                                          Unsigned("recommendation.issued", submitted_, "r2"),  // repeats the first
                                          Unsigned("recommendation.issued", recommended_, "r3"),
                                          Unsigned("recommendation.issued", "91110000MA00000000", "r4")}),
                             beijing_[0])["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0], Json({{"ok", true}}));
  EXPECT_EQ(Rule(results[1]), "invalid_transition");
  EXPECT_EQ(Rule(results[2]), "invalid_transition");
  EXPECT_EQ(results[3]["error"]["code"], "schema_violation") << "a wrong check character";
  EXPECT_EQ(service_->log().size(), size);
  EXPECT_FALSE(ledger_->state.FindUnit(submitted_)->applications.at("2023").recommended_seq);
  const HttpResponse unit = Get("/v1/units/" + submitted_, "auditor1");
  EXPECT_EQ(Json::parse(unit.body)["applications"]["2023"]["state"], "submitted");
}

TEST_F(ReportsApiTest, TheCheckRevealsNothingAboutOtherAuthoritiesUnits) {
  // Shanghai's submission is not public: to Beijing it is an unknown unit, as one no entry names.
  const Json results = Check(Json::array({Unsigned("recommendation.issued", other_, "x1")}), beijing_[0])["results"];
  EXPECT_EQ(Rule(results[0]), "unknown_unit");
  EXPECT_EQ(Check(Json::array({Unsigned("recommendation.issued", other_, "x1")}), "auditor1")["results"][0], Json({{"ok", true}}));
  EXPECT_EQ(Call("POST", "/v1/check", WriteCanonical({{"events", Json::array({Unsigned("recommendation.issued", other_, "x1")})}}), "").status,
            401);
  EXPECT_EQ(Call("POST", "/v1/check", "{\"events\":[]}", "auditor1").status, 400);
  EXPECT_EQ(Call("POST", "/v1/check", "{\"events\":[],\"x\":1}", "auditor1").status, 400);
}

}  // namespace
}  // namespace pilotledger::server
