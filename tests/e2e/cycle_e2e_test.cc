// A whole cycle as the two calls describe it, over real HTTP, checking the unit, quota, review-list,
// outcome and document answers at each step; at the end a replay from genesis (pilotctl verify's
// library and the independent Python verifier) must equal everything served.
#include <fstream>
#include <thread>

#include "client/verifier.h"
#include "ledger/crypto.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

using testing::kMinistries;
using testing::TestLedger;

class CycleTest : public testing::ServerTest {
 protected:
  CycleTest() : ServerTest(std::vector<std::string>{"--log-requests", "false"}) {}
  Status Do(const std::string& type, const Json& body, const std::vector<std::string>& signers) {
    Result<client::AppendReceipt> r = c_->Append(ledger_.Event(type + "-" + std::to_string(++n_), type, body, signers));
    if (r.ok()) last_seq_ = r->seq;
    return r.status();
  }
  Json Unit(const std::string& id) { return *As("auditor-1")->GetJson("/v1/units/" + id); }
  Json Quota(const std::string& campaign, const std::string& authority) {
    Json q = *As("auditor-1")->GetJson("/v1/campaigns/" + campaign + "/quotas");
    for (const Json& a : q["authorities"]) {
      if (a["authority"] == authority) return a;
    }
    return nullptr;
  }
  std::vector<std::string> Departments(const std::string& authority) {
    return {"p" + authority + "-miit", "p" + authority + "-civil", "p" + authority + "-health"};
  }
  // A stand-in file's citation: {name, sha256, bytes} of `content`.
  static Json Doc(const std::string& name, const std::string& content) {
    return {{"name", name}, {"sha256", HashHex(Sha256(content))}, {"bytes", int64_t(content.size())}};
  }
  // `body` with documents (and, for recommendations, the province's checks) as the 2023 rules require.
  static Json With(Json body, const Json& documents) {
    body["documents"] = documents;
    return body;
  }
  static Json Recommendation(const std::string& campaign, const std::string& unit) {
    return {{"campaign", campaign},
            {"unit_id", unit},
            {"checks", {{{"method", "material_review"}, {"date", "2023-10-01"}, {"note", "逐一审查申报材料"}},
                        {{"method", "site_visit"}, {"date", "2023-10-02"}, {"note", "现场调研"}}}},
            {"documents", {Doc("推荐意见", "北京市推荐意见"), Doc("汇总表", "北京市汇总表（附件4）")}}};
  }
  void Scores(const std::string& campaign, const std::string& unit, int score) {
    for (const char* e : {"expert-1", "expert-2", "expert-3"}) {
      ASSERT_OK(Do("score.recorded", {{"campaign", campaign}, {"unit_id", unit}, {"score", score}}, {e}));
    }
  }

  int n_ = 0;
  uint64_t last_seq_ = 0;
};

