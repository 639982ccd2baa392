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

std::optional<uint64_t> Campaign::Listed(const std::string& authority, const std::string& unit) const {
  const auto a = review_scope.find(authority);
  if (a == review_scope.end()) return std::nullopt;
  const auto u = a->second.find(unit);
  if (u == a->second.end()) return std::nullopt;
  return u->second;
}

int64_t ReviewBase(const State& state, const Campaign& c, const std::string& authority) {
  if (c.rules.review && c.rules.review->base == "listed") {
    const auto listed = c.review_scope.find(authority);
    return listed == c.review_scope.end() ? 0 : int64_t(listed->second.size());
  }
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
