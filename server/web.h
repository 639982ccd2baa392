#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilotledger::server {

// One file of web/static/, embedded in the binary at build time (server/web/embed.cmake).
struct WebAsset {
  std::string_view name;  // "app.js"
  std::string_view body;
};

// The embedded files (generated web_assets.cc), in name order, and the version of the set: 12 hex
// digits that change whenever any file does; it names the /static/<version>/ path.
const std::vector<WebAsset>& WebAssets();
std::string_view WebAssetVersion();

// An answer of the web page: the body, its Content-Type and its Cache-Control.
struct WebFile {
  std::string body;
  std::string content_type;
  std::string cache_control;
};

// The page's HTML shell (index.html, with its /static/<version>/ paths filled in), served at every
// page path (/, /units/{id}, /campaigns/{c}, /campaigns/{c}/quotas, /revocations); not cached.
WebFile WebPage();
// /static/<version>/<name>: nullopt for another version or an unknown name. Cached for a year
// (immutable), since a changed file has another version.
std::optional<WebFile> WebStatic(std::string_view version, std::string_view name);

// The Content-Security-Policy of the page and its files: only its own scripts, styles and
// connections (the API and the stream), no inline script or style, no frames, no plugins.
inline constexpr const char* kWebContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

}  // namespace pilotledger::server