TEST_F(CycleTest, ACampaignAndAReviewFromRegistrationToRevocation) {
  // Actors.
  for (const char* who : {"auditor-1", "expert-1", "expert-2", "expert-3"}) {
    ASSERT_TRUE(c_->Append(ledger_.Register({who, std::string(who).substr(0, std::string(who).find('-')), "", "", ""})).ok());
  }
  testing::RegisterDepartments(ledger_, *c_, "110000");

  // Historical titles 2017-2019: four Beijing units on the review list, one of which will not apply,
  // and one 2019 unit the ministries leave off the list.
  std::vector<std::string> reviewed;
  int serial = 100;
  for (const char* year : {"2017", "2018", "2019"}) {
    ASSERT_OK(Do("campaign.opened", {{"campaign", year}, {"rules", testing::CampaignRules(year)}}, kMinistries));
    Json units = Json::array();
    for (int i = 0; i < (std::string(year) == "2017" ? 2 : 1); ++i) {
      const std::string id = testing::Uscc("110101", ++serial);
      units.push_back({{"id", id}, {"name", std::string(year) + "年示范企业" + std::to_string(i)}, {"category", "enterprise"},
                       {"subtype", "service"}, {"region", "110101"}, {"authority", "110000"}});
      reviewed.push_back(id);
    }
    ASSERT_OK(Do("title.granted", {{"campaign", year}, {"units", units}}, kMinistries));
  }
  const std::string idle = reviewed[1];  // the second 2017 unit: it will not apply for review
  reviewed.erase(reviewed.begin() + 1);
  const std::string unlisted = testing::Uscc("110101", 999);
  const Json unlisted_unit = {{"id", unlisted}, {"name", "未列入复核名单的企业"}, {"category", "enterprise"},
                              {"subtype", "service"}, {"region", "110101"}, {"authority", "110000"}};
  ASSERT_OK(Do("title.granted", {{"campaign", "2019"}, {"units", Json::array({unlisted_unit})}}, kMinistries));
  EXPECT_EQ(Unit(idle)["status"], "titled");

  // The campaign, under the 2023 rules with a deadline a few seconds ahead (the ledger's clock decides).
  SystemClock clock;
  Json rules = testing::CampaignRules("2023");
  rules["campaign"] = "c2023";
  rules["deadline"] = FormatRfc3339Seconds(Timestamp{clock.Now().ms + 20000});
  ASSERT_OK(Do("campaign.opened", {{"campaign", "c2023"}, {"rules", rules}}, kMinistries));

  // Who may apply: a base is a county-level government, not a province.
  Json base = {{"campaign", "c2023"},
               {"unit", {{"id", testing::Uscc("110000", 7, "11")}, {"name", "北京市人民政府"}, {"category", "base"}, {"region", "110000"},
                         {"authority", "110000"}}},
               {"metrics", {{"it_investment", 9000000}, {"development_plan", true}, {"supporting_policies", true}, {"unified_platform", true},
                            {"experience_centres", 1}, {"demo_streets", 3}, {"medical_elderly_institutions", 1}, {"service_standards", true}}},
               {"scenarios", {"family_health", "primary_care_health", "elderly_health_promotion", "rehabilitation_aids", "internet_medical",
                              "family_care_beds", "community_day_care", "medical_elderly_integration"}},
               {"documents", {Doc("申报材料", "北京市基地申报材料")}}};
  const Status provincial = Do("submission.filed", base, {"p110000-miit"});
  EXPECT_EQ(provincial.details()["rule"], "applicant_not_county_level") << provincial.ToString();
  EXPECT_NE(provincial.message().find("region 110000 is a provincial-level code"), std::string::npos) << provincial.message();
  EXPECT_EQ(provincial.details()["provisional"], true) << "2023's rules are provisional, and the refusal says so";

  // Submissions carry their application materials (申报材料); a missing one is named.
  const Status bare = Do("submission.filed", testing::StreetSubmission("c2023", 1), {"p110000-miit"});
  EXPECT_EQ(bare.code(), Code::kSchemaViolation);
  EXPECT_EQ(bare.details()["field"], "documents");
  EXPECT_NE(bare.message().find("申报材料"), std::string::npos) << bare.message();
  std::vector<std::string> streets;
  for (int i = 1; i <= 9; ++i) {
    const Json s = With(testing::StreetSubmission("c2023", i), Json::array({Doc("申报材料", "街道申报材料" + std::to_string(i))}));
    streets.push_back(s["unit"]["id"]);
    ASSERT_OK(Do("submission.filed", s, {"p110000-miit"}));
    EXPECT_EQ(Unit(streets.back())["status"], "submitted");
  }
  // Recommendations record the province's checks and carry 推荐意见 and 汇总表; Beijing may recommend 8 streets.
  Json unchecked = Recommendation("c2023", streets[0]);
  unchecked["checks"].erase(1);
  const Status no_visit = Do("recommendation.issued", unchecked, Departments("110000"));
  EXPECT_EQ(no_visit.details()["field"], "checks") << no_visit.ToString();
  for (int i = 0; i < 8; ++i) ASSERT_OK(Do("recommendation.issued", Recommendation("c2023", streets[i]), Departments("110000")));
  EXPECT_EQ(Unit(streets[0])["status"], "recommended");
  EXPECT_EQ(Unit(streets[0])["applications"]["c2023"]["checks"][1]["method"], "site_visit");
  EXPECT_EQ(Quota("c2023", "110000")["places"]["street"], (Json{{"limit", 8}, {"extra", 0}, {"used", 8}}));
  const Status over = Do("recommendation.issued", Recommendation("c2023", streets[8]), Departments("110000"));
  EXPECT_EQ(over.details()["rule"], "quota_exceeded");

  // The review list (附件2). Requests come only from listed units, with the review form (复核申请表)
  // and the material Beijing requires of its own.
  ASSERT_OK(Do("review.scope", {{"campaign", "c2023"}, {"units", {{"110000", {reviewed[0], idle, reviewed[1], reviewed[2]}}}}}, kMinistries));
  const auto form = [](const std::string& unit, int64_t users) {
    return Json{{"campaign", "c2023"}, {"unit_id", unit},
                {"metrics", {{"years_registered", 8}, {"violations_3y", false}, {"dishonest_debtor", false}, {"deployed_projects", 4},
                             {"business_model", true}, {"revenue", 9000000}, {"users", users}, {"service_platform", true},
                             {"service_standards", true}}},
                {"scenarios", {"home_visit_services"}},
                {"documents", {Doc("复核申请表", "复核申请表 " + unit)}}};
  };
  const Status not_listed = Do("review.requested", form(unlisted, 20000), {"p110000-miit"});
  EXPECT_EQ(not_listed.details()["rule"], "invalid_transition") << not_listed.ToString();
  ASSERT_OK(Do("review.requirements", {{"campaign", "c2023"}, {"authority", "110000"}, {"required_documents", {"近三年发展报告"}}},
               Departments("110000")));
  const Status without_report = Do("review.requested", form(reviewed[0], 20000), {"p110000-miit"});
  EXPECT_EQ(without_report.details()["field"], "documents");
  EXPECT_NE(without_report.message().find("近三年发展报告"), std::string::npos) << without_report.message();
  const std::string report_file = ledger_.data_dir() + "/../report.txt";
  const std::string report_text = "北京市近三年发展报告（复核材料，三家单位共用）";
  std::ofstream(report_file) << report_text;
  for (size_t i = 0; i < reviewed.size(); ++i) {
    Json body = form(reviewed[i], i == 1 ? 8000 : 20000);  // reviewed[1] falls short of ES-2 (用户数不少于1万户)
    body["documents"].push_back(Doc("近三年发展报告", report_text));
    ASSERT_OK(Do("review.requested", body, {"p110000-miit"}));
  }
  // A review is judged on the 2023 conditions and the three areas of progress.
  const Json findings = {{"industry_development", {{"progress", true}, {"note", "收入增长"}}},
                         {"service_capability", {{"progress", true}, {"note", "服务扩大"}}},
                         {"industry_influence", {{"progress", true}, {"note", "标准牵头"}}}};
  const auto review_recommendation = [&](const std::string& unit, const Json& f) {
    Json b = Recommendation("c2023", unit);
    b["findings"] = f;
    return b;
  };
  const Status short_of_users = Do("review.recommended", review_recommendation(reviewed[1], findings), Departments("110000"));
  EXPECT_EQ(short_of_users.details()["rule"], "not_eligible") << short_of_users.ToString();
  EXPECT_EQ(short_of_users.details()["failed"], (Json::array({{{"id", "ES-2"}, {"message", "users 8000 < 10000"}, {"text", "用户数不少于1万户"}}})));
  Json no_progress = findings;
  no_progress["industry_influence"]["progress"] = false;
  const Status stalled = Do("review.recommended", review_recommendation(reviewed[0], no_progress), Departments("110000"));
  EXPECT_EQ(stalled.details()["failed"][0]["id"], "progress.industry_influence") << stalled.ToString();
  // The cap: 4 listed, floor(0.7 * 4) = 2.
  EXPECT_EQ(Quota("c2023", "110000")["review"], (Json{{"base", 4}, {"base_rule", "listed"}, {"cap", 2}, {"cap_bp", 7000}, {"extra", 0},
                                                      {"listed", 4}, {"recommended", 0}, {"recommended_revoked", 0}, {"remaining", 2},
                                                      {"requested", 3}, {"revoked_since_request", 0}}));
  ASSERT_OK(Do("review.recommended", review_recommendation(reviewed[0], findings), Departments("110000")));
  ASSERT_OK(Do("review.recommended", review_recommendation(reviewed[2], findings), Departments("110000")));
  EXPECT_EQ(Unit(reviewed[0])["reviews"]["c2023"]["findings"]["service_capability"], (Json{{"note", "服务扩大"}, {"progress", true}}));
  EXPECT_EQ(Quota("c2023", "110000")["review"]["remaining"], 0);

  // Which decisions cite the shared report: the three review requests, each with its proof.
  const std::string report_hash = HashHex(Sha256(report_text));
  ASSERT_OK_AND_ASSIGN(Json cited, As("auditor-1")->GetJson("/v1/documents/" + report_hash));
  ASSERT_EQ(cited["citations"].size(), 3u);
  ASSERT_OK_AND_ASSIGN(note::Verifier key, note::ParseVerifierKey(ledger_.verifier_key()));
  for (const Json& cite : cited["citations"]) {
    EXPECT_EQ(cite["type"], "review.requested");
    EXPECT_EQ(cite["name"], "近三年发展报告");
    const Json bundle = {{"format", client::kProofBundleFormat}, {"entry", cite["entry"]}, {"checkpoint", cited["checkpoint"]},
                         {"inclusion", cite["inclusion"]}};
    EXPECT_OK(client::CheckProofBundle(bundle, key).status()) << cite.dump();
  }
  ASSERT_OK_AND_ASSIGN(Json anonymous, c_->GetJson("/v1/documents/" + report_hash));
  EXPECT_EQ(anonymous["citations"][0]["entry"]["redacted"], true) << "review requests are not public";
  EXPECT_FALSE(anonymous["citations"][0].contains("name"));
  std::string out;
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "--server", server_->url(), "check-document", report_file, "--ledger-key",
                                 ledger_.verifier_key()},
                                &out),
            0)
      << out;
  EXPECT_NE(out.find("inclusion proven"), std::string::npos) << out;

  // Scores (three each, scoring.scores_required), spot checks, a publication, an objection.
  for (int i = 0; i < 5; ++i) Scores("c2023", streets[i], i == 3 ? 52 : 85);
  for (const std::string& u : {reviewed[0], reviewed[2]}) Scores("c2023", u, 88);
  const Status early_list = Do("publication.issued", {{"campaign", "c2023"}, {"units", {streets[5]}}, {"objection_deadline", "2099-01-01T00:00:00Z"}},
                               kMinistries);
  EXPECT_NE(early_list.message().find("has 0 of the 3 expert scores"), std::string::npos) << early_list.ToString();
  ASSERT_OK(Do("spotcheck.recorded", {{"campaign", "c2023"}, {"unit_id", streets[0]}, {"passed", true}}, {"expert-1"}));
  ASSERT_OK(Do("spotcheck.recorded", {{"campaign", "c2023"}, {"unit_id", streets[4]}, {"passed", false}}, {"miit"}));
  const std::string deadline = FormatRfc3339Seconds(Timestamp{clock.Now().ms + 3000});
  ASSERT_OK(Do("publication.issued", {{"campaign", "c2023"}, {"units", {streets[0], streets[1], streets[2]}}, {"objection_deadline", deadline}},
               kMinistries));
  ASSERT_OK(Do("publication.issued", {{"campaign", "c2023"}, {"units", {reviewed[0], reviewed[2]}}, {"objection_deadline", deadline}}, kMinistries));
  ASSERT_OK(Do("objection.filed", {{"campaign", "c2023"}, {"unit_id", streets[2]}, {"summary", "服务人数不实"}}, {"mca"}));
  const uint64_t objection = last_seq_;
  ASSERT_OK(Do("objection.resolved", {{"campaign", "c2023"}, {"objection", objection}, {"upheld", true}}, {"mca"}));
  EXPECT_EQ(Unit(streets[2])["status"], "rejected");
  EXPECT_EQ((*c_->GetJson("/v1/units/" + streets[2]))["status"], "published") << "the objection's outcome is not public";

  // Every recommended unit ends in an outcome; a reason must fit the record.
  const auto reject = [&](const std::string& unit, const std::string& reason, const std::vector<std::string>& extra = {}) {
    Json body = {{"campaign", "c2023"}, {"unit_id", unit}, {"reason", reason}};
    if (reason == "other") body["note"] = "申报主体发生变更";
    std::vector<std::string> signers = kMinistries;
    signers.insert(signers.end(), extra.begin(), extra.end());
    return Do("application.rejected", body, signers);
  };
  const Status unfit = reject(streets[3], "spot_check_failed");
  EXPECT_EQ(unfit.details()["rule"], "invalid_transition") << unfit.ToString();
  EXPECT_NE(unfit.message().find("spot_check_failed needs a failed spot check"), std::string::npos) << unfit.message();
  const Status closing = Do("campaign.closed", {{"campaign", "c2023"}}, kMinistries);
  EXPECT_EQ(closing.details()["open"].size(), 10u) << closing.ToString();  // 8 streets, 2 reviews
  ASSERT_OK(reject(streets[2], "objection_upheld"));
  ASSERT_OK(reject(streets[3], "score_below_line"));
  ASSERT_OK(reject(streets[4], "spot_check_failed"));
  // The ministries raise T-2c (amended rules): streets[5] no longer meets it.
  Json amended = rules;
  for (Json& c : amended["eligibility"]["street"]) {
    if (c["id"] == "T-2c") c["min"] = 20000;
  }
  ASSERT_OK(Do("campaign.amended", {{"campaign", "c2023"}, {"rules", amended}, {"reason", "服务人数门槛调整（示例）"}}, kMinistries));
  ASSERT_OK(reject(streets[5], "not_eligible"));
  const Status not_withdrawn = reject(streets[6], "withdrawn");
  EXPECT_EQ(not_withdrawn.details()["rule"], "invalid_transition") << "without the unit's side";
  ASSERT_OK(reject(streets[6], "withdrawn", {"p110000-miit"}));
  ASSERT_OK(reject(streets[7], "other"));
  EXPECT_EQ(Unit(streets[5])["applications"]["c2023"]["refusal"]["reason"], "not_eligible");

  // After the objection deadline: grants and the review's results.
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, ParseRfc3339(deadline, TimeZoneRule::kAnyOffset)->ms - clock.Now().ms + 300)));
  ASSERT_OK(Do("title.granted", {{"campaign", "c2023"}, {"units", {streets[0], streets[1]}}}, kMinistries));
  EXPECT_EQ(Unit(streets[0])["status"], "titled");
  const Status upheld = Do("title.granted", {{"campaign", "c2023"}, {"units", {streets[2]}}}, kMinistries);
  EXPECT_EQ(upheld.details()["rule"], "invalid_transition");
  ASSERT_OK(Do("review.passed", {{"campaign", "c2023"}, {"units", {reviewed[0], reviewed[2]}}}, kMinistries));
  EXPECT_EQ(Unit(reviewed[0])["reviews"]["c2023"]["state"], "passed");
  const Json outcomes = *As("auditor-1")->GetJson("/v1/campaigns/c2023/outcomes");
  EXPECT_EQ(outcomes["units"].size(), 10u);
  EXPECT_EQ(outcomes["open_items"], Json::array());

  // The deadline passes: the listed unit that never requested its review is due for revocation.
  const int64_t deadline_ms = ParseRfc3339(rules["deadline"].get<std::string>(), TimeZoneRule::kAnyOffset)->ms;
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, deadline_ms - clock.Now().ms + 1300)));
  const Status late = Do("recommendation.issued", Recommendation("c2023", streets[8]), Departments("110000"));
  EXPECT_EQ(late.details()["rule"], "deadline_passed");
  // (any entry moves the ledger clock past the deadline)
  ASSERT_OK(Do("actor.registered", TestLedger::Descriptor({"late-expert", "expert", "", "", ""}, ledger_.NewKey("late-expert")), {"miit"}));
  EXPECT_EQ(Unit(idle)["due_for_revocation"]["reason"], "review_not_requested");
  EXPECT_EQ(Unit(reviewed[1])["due_for_revocation"]["reason"], "review_failed") << "not recommended by the deadline";
  EXPECT_TRUE(c_->GetJson("/v1/units/" + reviewed[1])->at("due_for_revocation").is_null()) << "not public";
  EXPECT_TRUE(Unit(unlisted)["due_for_revocation"].is_null()) << "not on the review list";
  const Json scope = *As("auditor-1")->GetJson("/v1/campaigns/c2023/review-scope");
  ASSERT_EQ(scope["authorities"].size(), 1u);
  EXPECT_EQ(scope["authorities"][0]["not_requested"], (Json::array({idle})));
  EXPECT_EQ(scope["authorities"][0]["listed"].size(), 4u);
  EXPECT_EQ(scope["authorities"][0]["requirements"]["required_documents"], (Json::array({"近三年发展报告"})));
  EXPECT_EQ(c_->GetJson("/v1/campaigns/c2023/review-scope").status().code(), Code::kUnauthenticated);
  EXPECT_EQ((*As("auditor-1")->GetJson("/v1/campaigns/c2023/outcomes"))["open_items"].size(), 2u) << "two revocations to decide";

  // The round closes once every outcome is in; revocations and assessments go on after it.
  ASSERT_OK(Do("campaign.closed", {{"campaign", "c2023"}}, kMinistries));
  const Status after_close = Do("spotcheck.recorded", {{"campaign", "c2023"}, {"unit_id", streets[0]}, {"passed", true}}, {"miit"});
  EXPECT_EQ(after_close.details()["rule"], "invalid_transition") << after_close.ToString();
  const Status unlisted_revocation = Do("title.revoked", {{"campaign", "c2023"}, {"unit_id", unlisted}, {"reason", "review_not_requested"}}, kMinistries);
  EXPECT_EQ(unlisted_revocation.details()["rule"], "invalid_transition") << "only a listed unit can have failed to request";
  ASSERT_OK(Do("title.revoked", {{"campaign", "c2023"}, {"unit_id", idle}, {"reason", "review_not_requested"}}, kMinistries));
  ASSERT_OK(Do("title.revoked", {{"campaign", "c2023"}, {"unit_id", reviewed[1]}, {"reason", "review_failed"}}, kMinistries));
  EXPECT_EQ(Unit(idle)["status"], "revoked");
  EXPECT_TRUE(Unit(idle)["due_for_revocation"].is_null());
  EXPECT_EQ(Quota("c2023", "110000")["review"]["base"], 4) << "the base is the review list (review.base listed)";
  // Dynamic management: a failed assessment, then the revocation it supports.
  const Status unassessed = Do("title.revoked", {{"campaign", "c2023"}, {"unit_id", streets[1]}, {"reason", "assessment_failed"}}, kMinistries);
  EXPECT_EQ(unassessed.details()["rule"], "invalid_transition");
  ASSERT_OK(Do("assessment.recorded", {{"campaign", "c2023"}, {"unit_id", streets[1]}, {"passed", false}, {"note", "年度考核未通过"}}, kMinistries));
  ASSERT_OK(Do("title.revoked", {{"campaign", "c2023"}, {"unit_id", streets[1]}, {"reason", "assessment_failed"}}, kMinistries));
  EXPECT_EQ(Unit(streets[1])["status"], "revoked");
  EXPECT_EQ((*As("auditor-1")->GetJson("/v1/campaigns/c2023/outcomes"))["open_items"], Json::array());

  // A replay from genesis equals every unit and every campaign's quotas served.
  auto auditor = As("auditor-1");
  ASSERT_OK_AND_ASSIGN(client::VerifyReport report, client::VerifyLedger(*auditor, {.ledger_key = ledger_.verifier_key()}));
  EXPECT_EQ(report.units, 14u);  // five historical titles and nine streets
  EXPECT_EQ(report.campaigns, 4u);
  EXPECT_EQ(testing::RunCommand({"/usr/bin/python3", std::string(PILOT_SOURCE_DIR) + "/tests/tools/pilot_verify.py", "--url", server_->url(),
                                 "--ledger-key", ledger_.verifier_key()},
                                &out),
            0)
      << out;
}

}  // namespace
}  // namespace pilotledger
