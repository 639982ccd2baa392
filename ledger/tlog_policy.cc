#include "ledger/tlog_policy.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace pilotledger::policy {
namespace {

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool Evaluate(const Policy& p, const std::string& name, const std::set<std::string>& cosigned) {
  if (name == "none") return true;
  for (const Witness& w : p.witnesses) {
    if (w.name == name) return cosigned.count(name) > 0;
  }
  for (const Group& g : p.groups) {
    if (g.name != name) continue;
    size_t n = 0;
    for (const std::string& m : g.members) n += Evaluate(p, m, cosigned) ? 1 : 0;
    return n >= g.threshold;
  }
  return false;
}

}  // namespace

Result<Policy> Parse(std::string_view text) {
  Policy p;
  std::set<std::string> names;
  bool have_quorum = false;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const auto bad = [&](const std::string& why) {
      return Status(Code::kInvalidArgument, "policy line " + std::to_string(number) + ": " + why);
    };
    const std::vector<std::string_view> f = Fields(line);
    if (f.empty() || f[0][0] == '#') continue;
    if (f[0] == "log") {
      if (f.size() < 2 || f.size() > 3) return bad("expected: log <vkey> [<url>]");
      Result<note::Verifier> v = note::ParseVerifierKey(f[1]);
      if (!v.ok()) return bad(v.status().message());
      for (const auto& l : p.logs) {
        if (l.key == v->key) return bad("duplicate log key");
      }
      p.logs.push_back(*v);
      p.log_urls.emplace_back(f.size() == 3 ? f[2] : "");
    } else if (f[0] == "witness") {
      if (f.size() < 3 || f.size() > 4) return bad("expected: witness <name> <vkey> [<url>]");
      const std::string name(f[1]);
      if (name == "none" || !names.insert(name).second) return bad("the name " + name + " is already defined");
      Result<cosig::Cosigner> k = cosig::ParseVerifierKey(f[2]);
      if (!k.ok()) return bad(k.status().message());
      for (const auto& w : p.witnesses) {
        if (w.key.key == k->key) return bad("duplicate witness key");
      }
      p.witnesses.push_back({name, *k, f.size() == 4 ? std::string(f[3]) : ""});
    } else if (f[0] == "group") {
      if (f.size() < 4) return bad("expected: group <name> all|any|<k> <name>...");
      const std::string name(f[1]);
      if (name == "none" || names.count(name)) return bad("the name " + name + " is already defined");
      Group g{name, 0, {}};
      for (size_t i = 3; i < f.size(); ++i) {
        if (!names.count(std::string(f[i]))) return bad("unknown member " + std::string(f[i]));
        g.members.emplace_back(f[i]);
      }
      if (f[2] == "all") {
        g.threshold = g.members.size();
      } else if (f[2] == "any") {
        g.threshold = 1;
      } else {
        const auto [end, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), g.threshold);
        if (ec != std::errc() || end != f[2].data() + f[2].size() || f[2][0] == '0' || g.threshold < 1 ||
            g.threshold > g.members.size()) {
          return bad("the threshold must be all, any or a number from 1 to the number of members");
        }
      }
      names.insert(name);
      p.groups.push_back(std::move(g));
    } else if (f[0] == "quorum") {
      if (f.size() != 2) return bad("expected: quorum <name>");
      if (have_quorum) return bad("a second quorum line");
      if (f[1] != "none" && !names.count(std::string(f[1]))) return bad("unknown quorum " + std::string(f[1]));
      p.quorum = std::string(f[1]);
      have_quorum = true;
    } else {
      return bad("unknown keyword " + std::string(f[0]));
    }
  }
  if (!have_quorum) return Status(Code::kInvalidArgument, "policy has no quorum line");
  return p;
}

Result<Policy> Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read the policy file " + path);
  std::stringstream s;
  s << in.rdbuf();
  Result<Policy> p = Parse(s.str());
  if (!p.ok()) return Status(p.status().code(), path + ": " + p.status().message());
  return p;
}

bool QuorumMet(const Policy& policy, const std::set<std::string>& cosigned) {
  return Evaluate(policy, policy.quorum, cosigned);
}

Result<Witnessed> CheckCheckpoint(std::string_view note, const note::Verifier& log_key, const Policy& policy) {
  PL_ASSIGN_OR_RETURN(Checkpoint c, VerifyCheckpoint(note, log_key));
  PL_ASSIGN_OR_RETURN(cosig::SplitNote split, cosig::Split(note));
  Witnessed out{c, {}, {}, {}};
  for (const Witness& w : policy.witnesses) {
    for (const std::string& line : split.lines) {
      std::string name, b64;
      if (!cosig::ParseLine(line, name, b64) || name != w.key.name) continue;
      Result<uint64_t> t = cosig::Verify(w.key, split.text, b64);
      if (t.ok()) {
        out.cosigned.insert(w.name);
        out.times[w.name] = *t;
        break;
      }
    }
    if (!out.cosigned.count(w.name)) out.missing.push_back(w.name);
  }
  if (!QuorumMet(policy, out.cosigned)) {
    std::string missing;
    for (const std::string& m : out.missing) missing += (missing.empty() ? "" : ", ") + m;
    return Status(Code::kForbidden, "checkpoint " + std::to_string(c.size) + " does not meet the witness quorum \"" +
                                        policy.quorum + "\": " + std::to_string(out.cosigned.size()) +
                                        " valid cosignature(s); missing: " + missing);
  }
  return out;
}

}  // namespace pilotledger::policy
