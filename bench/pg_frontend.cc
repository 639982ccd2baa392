// The PostgreSQL comparison of bench/run (docs/performance.md): what a ministry's IT team could
// build instead of PilotLedger, given the same design choices. An HTTP front end (the project's own
// transport, server/http_server.h) in front of an append-only PostgreSQL table whose rows carry the
// previous row's hash:
//
//   POST /v1/entries   the submission parsed and its signatures verified by the server's own code
//                      (ParseSubmission, projections::PreverifySignatures) on the I/O threads, then
//                      queued; one writer thread takes everything queued, chains the hashes
//                      (SHA-256(prev_hash || canonical submission)) and inserts the group with COPY
//                      in one transaction (synchronous_commit = on: one WAL flush per group), then
//                      answers 201 {"seq":N}. The same group commit as PilotLedger's sequencer,
//                      without its projections, rules, Merkle tree or checkpoints.
//   GET /v1/entries/{seq}   SELECT submission FROM events WHERE seq = $1 (one connection per I/O thread).
//
//   pg_frontend --conninfo "host=… port=… dbname=…" --keys FILE [--threads 2]
//   pg_frontend --conninfo … --keys FILE --replay   (f): reads the whole table in seq order (single-row mode),
//                                       checks the hash chain, without and then with re-verifying
//                                       every signature (under the keys of the rows' own
//                                       registrations and FILE's); prints VALUE lines
//
// FILE: one "actor base64-public-key" per line: the keys signatures are verified under.
#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/encoding.h"
#include "ledger/event.h"
#include "projections/check.h"
#include "server/http_server.h"

using namespace pilotledger;

namespace {

std::string conninfo;

PGconn* Connect() {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::cerr << "pg_frontend: " << PQerrorMessage(c);
    std::exit(1);
  }
  return c;
}

bool Exec(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) std::cerr << "pg_frontend: " << sql << ": " << PQerrorMessage(c);
  PQclear(r);
  return ok;
}

server::HttpResponse Answer(int status, std::string body) {
  server::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// COPY text format: backslash, tab, newline and carriage return escaped.
void AppendCopyText(std::string& out, std::string_view s) {
  for (char ch : s) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\n') out += "\\n";
    else if (ch == '\r') out += "\\r";
    else out += ch;
  }
}
void AppendCopyBytea(std::string& out, const Hash& h) {
  out += "\\\\x";
  out += HashHex(h);
}

struct Pending {
  std::string id, submission;
  std::function<void(server::HttpResponse)> respond;
};

class Writer {
 public:
  Writer() : conn_(Connect()) {
    // A fresh table for each start: each benchmark group has a ledger (and keys) of its own.
    Exec(conn_, "DROP TABLE IF EXISTS events");
    Exec(conn_, "CREATE TABLE events (seq bigint PRIMARY KEY, id text NOT NULL UNIQUE, submission text NOT NULL, "
                "prev_hash bytea NOT NULL, hash bytea NOT NULL)");
    // Append-only: no UPDATE or DELETE, whoever asks (a trigger, as an IT team would add).
    Exec(conn_, "CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$");
    Exec(conn_, "DROP TRIGGER IF EXISTS events_append_only ON events");
    Exec(conn_, "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()");
    PGresult* r = PQexec(conn_, "SELECT seq, encode(hash, 'hex') FROM events ORDER BY seq DESC LIMIT 1");
    if (PQntuples(r) == 1) {
      seq_ = std::stoull(PQgetvalue(r, 0, 0));
      const std::string hex = PQgetvalue(r, 0, 1);
      for (size_t i = 0; i < 32; ++i) head_[i] = uint8_t(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    }
    PQclear(r);
    thread_ = std::thread([this] { Run(); });
  }
  void Push(Pending p) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(p));
    cv_.notify_one();
  }

 private:
  void Run() {
    for (;;) {
      std::deque<Pending> group;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty(); });
        group.swap(queue_);
      }
      std::string data;
      uint64_t seq = seq_;
      Hash head = head_;
      std::vector<uint64_t> seqs;
      for (const Pending& p : group) {
        const Hash hash = Sha256Parts({AsBytes(head), p.submission});
        data += std::to_string(++seq) + "\t";
        AppendCopyText(data, p.id);
        data += "\t";
        AppendCopyText(data, p.submission);
        data += "\t";
        AppendCopyBytea(data, head);
        data += "\t";
        AppendCopyBytea(data, hash);
        data += "\n";
        head = hash;
        seqs.push_back(seq);
      }
      bool ok = Exec(conn_, "BEGIN");
      if (ok) {
        PGresult* r = PQexec(conn_, "COPY events (seq, id, submission, prev_hash, hash) FROM STDIN");
        ok = PQresultStatus(r) == PGRES_COPY_IN;
        PQclear(r);
        ok = ok && PQputCopyData(conn_, data.data(), int(data.size())) == 1 && PQputCopyEnd(conn_, nullptr) == 1;
        while ((r = PQgetResult(conn_)) != nullptr) {
          if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            ok = false;
            std::cerr << "pg_frontend: COPY: " << PQerrorMessage(conn_);
          }
          PQclear(r);
        }
      }
      ok = Exec(conn_, ok ? "COMMIT" : "ROLLBACK") && ok;
      if (ok) seq_ = seq, head_ = head;
      for (size_t i = 0; i < group.size(); ++i) {
        group[i].respond(ok ? Answer(201, "{\"seq\":" + std::to_string(seqs[i]) + "}")
                            : Answer(503, "{\"error\":{\"code\":\"unavailable\",\"details\":{},\"message\":\"the insert failed\"}}"));
      }
    }
  }

  PGconn* conn_;
  uint64_t seq_ = 0;
  Hash head_{};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  std::thread thread_;
};

