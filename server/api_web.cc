// The web page's routes (docs/api.md, "The web page"): no Beast here, only the embedded files.
#include "server/api.h"
#include "server/web.h"

namespace pilotledger::server {
namespace {

HttpResponse Serve(WebFile file) {
  HttpResponse r{200, std::move(file.content_type), std::move(file.body)};
  r.headers = {{"Cache-Control", std::move(file.cache_control)},
               {"Content-Security-Policy", kWebContentSecurityPolicy},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"}};
  return r;
}

}  // namespace

Result<HttpResponse> Api::GetPage(const RouteContext&) { return Serve(WebPage()); }

Result<HttpResponse> Api::GetStatic(const RouteContext& c) {
  std::optional<WebFile> file = WebStatic(c.segments[1], c.segments[2]);
  if (!file) return Status(Code::kNotFound, "no file " + c.segments[2] + " in this version of the page");
  return Serve(std::move(*file));
}

}  // namespace pilotledger::server
