// The C2SP tlog-tiles read API under /tlog/ (docs/protocol.md §18): the published checkpoint, hash
// tiles from the tree nodes the log stores, and entry bundles under the read rules.
#include <boost/url/url_view.hpp>

#include "ledger/canonical_json.h"
#include "ledger/merkle.h"
#include "ledger/tiles.h"
#include "server/api.h"

namespace pilotledger::server {
namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";

// An entry too long for a bundle's uint16 length prefix is replaced by this stub, as a redacted
// entry is by its own; GET /v1/entries/{seq} serves it in full.
std::string OversizeStub(uint64_t seq, const std::string& leaf) {
  return WriteCanonical({{"seq", seq}, {"bytes", leaf.size()}, {"leaf_hash", HashBase64(merkle::HashLeaf(leaf))}, {"oversize", true}});
}

}  // namespace

HttpResponse Api::DispatchTlog(const HttpRequest& request, const boost::urls::url_view& url, const std::vector<std::string>& seg,
                               const Reader& reader) {
  const auto cors = [](HttpResponse r) {
    r.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return r;
  };
  const auto error = [&](const Status& s) { return cors(ErrorResponse(s)); };
  const std::string path(url.path());
  const bool checkpoint = seg.size() == 2 && seg[1] == "checkpoint";
  Result<tiles::Tile> tile = Status(Code::kNotFound, "no such endpoint " + path);
  if (seg.size() >= 4 && seg[1] == "tile") tile = tiles::ParsePath(std::vector<std::string>(seg.begin() + 2, seg.end()));
  if (!checkpoint && !tile.ok()) return error(Status(Code::kNotFound, "no such endpoint " + path));
  if (request.method != "GET") {
    HttpResponse r = error(Status(Code::kMethodNotAllowed, request.method + " is not allowed on " + path + "; use GET"));
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (url.has_query()) return error(Status(Code::kInvalidArgument, "the /tlog/ resources take no query parameters"));
  if (checkpoint) {
    HttpResponse r{200, "text/plain; charset=utf-8", *service_.PublishedCheckpoint()};
    return cors(std::move(r));  // Cache-Control: no-store, the transport's default
  }
  const ledger::Log& log = service_.log();
  const uint64_t size = log.size();
  if (!tiles::Complete(*tile, size)) {
    return error(Status(Code::kNotFound, path + " is beyond the log's " + std::to_string(size) + " entries"));
  }
  HttpResponse r{200, "application/octet-stream", ""};
  if (!tile->entries) {
    std::vector<merkle::NodeId> ids;
    for (uint64_t i = 0; i < tile->width; ++i) ids.push_back({tiles::NodeLevel(*tile), tiles::NodeIndex(*tile, i)});
    Result<std::vector<Hash>> hashes = log.TreeNodes(ids);
    if (!hashes.ok()) return error(hashes.status());
    r.body.reserve(32 * hashes->size());
    for (const Hash& h : *hashes) r.body += AsBytes(h);
    r.headers.emplace_back("Cache-Control", kImmutable);
    return cors(std::move(r));
  }
  const uint64_t first = tile->index * tiles::kTileWidth;
  Result<std::vector<std::string>> leaves = log.ReadLeaves(first, tile->width);
  if (!leaves.ok()) return error(leaves.status());
  std::vector<std::string> visible;
  visible.reserve(leaves->size());
  for (size_t i = 0; i < leaves->size(); ++i) {
    std::string v = VisibleLeaf((*leaves)[i], first + i, reader);
    if (v.size() > tiles::kMaxBundleEntry) v = OversizeStub(first + i, v);
    visible.push_back(std::move(v));
  }
  r.body = tiles::EncodeBundle(visible);
  // What a bundle holds depends on the reader: a shared cache keeps only the anonymous one.
  r.headers.emplace_back("Cache-Control", reader.actor.empty() ? kImmutable : "private, max-age=31536000, immutable");
  r.headers.emplace_back("Vary", "Authorization");
  return cors(std::move(r));
}

}  // namespace pilotledger::server