// Replays the chain: every row's prev_hash is the previous row's hash and its hash is
// SHA-256(prev_hash || submission); with `verify`, every submission is parsed and its signatures
// verified. Returns entries/s, or 0 on a break.
double Replay(bool verify, std::map<std::string, PublicKey> keys, uint64_t& rows) {
  PGconn* c = Connect();
  const auto t0 = std::chrono::steady_clock::now();
  PQsendQuery(c, "SELECT id, submission, prev_hash, hash FROM events ORDER BY seq");
  PQsetSingleRowMode(c);
  Hash head{};
  rows = 0;
  bool broken = false;
  for (PGresult* r; (r = PQgetResult(c)) != nullptr; PQclear(r)) {
    if (PQresultStatus(r) != PGRES_SINGLE_TUPLE) continue;
    const std::string_view submission(PQgetvalue(r, 0, 1), size_t(PQgetlength(r, 0, 1)));
    size_t len = 0;
    unsigned char* prev = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r, 0, 2)), &len);
    const bool prev_ok = len == 32 && std::memcmp(prev, head.data(), 32) == 0;
    PQfreemem(prev);
    head = Sha256Parts({AsBytes(head), submission});
    unsigned char* hash = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r, 0, 3)), &len);
    broken |= !prev_ok || len != 32 || std::memcmp(hash, head.data(), 32) != 0;
    PQfreemem(hash);
    if (verify) {
      Result<SignedEvent> e = ParseSubmission(submission);
      broken |= !e.ok();
      if (e.ok()) {
        const std::string input = SigningInput(e->canonical);
        for (const Signature& s : e->sigs) {
          const auto k = keys.find(s.signer);
          broken |= k == keys.end() || !k->second.Verify(input, s.sig);
        }
        Result<PublicKey> registered = PublicKey::FromBase64(e->body().value("public_key", ""));
        if (registered.ok()) keys.emplace(e->body().value("actor", ""), *registered);
      }
    }
    ++rows;
  }
  PQfinish(c);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (broken) std::cerr << "pg_frontend: the chain or a signature does not verify\n";
  return broken ? 0 : double(rows) / s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string keys_file;
  unsigned threads = 2;
  bool replay = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--replay")) replay = true;
    if (i + 1 == argc) break;
    if (!std::strcmp(argv[i], "--conninfo")) conninfo = argv[i + 1];
    if (!std::strcmp(argv[i], "--keys")) keys_file = argv[i + 1];
    if (!std::strcmp(argv[i], "--threads")) threads = unsigned(std::atoi(argv[i + 1]));
  }
  std::map<std::string, PublicKey> keys;
  std::ifstream in(keys_file);
  for (std::string actor, b64; in >> actor >> b64;) {
    Result<PublicKey> k = PublicKey::FromBase64(b64);
    if (!k.ok()) return std::cerr << "pg_frontend: bad key for " << actor << "\n", 1;
    keys.emplace(actor, *k);
  }
  if (replay) {
    for (bool verify : {false, true}) {
      uint64_t rows = 0;
      const double rate = Replay(verify, keys, rows);
      std::printf("VALUE\tf. replay of the PostgreSQL hash chain, %s, %llu rows\t%.0f\tentries/s\t%s\n",
                  verify ? "re-verifying every signature" : "without re-verification", (unsigned long long)rows, rate,
                  "SELECT in seq order (single-row mode), SHA-256 chain checked");
    }
    return 0;
  }
  Writer writer;
  server::ServerOptions options;
  options.port = 0;
  options.threads = threads;
  options.log_requests = false;
  options.requests_per_second = 0;
  server::HttpServer http(
      [&](const server::HttpRequest& req, std::function<void(server::HttpResponse)> respond) {
        if (req.method == "POST" && req.target == "/v1/entries") {
          Result<SignedEvent> e = ParseSubmission(req.body);
          if (!e.ok()) return respond(Answer(400, "{\"error\":{\"code\":\"malformed\"}}"));
          projections::PreverifySignatures(*e, [&](const std::string& id) -> std::optional<PublicKey> {
            const auto it = keys.find(id);
            return it == keys.end() ? std::nullopt : std::optional<PublicKey>(it->second);
          });
          for (const Signature& s : e->sigs) {
            if (!s.verified_key) return respond(Answer(401, "{\"error\":{\"code\":\"bad_signature\"}}"));
          }
          return writer.Push({e->id, WriteCanonical(SubmissionJson(*e)), std::move(respond)});
        }
        if (req.method == "GET" && req.target.rfind("/v1/entries/", 0) == 0) {
          thread_local PGconn* reader = Connect();
          const std::string seq = req.target.substr(12);
          const char* params[] = {seq.c_str()};
          PGresult* r = PQexecParams(reader, "SELECT submission FROM events WHERE seq = $1", 1, nullptr, params, nullptr, nullptr, 0);
          server::HttpResponse a = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? Answer(200, PQgetvalue(r, 0, 0))
                                                                                            : Answer(404, "{\"error\":{\"code\":\"not_found\"}}");
          PQclear(r);
          return respond(std::move(a));
        }
        respond(Answer(404, "{\"error\":{\"code\":\"not_found\"}}"));
      },
      options);
  Result<std::string> address = http.Listen();
  if (!address.ok()) return std::cerr << "pg_frontend: " << address.status().ToString() << "\n", 1;
  std::cout << "pg_frontend: listening on " << *address << " " << std::endl;
  http.RunUntilSignal([] {});
  std::_Exit(0);  // the writer thread blocks for ever; nothing to flush
}
