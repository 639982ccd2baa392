#include "server/witness_client.h"

#include <charconv>
#include <future>
#include <iostream>

#include <boost/url/parse.hpp>

#include "client/http_client.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/thread_name.h"

namespace pilotledger::server {

struct WitnessClient::Peer {
  policy::Witness witness;
  std::string path_prefix;  // the submission prefix's path, without a trailing '/'
  std::unique_ptr<client::HttpClient> http;
  uint64_t known_size = 0;  // the witness's size as far as we know (0: ask it)
  std::atomic<uint64_t> cosigned_size{0}, cosignatures{0}, failures{0};
};

Result<std::unique_ptr<WitnessClient>> WitnessClient::Create(LedgerService& service, policy::Policy policy,
                                                             std::chrono::milliseconds timeout) {
  std::unique_ptr<WitnessClient> c(new WitnessClient(service, policy));
  for (const policy::Witness& w : c->policy_.witnesses) {
    const auto url = boost::urls::parse_uri(w.url);
    if (w.url.empty() || !url) return Status(Code::kInvalidArgument, "witness " + w.name + " has no http(s):// URL in the policy");
    auto peer = std::make_unique<Peer>();
    peer->witness = w;
    peer->path_prefix = std::string(url->path());
    while (!peer->path_prefix.empty() && peer->path_prefix.back() == '/') peer->path_prefix.pop_back();
    client::ClientOptions options;
    options.timeout = timeout;
    PL_ASSIGN_OR_RETURN(peer->http, client::HttpClient::Create(std::string(url->scheme()) + "://" + std::string(url->encoded_authority()), options));
    c->peers_.push_back(std::move(peer));
  }
  return c;
}

WitnessClient::WitnessClient(LedgerService& service, policy::Policy policy) : service_(service), policy_(std::move(policy)) {}

WitnessClient::~WitnessClient() { Stop(); }

void WitnessClient::Start() {
  thread_ = std::thread([this] { Run(); });
}

void WitnessClient::Notify() {
  std::lock_guard lock(mu_);
  pending_ = true;
  cv_.notify_one();
}

void WitnessClient::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void WitnessClient::Run() {
  NameThisThread("pl-witness");
  std::shared_ptr<const std::string> last;
  while (true) {
    {
      std::unique_lock lock(mu_);
      // A new checkpoint, or a retry each second while the last round missed the quorum.
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_ || pending_; });
      if (stop_) return;
      pending_ = false;
    }
    auto note = service_.log().signed_checkpoint();
    if (note == last && quorum_) continue;
    Round(note);
    last = note;
  }
}

void WitnessClient::Round(const std::shared_ptr<const std::string>& note) {
  Result<cosig::SplitNote> split = cosig::Split(*note);
  Result<Checkpoint> cp = split.ok() ? ParseCheckpointText(split->text) : Result<Checkpoint>(split.status());
  if (!cp.ok()) return;
  std::vector<std::future<Result<std::string>>> answers;
  for (auto& peer : peers_) {
    answers.push_back(std::async(std::launch::async, [this, &peer, &note, &cp, &split] {
      return Submit(*peer, *note, cp->size, split->text);
    }));
  }
  std::vector<std::string> lines;
  std::set<std::string> cosigned;
  for (size_t i = 0; i < answers.size(); ++i) {
    Result<std::string> line = answers[i].get();
    Peer& peer = *peers_[i];
    if (line.ok()) {
      lines.push_back(*line);
      cosigned.insert(peer.witness.name);
      peer.cosigned_size = cp->size;
      ++peer.cosignatures;
    } else {
      ++peer.failures;
      std::cerr << "pilotledgerd: witness " << peer.witness.name << " did not cosign checkpoint " << cp->size << ": "
                << line.status().message() << "\n";
    }
  }
  service_.witnessed().Publish(*note, lines);
  published_size_ = cp->size;
  quorum_ = policy::QuorumMet(policy_, cosigned);
  ++rounds_;
}

