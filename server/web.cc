#include "server/web.h"

namespace pilotledger::server {
namespace {

std::string_view Find(std::string_view name) {
  for (const WebAsset& a : WebAssets()) {
    if (a.name == name) return a.body;
  }
  return {};
}

std::string ContentType(std::string_view name) {
  const auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

}  // namespace

WebFile WebPage() {
  static const std::string page = [] {
    std::string html(Find("index.html"));
    const std::string placeholder = "{{static}}";
    const std::string prefix = "/static/" + std::string(WebAssetVersion());
    for (size_t at = html.find(placeholder); at != std::string::npos; at = html.find(placeholder, at + prefix.size())) {
      html.replace(at, placeholder.size(), prefix);
    }
    return html;
  }();
  return {page, "text/html; charset=utf-8", "no-cache"};
}

std::optional<WebFile> WebStatic(std::string_view version, std::string_view name) {
  if (version != WebAssetVersion() || name == "index.html") return std::nullopt;
  for (const WebAsset& a : WebAssets()) {
    if (a.name == name) return WebFile{std::string(a.body), ContentType(name), "public, max-age=31536000, immutable"};
  }
  return std::nullopt;
}

}  // namespace pilotledger::server
