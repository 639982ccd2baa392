// The tables (GET /v1/campaigns/{id}/reports/{name}) and the check of unsigned events before they
// are signed (POST /v1/check). Rows come from projections/reports.*, files from report_files.*,
// the reading rules from read_access.*: this file only routes.
#include <algorithm>
#include <memory>

#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "projections/apply.h"
#include "projections/bodies.h"
#include "projections/check.h"
#include "projections/reports.h"
#include "server/api.h"
#include "server/read_access.h"
#include "server/report_files.h"

namespace pilotledger::server {
namespace {

constexpr size_t kMaxCheckEvents = 1000;

// The unit an event is about, from its raw body: "unit_id", or the descriptor's "unit"."id".
std::string UnitOf(const SignedEvent& e) {
  const Json& b = e.body();
  if (b.contains("unit_id") && b["unit_id"].is_string()) return b["unit_id"];
  if (b.contains("unit") && b["unit"].is_object() && b["unit"].value("id", Json()).is_string()) return b["unit"]["id"];
  return "";
}

// What a reader who is neither a ministry nor an auditor may check: events about its own units
// (its authority's, or as an applicant its own). A unit it may not see at all is answered as an
// unknown unit, as Check answers for a unit no entry mentions, so that the check reveals nothing.
Status MayCheck(const Reader& reader, const projections::State& s, const SignedEvent& e) {
  if (reader.privileged()) return Status::Ok();
  const std::string id = UnitOf(e);
  if (id.empty()) return Status(Code::kForbidden, "only ministries and auditors may check events that concern no unit");
  const projections::Unit* u = id.empty() ? nullptr : s.FindUnit(id);
  if (u && !Visible(reader, *u)) return RuleViolation("unknown_unit", "no unit " + id + " has applied or holds a title");
  if (u && !FullView(reader, *u)) {
    return Status(Code::kForbidden, "unit " + id + " is not of authority " + reader.authority + ": check only your own units' events");
  }
  if (!u && e.body().contains("unit") && e.body()["unit"].is_object()) {
    const std::string authority = e.body()["unit"].value("authority", "");
    if (authority != reader.authority && id != reader.unit) {
      return Status(Code::kForbidden, "the unit's authority " + authority + " is not yours (" + reader.authority + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<HttpResponse> Api::GetReport(const RouteContext& c) {
  const std::string& campaign = c.segments[2];
  const std::string& name = c.segments[4];
  PL_RETURN_IF_ERROR(c.query.OneOf("format", {"xlsx", "csv"}));
  PL_RETURN_IF_ERROR(c.query.OneOf("lang", {"zh", "en"}));
  const std::string format = c.query.Get("format").empty() ? "xlsx" : c.query.Get("format");
  const std::string lang = c.query.Get("lang").empty() ? "zh" : c.query.Get("lang");
  const projections::ReportAccess access{[&](const projections::Unit& u) { return Visible(c.reader, u); },
                                         [&](const projections::Unit& u) { return FullView(c.reader, u); },
                                         MayReadQuotas(c.reader).ok()};
  if (name == "quotas") PL_RETURN_IF_ERROR(MayReadQuotas(c.reader));
  ReportStamp stamp;
  stamp.reader = c.reader.actor;
  // The rows and the checkpoint of the same entries, under one lock; the file is made outside it.
  PL_ASSIGN_OR_RETURN(projections::Report report,
                      service_.ReadAtCheckpoint([&](const projections::State& s, const std::string& note) {
                        stamp.note = note;
                        return projections::BuildReport(s, name, campaign, c.query.Get("authority"), lang, access);
                      }));
  PL_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointText(stamp.note.substr(0, stamp.note.find("\n\n") + 1)));
  stamp.origin = cp.origin;
  stamp.size = cp.size;
  stamp.root = HashBase64(cp.root);
  HttpResponse r;
  const std::string file = name + "-" + campaign + (report.authority.empty() ? "" : "-" + report.authority) + "." + format;
  if (format == "csv") {
    r = {200, "text/csv; charset=utf-8; header=present", ReportCsv(report, stamp)};
  } else {
    PL_ASSIGN_OR_RETURN(std::string bytes, ReportXlsx(report, stamp));
    r = {200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", std::move(bytes)};
  }
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  r.headers.emplace_back("PilotLedger-Checkpoint-Size", std::to_string(cp.size));
  return r;
}

Result<HttpResponse> Api::PostCheck(const RouteContext& c) {
  if (c.reader.actor.empty()) return Status(Code::kUnauthenticated, "checking events is served to authenticated actors (sign the request)");
  PL_ASSIGN_OR_RETURN(Json request, ParseStrictJson(c.request.body));
  if (!request.is_object() || !request.contains("events") || !request["events"].is_array() || request.size() != 1) {
    return Status(Code::kInvalidArgument, "the body must be {\"events\": [event, …]}");
  }
  if (request["events"].empty() || request["events"].size() > kMaxCheckEvents) return Status(Code::kInvalidArgument, "events must hold 1-1000 events");
  // A copy of the served state, taken under the readers' lock; each accepted event is applied to
  // it, so that later events see earlier ones (a table's quota counts) and the ledger is untouched.
  auto state = service_.Read([](const projections::State& s) { return std::make_unique<projections::State>(s); });
  const uint64_t as_of = state->size;
  const Timestamp now = std::max(service_.clock().Now(), state->last_received);
  Json results = Json::array();
  for (const Json& e : request["events"]) {
    Result<SignedEvent> event = ParseSubmission(WriteCanonical(e), /*allow_unsigned=*/true);
    Status st = event.ok() ? MayCheck(c.reader, *state, *event) : event.status();
    projections::Body body;
    if (st.ok()) st = projections::CheckContent(*state, *event, now, &body);
    if (st.ok()) {
      const Entry entry{state->size, now, *event};
      (void)projections::Apply(*state, entry, &body);  // unchanged on failure; the answer stands
      results.push_back({{"ok", true}});
    } else {
      results.push_back({{"ok", false}, {"error", st.ToJson()["error"]}});
    }
  }
  return HttpResponse{200, "application/json", WriteCanonical({{"as_of", as_of}, {"results", results}})};
}

}  // namespace pilotledger::server