Result<std::string> WitnessClient::Submit(Peer& peer, const std::string& note, uint64_t size, const std::string& text) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const uint64_t old = peer.known_size;
    if (old > size) {
      return Status(Code::kRuleViolation, "the witness has cosigned size " + std::to_string(old) + ", beyond this log's " +
                                              std::to_string(size) + ": it saw another history");
    }
    std::string body = "old " + std::to_string(old) + "\n";
    if (old > 0 && old < size) {
      PL_ASSIGN_OR_RETURN(auto proof, service_.log().ConsistencyProof(old, size));
      for (const Hash& h : proof) body += HashBase64(h) + "\n";
    }
    body += "\n" + note;
    PL_ASSIGN_OR_RETURN(client::HttpResult r, peer.http->Request("POST", peer.path_prefix + "/add-checkpoint", body,
                                                                 {{"Content-Type", "text/plain; charset=utf-8"}}));
    if (r.status == 409) {
      uint64_t theirs = 0;
      const std::string_view s = std::string_view(r.body).substr(0, r.body.find('\n'));
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), theirs);
      if (ec != std::errc() || end != s.data() + s.size()) return Status(Code::kUnavailable, "409 without a size");
      peer.known_size = theirs;
      continue;
    }
    if (r.status != 200) {
      return Status(Code::kUnavailable, "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, r.body.find('\n')));
    }
    // Keep only a valid cosignature by this witness's key.
    std::string_view lines = r.body;
    while (!lines.empty()) {
      const auto nl = lines.find('\n');
      const std::string line(lines.substr(0, nl == std::string_view::npos ? lines.size() : nl + 1));
      lines.remove_prefix(line.size());
      std::string name, b64;
      if (!cosig::ParseLine(line, name, b64) || name != peer.witness.key.name || line.back() != '\n') continue;
      if (cosig::Verify(peer.witness.key, text, b64).ok()) {
        peer.known_size = size;
        return line;
      }
    }
    return Status(Code::kBadSignature, "the answer carries no valid cosignature by " + peer.witness.key.name);
  }
  return Status(Code::kUnavailable, "the witness's size kept changing");
}

std::string WitnessClient::RenderMetrics() const {
  std::string out;
  out += "# HELP pilotledger_witness_cosigned_size The last checkpoint size each witness cosigned.\n"
         "# TYPE pilotledger_witness_cosigned_size gauge\n";
  for (const auto& p : peers_) out += "pilotledger_witness_cosigned_size{witness=\"" + p->witness.name + "\"} " + std::to_string(p->cosigned_size) + "\n";
  out += "# HELP pilotledger_witness_cosignatures_total Cosignatures collected, by witness.\n"
         "# TYPE pilotledger_witness_cosignatures_total counter\n";
  for (const auto& p : peers_) out += "pilotledger_witness_cosignatures_total{witness=\"" + p->witness.name + "\"} " + std::to_string(p->cosignatures) + "\n";
  out += "# HELP pilotledger_witness_failures_total Submissions a witness did not cosign (down, refused, invalid answer).\n"
         "# TYPE pilotledger_witness_failures_total counter\n";
  for (const auto& p : peers_) out += "pilotledger_witness_failures_total{witness=\"" + p->witness.name + "\"} " + std::to_string(p->failures) + "\n";
  out += "# HELP pilotledger_checkpoint_published_size The size of the published (witnessed) checkpoint.\n"
         "# TYPE pilotledger_checkpoint_published_size gauge\npilotledger_checkpoint_published_size " + std::to_string(published_size_) + "\n";
  out += "# HELP pilotledger_checkpoint_quorum 1 if the published checkpoint meets the policy's quorum.\n"
         "# TYPE pilotledger_checkpoint_quorum gauge\npilotledger_checkpoint_quorum " + std::string(quorum_ ? "1" : "0") + "\n";
  out += "# HELP pilotledger_witness_rounds_total Witnessing rounds completed.\n"
         "# TYPE pilotledger_witness_rounds_total counter\npilotledger_witness_rounds_total " + std::to_string(rounds_) + "\n";
  return out;
}

}  // namespace pilotledger::server
