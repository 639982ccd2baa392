#include "projections/state.h"

namespace pilotledger::projections {

bool Track::HasOpenObjection() const {
  for (const Objection& o : objections) {
    if (!o.resolved_seq) return true;
  }
  return false;
}

bool Track::HasUpheldObjection() const {
  for (const Objection& o : objections) {
    if (o.upheld) return true;
  }
  return false;
}

std::optional<uint64_t> Track::FailedSpotCheck() const {
  for (const SpotCheck& s : spot_checks) {
    if (!s.passed) return s.seq;
  }
  return std::nullopt;
}

bool Unit::HasActiveTitle() const {
  for (const auto& [campaign, title] : titles) {
    if (title.active()) return true;
  }
  return false;
}

int64_t Campaign::Extra(const std::string& authority, const std::string& category) const {
  int64_t extra = 0;
  for (const QuotaException& e : exceptions) {
    if (e.authority == authority && e.category == category) extra += e.extra;
  }
  return extra;
}

const Actor* State::FindActor(const std::string& id) const {
  const auto it = actors.find(id);
  return it == actors.end() ? nullptr : &it->second;
}

const Campaign* State::FindCampaign(const std::string& id) const {
  const auto it = campaigns.find(id);
  return it == campaigns.end() ? nullptr : &it->second;
}

const Unit* State::FindUnit(const std::string& id) const {
  const auto it = units.find(id);
  return it == units.end() ? nullptr : &it->second;
}

int64_t ReviewBase(const State& state, const Campaign& c, const std::string& authority) {
  const auto it = c.review_requested.find(authority);
  if (!c.rules.review || it == c.review_requested.end()) return 0;
  int64_t base = 0;
  for (const std::string& id : it->second) {
    const Unit* u = state.FindUnit(id);
    for (const std::string& batch : c.rules.review->batches) {
      if (auto t = u->titles.find(batch); t != u->titles.end() && t->second.active()) {
        ++base;
        break;
      }
    }
  }
  return base;
}

}  // namespace pilotledger::projections
