// The answers derived from the projections: units, campaigns and quotas, actors. Each carries
// "as_of", the log size the state reflects.
#include "projections/views.h"
#include "projections/vocabulary.h"
#include "server/api.h"
#include "server/read_access.h"

namespace pilotledger::server {
namespace {

constexpr uint64_t kMaxUnitsPage = 1000;

HttpResponse JsonAsOf(Json body, uint64_t as_of) {
  body["as_of"] = as_of;
  return {200, "application/json", WriteCanonical(body)};
}


}  // namespace

Result<HttpResponse> Api::GetUnits(const RouteContext& c) {
  const Query& q = c.query;
  PL_ASSIGN_OR_RETURN(uint64_t limit, q.Number("limit", 100));
  if (limit == 0 || limit > kMaxUnitsPage) return Status(Code::kInvalidArgument, "limit must be 1-1000");
  PL_RETURN_IF_ERROR(q.OneOf("status", {"titled", "revoked", "submitted", "recommended", "published", "rejected"}));
  PL_RETURN_IF_ERROR(q.OneOf("category", std::vector<std::string>(std::begin(projections::kCategories), std::end(projections::kCategories))));
  projections::UnitFilter filter{q.Get("authority"), q.Get("region"), q.Get("status"), q.Get("campaign"), q.Get("category")};
  filter.name = q.Get("name");
  return service_.Read([&](const projections::State& s) -> Result<HttpResponse> {
    if (!filter.campaign.empty() && !s.FindCampaign(filter.campaign)) {
      std::vector<std::string> ids;
      for (const auto& [id, campaign] : s.campaigns) ids.push_back(id);
      return q.OneOf("campaign", ids);
    }
    const auto visible = [&](const projections::Unit& u) { return Visible(c.reader, u); };
    const auto full = [&](const projections::Unit& u) { return FullView(c.reader, u); };
    return JsonAsOf(projections::UnitList(s, filter, q.Get("cursor"), limit, visible, full), s.size);
  });
}

Result<HttpResponse> Api::GetUnit(const RouteContext& c) {
  const std::string& id = c.segments[2];
  return service_.Read([&](const projections::State& s) -> Result<HttpResponse> {
    const projections::Unit* u = s.FindUnit(id);
    if (!u || !Visible(c.reader, *u)) return Status(Code::kNotFound, "no unit " + id);
    return JsonAsOf(projections::UnitView(s, *u, FullView(c.reader, *u)), s.size);
  });
}

Result<HttpResponse> Api::GetCampaigns(const RouteContext&) {
  return service_.Read([&](const projections::State& s) {
    Json list = Json::array();
    for (const auto& [id, campaign] : s.campaigns) list.push_back(projections::CampaignSummary(campaign));
    return JsonAsOf({{"campaigns", list}}, s.size);
  });
}

Result<HttpResponse> Api::GetCampaign(const RouteContext& c) {
  const std::string& id = c.segments[2];
  return service_.Read([&](const projections::State& s) -> Result<HttpResponse> {
    const projections::Campaign* campaign = s.FindCampaign(id);
    if (!campaign) return Status(Code::kNotFound, "no campaign " + id);
    return JsonAsOf(projections::CampaignView(*campaign), s.size);
  });
}

Result<HttpResponse> Api::GetCampaignQuotas(const RouteContext& c) {
  PL_RETURN_IF_ERROR(MayReadQuotas(c.reader));
  const std::string& id = c.segments[2];
  return service_.Read([&](const projections::State& s) -> Result<HttpResponse> {
    const projections::Campaign* campaign = s.FindCampaign(id);
    if (!campaign) return Status(Code::kNotFound, "no campaign " + id);
    // The same for every reader allowed it: built once per state version.
    std::optional<std::string> kept = quota_answers_.Find(id, s.size);
    metrics_.CachedAnswer(kept.has_value());
    if (kept) return HttpResponse{200, "application/json", std::move(*kept)};
    HttpResponse r = JsonAsOf(projections::QuotaView(s, *campaign), s.size);
    quota_answers_.Keep(id, s.size, r.body);
    return r;
  });
}

Result<HttpResponse> Api::GetCampaignReviewScope(const RouteContext& c) {
  PL_RETURN_IF_ERROR(MayReadCampaignView(c.reader, "the review list with its requests"));
  const std::string& id = c.segments[2];
  return service_.Read([&](const projections::State& s) -> Result<HttpResponse> {
    const projections::Campaign* campaign = s.FindCampaign(id);
    if (!campaign) return Status(Code::kNotFound, "no campaign " + id);
    if (!campaign->rules.review) return Status(Code::kNotFound, "campaign " + id + " reviews no titles");
    return JsonAsOf(projections::ReviewScopeView(s, *campaign), s.size);
  });
}

Result<HttpResponse> Api::GetCampaignOutcomes(const RouteContext& c) {
  PL_RETURN_IF_ERROR(MayReadCampaignView(c.reader, "outcomes"));
  const std::string& id = c.segments[2];
  return service_.Read([&](const projections::State& s) -> Result<HttpResponse> {
    const projections::Campaign* campaign = s.FindCampaign(id);
    if (!campaign) return Status(Code::kNotFound, "no campaign " + id);
    return JsonAsOf(projections::OutcomeView(s, *campaign), s.size);
  });
}

Result<HttpResponse> Api::GetActors(const RouteContext&) {
  return service_.Read([&](const projections::State& s) {
    Json list = Json::array();
    for (const auto& [id, a] : s.actors) list.push_back(projections::ActorJson(a));
    return JsonAsOf({{"actors", list}}, s.size);
  });
}

Result<HttpResponse> Api::GetActor(const RouteContext& c) {
  const std::string& id = c.segments[2];
  return service_.Read([&](const projections::State& s) -> Result<HttpResponse> {
    const projections::Actor* a = s.FindActor(id);
    if (!a) return Status(Code::kNotFound, "no actor " + id);
    return JsonAsOf(projections::ActorJson(*a), s.size);
  });
}

}  // namespace pilotledger::server
