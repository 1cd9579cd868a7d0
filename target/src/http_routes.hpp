#pragma once
// HTTP request routing before any WebSocket upgrade: endpoints, auth and limits.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>

namespace wsload::target {

class Hub;
class Shard;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct RouteResult {
  // true: the request may be upgraded and one session slot was reserved in the hub (the session
  // must call Hub::release_session() once). false: send `response`.
  bool upgrade = false;
  HttpResponse response;
  // With upgrade and JWT auth: the token's "sub" claim when it is a string (for distinct_subjects).
  std::optional<std::string> subject;
};

// Order of checks for an upgrade on the WebSocket path: per-IP rate (429), JWT (401), capacity
// (503). Counts rejections and HTTP requests in `shard`'s counters. Call on the shard thread.
RouteResult route_request(const HttpRequest& request, const std::string& remote_ip, Hub& hub,
                          Shard& shard);

// The answer to a request the parser refused for its size: 431 when the header exceeded
// kHttpHeaderLimit, 413 when the body exceeded kHttpBodyLimit; always "Connection: close" (the rest
// of the request is unread). Counts it in `shard`'s rejected_431/rejected_413. Call on the shard
// thread.
HttpResponse reject_oversize_request(bool header_too_large, Shard& shard);

// The bearer token of `request`: "Authorization: Bearer X", else the `token` query parameter.
std::string extract_token(const HttpRequest& request);

}  // namespace wsload::target
