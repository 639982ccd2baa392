#include "server/ledger_service.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "ledger/note.h"
#include "projections/apply.h"
#include "projections/bodies.h"

namespace pilotledger::server {
namespace {

std::string DbPath(const std::string& dir) { return dir + "/db"; }
std::string KeyPath(const std::string& dir) { return dir + "/ledger-key.pem"; }

bool IsActorType(const std::string& type) { return type.rfind("actor.", 0) == 0; }

}  // namespace

// Runs Check and Apply on the sequencer thread, holding the state lock from the first admission of
// a batch until it is durable, so that readers never see state the log does not hold.
class LedgerService::Admission final : public ledger::Admission {
 public:
  explicit Admission(LedgerService& service) : s_(service) {}

  void BeginBatch() override {
    lock_ = std::unique_lock(s_.state_mu_);
    changed_actors_.clear();
  }
  Status Admit(const SignedEvent& event, Timestamp now) override {
    if (s_.failed_) return Status(Code::kUnavailable, "the ledger's projections are unusable; restart the server");
    return projections::Check(s_.state_, event, now, &body_);
  }
  // Called right after the Admit that accepted `entry`'s event, so body_ is its body.
  void Apply(const Entry& entry) override {
    if (Status st = projections::Apply(s_.state_, entry, &body_); !st.ok()) {
      std::cerr << "pilotledgerd: cannot apply an admitted entry: " << st.ToString() << "\n";
      s_.failed_ = true;
    }
    if (IsActorType(entry.type())) changed_actors_.push_back(entry.body().value("actor", ""));
  }
  void EndBatch(bool committed) override {
    if (!committed) s_.failed_ = true;
    if (committed && !changed_actors_.empty()) s_.UpdateDirectory(&changed_actors_);
    lock_.unlock();
  }

 private:
  LedgerService& s_;
  std::unique_lock<std::shared_mutex> lock_;
  std::vector<std::string> changed_actors_;
  projections::Body body_;
};

LedgerService::LedgerService(const Clock& clock) : clock_(clock) {}

LedgerService::~LedgerService() { Stop(); }

Result<std::string> LedgerService::Init(const std::string& data_dir, const std::string& origin, const Json& authorities,
                                        const Json& policy, const Clock& clock) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(DbPath(data_dir), ec) || fs::exists(KeyPath(data_dir), ec)) {
    return Status(Code::kInvalidArgument, data_dir + " already holds a ledger; refusing to overwrite it");
  }
  if (!note::IsValidName(origin)) {
    return Status(Code::kInvalidArgument, "the origin must be non-empty UTF-8 without spaces or '+', e.g. pilotledger.example/log");
  }
  PL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate());
  const std::string verifier_key = note::VerifierKeyString(origin, key.public_key());
  const Json body = {{"origin", origin}, {"ledger_key", verifier_key}, {"authorities", authorities}, {"policy", policy}};
  if (Status s = projections::CheckGenesisBody(body); !s.ok()) {
    return Status(Code::kInvalidArgument, "invalid genesis: " + s.message() + " (" + s.details().value("field", "") + ")");
  }
  fs::create_directories(data_dir, ec);
  if (ec) return Status(Code::kInvalidArgument, "cannot create " + data_dir + ": " + ec.message());
  ::chmod(data_dir.c_str(), 0700);
  const Timestamp now = clock.Now();
  PL_ASSIGN_OR_RETURN(SignedEvent genesis, MakeEvent("genesis", std::string(kGenesisType), now, body));
  PL_RETURN_IF_ERROR(key.SavePem(KeyPath(data_dir)));
  PL_ASSIGN_OR_RETURN(auto store, ledger::OpenRocksStore(DbPath(data_dir), {.create_if_missing = true, .error_if_exists = true}));
  PL_RETURN_IF_ERROR(ledger::Log::Create(*store, key, origin, genesis, now));
  return verifier_key;
}

Result<std::unique_ptr<LedgerService>> LedgerService::Open(const ServiceOptions& options, const Clock& clock) {
  std::unique_ptr<LedgerService> s(new LedgerService(clock));
  Result<PrivateKey> key = PrivateKey::LoadPem(KeyPath(options.data_dir));
  if (!key.ok()) {
    if (key.status().code() == Code::kNotFound) {
      return Status(Code::kNotFound, "no ledger in " + options.data_dir + " (create one with pilotledgerd init)");
    }
    return key.status();
  }
  PL_ASSIGN_OR_RETURN(s->store_, ledger::OpenRocksStore(DbPath(options.data_dir), {}));
  PL_ASSIGN_OR_RETURN(s->log_, ledger::Log::Open(*s->store_, *key));

  const uint64_t size = s->log_->size();
  for (uint64_t from = 0; from < size; from += 1000) {
    PL_ASSIGN_OR_RETURN(auto leaves, s->log_->ReadLeaves(from, 1000));
    for (const std::string& leaf : leaves) {
      PL_ASSIGN_OR_RETURN(Entry entry, ParseEntryLeaf(leaf));
      if (Status st = projections::Apply(s->state_, entry); !st.ok()) {
        return Status(Code::kDataLoss, "replaying the log: " + st.message());
      }
    }
  }
  if (s->state_.origin != s->log_->origin()) {
    return Status(Code::kDataLoss, "the genesis entry names origin " + s->state_.origin + " but the log is " + s->log_->origin());
  }
  s->UpdateDirectory(nullptr);
  s->admission_ = std::make_unique<Admission>(*s);
  LedgerService* self = s.get();
  s->sequencer_ = std::make_unique<ledger::Sequencer>(
      *s->log_, clock, *s->admission_, [self](const std::vector<ledger::AppendedLeaf>& l) { self->OnCommitted(l); },
      options.sequencer);
  return s;
}

void LedgerService::Stop() {
  if (sequencer_) sequencer_->Stop();
}

void LedgerService::Append(SignedEvent event, ledger::Sequencer::Done done) {
  projections::PreverifySignatures(event, [this](const std::string& id) -> std::optional<PublicKey> {
    std::shared_lock lock(directory_mu_);
    const auto it = directory_.find(id);
    if (it == directory_.end()) return std::nullopt;
    return it->second.key;
  });
  sequencer_->Append(std::move(event), std::move(done));
}

void LedgerService::AddListener(EntryListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void LedgerService::OnCommitted(const std::vector<ledger::AppendedLeaf>& leaves) {
  std::lock_guard lock(listeners_mu_);
  for (const EntryListener& l : listeners_) l(leaves);
}

std::optional<projections::Actor> LedgerService::FindActiveActor(const std::string& id) const {
  std::shared_lock lock(directory_mu_);
  const auto it = directory_.find(id);
  if (it == directory_.end()) return std::nullopt;
  return it->second;
}

void LedgerService::UpdateDirectory(const std::vector<std::string>* ids) {
  std::unique_lock lock(directory_mu_);
  const auto put = [&](const projections::Actor& a) {
    if (a.active()) {
      directory_[a.id] = a;
    } else {
      directory_.erase(a.id);
    }
  };
  if (!ids) {
    for (const auto& [id, a] : state_.actors) put(a);
    return;
  }
  for (const std::string& id : *ids) {
    if (const projections::Actor* a = state_.FindActor(id)) put(*a);
  }
}

}  // namespace pilotledger::server
