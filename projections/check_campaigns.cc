// The rules of campaigns: opening, amending, and exceptions to their quotas.
#include "projections/internal/check_rules.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections::internal {
namespace {

// The batches a review campaign's rules cover must have been opened.
Status CheckReviewedBatches(const State& state, const CampaignRules& rules) {
  if (!rules.review) return Status::Ok();
  for (const std::string& batch : rules.review->batches) {
    if (!state.FindCampaign(batch)) {
      return RuleViolation("unknown_campaign", "the review covers campaign " + batch + ", which has not been opened");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckRules(const RuleContext& x, const CampaignOpened& b) {
  if (const Campaign* c = x.state.FindCampaign(b.campaign)) {
    return Transition("campaign " + b.campaign + " was already opened at entry " + std::to_string(c->opened_seq));
  }
  return CheckReviewedBatches(x.state, b.rules);
}

Status CheckRules(const RuleContext& x, const CampaignAmended& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* c, OpenedCampaign(x.state, b.campaign));
  if (c->rules.historical != b.rules.historical) {
    return Transition("an amendment cannot change whether campaign " + b.campaign + " is historical");
  }
  return CheckReviewedBatches(x.state, b.rules);
}

Status CheckRules(const RuleContext& x, const QuotaExceptionGranted& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* c, OpenedCampaign(x.state, b.campaign));
  if (c->rules.historical) return Transition("campaign " + b.campaign + " is historical and has no quotas");
  const std::string kind = c->rules.AuthorityKind(b.authority);
  if (kind.empty()) return SchemaViolation("authority", "campaign " + b.campaign + " knows no authority " + b.authority);
  if (kind == "soe_group") {
    const Actor* g = x.state.FindActor(b.authority.substr(kSoeAuthorityPrefix.size()));
    if (!g || g->role != "soe_group") return SchemaViolation("authority", b.authority + " is not a registered SOE group");
  }
  const bool ok = b.category == "review" ? c->rules.review.has_value()
                                         : (kind == "soe_group" ? b.category == "total" : c->rules.HasCategory(b.category));
  if (!ok) return SchemaViolation("category", "campaign " + b.campaign + " has no " + b.category + " places for " + b.authority);
  return Status::Ok();
}

}  // namespace pilotledger::projections::internal
