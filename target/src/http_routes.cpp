#include "http_routes.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "hub.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload/shared/prometheus_writer.hpp"
#include "wsload/target/limits.hpp"

namespace wsload::target {
using shared::PrometheusWriter;
namespace http = boost::beast::http;

namespace {

// Tolerated clock skew between token issuer and server for exp and nbf.
constexpr int64_t kJwtLeewaySeconds = 30;

HttpResponse make_response(const HttpRequest& req, http::status status, std::string body,
                           std::string_view content_type) {
  HttpResponse res{status, req.version()};
  res.set(http::field::server, "wsload-target");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse text(const HttpRequest& req, http::status status, std::string body) {
  return make_response(req, status, std::move(body) + "\n", "text/plain; charset=utf-8");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
        hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else {
      out += in[i] == '+' ? ' ' : in[i];
    }
  }
  return out;
}

// The "sub" claim of verified claims, when it is a string.
std::optional<std::string> subject_of(const std::string& claims_json) {
  auto claims = nlohmann::json::parse(claims_json, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return std::nullopt;
  auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string()) return std::nullopt;
  return sub->get<std::string>();
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

HttpResponse reject_oversize_request(bool header_too_large, Shard& shard) {
  auto& counters = shard.counters();
  HttpRequest unread;  // the request never parsed: answer as HTTP/1.1 and close
  unread.version(11);
  unread.keep_alive(false);
  if (header_too_large) {
    counters.rejected_431.add();
    return text(unread, http::status::request_header_fields_too_large,
                "request header larger than " + std::to_string(kHttpHeaderLimit) + " bytes");
  }
  counters.rejected_413.add();
  return text(unread, http::status::payload_too_large,
              "request body larger than " + std::to_string(kHttpBodyLimit) + " bytes");
}

std::string extract_token(const HttpRequest& req) {
  auto auth = req[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() > kBearer.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kBearer.size(); ++i)
      match = match && std::tolower(static_cast<unsigned char>(auth[i])) ==
                           std::tolower(static_cast<unsigned char>(kBearer[i]));
    if (match) {
      auto token = auth.substr(kBearer.size());
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      return std::string(token);
    }
  }
  std::string_view target = req.target();
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, 6) == "token=") return percent_decode(pair.substr(6));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

RouteResult route_request(const HttpRequest& req, const std::string& remote_ip, Hub& hub,
                          Shard& shard) {
  auto& counters = shard.counters();
  const auto& config = hub.config();
  std::string_view path = path_of(req.target());
  RouteResult result;

  if (path == config.path) {
    if (!boost::beast::websocket::is_upgrade(req)) {
      counters.http_requests.add();
      result.response = text(req, http::status::upgrade_required, "WebSocket upgrade required");
      result.response.set(http::field::upgrade, "websocket");
      return result;
    }
    if (auto* limiter = hub.limiter();
        limiter && !limiter->try_take(remote_ip, std::chrono::steady_clock::now())) {
      counters.rejected_429.add();
      result.response =
          text(req, http::status::too_many_requests, "too many upgrades from " + remote_ip);
      result.response.set(http::field::retry_after, "1");
      return result;
    }
    if (!config.no_auth) {
      std::string token = extract_token(req);
      if (token.empty()) {
        counters.rejected_401.add();
        result.response = text(req, http::status::unauthorized, "missing bearer token");
        result.response.set(http::field::www_authenticate, "Bearer");
        return result;
      }
      auto verdict = shared::jwt_verify_hs256(token, *config.jwt_secret, std::time(nullptr),
                                              kJwtLeewaySeconds);
      if (!verdict.ok()) {
        counters.rejected_401.add();
        result.response = text(req, http::status::unauthorized, "invalid token: " + verdict.reason);
        result.response.set(http::field::www_authenticate, "Bearer error=\"invalid_token\"");
        return result;
      }
      result.subject = subject_of(verdict.claims_json);
    }
    if (hub.stopping() || !hub.try_reserve_session()) {
      counters.rejected_503.add();
      result.response =
          text(req, http::status::service_unavailable,
               hub.stopping() ? "server is shutting down" : "connection limit reached");
      return result;
    }
    result.upgrade = true;
    return result;
  }

  counters.http_requests.add();
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    result.response = text(req, http::status::method_not_allowed, "method not allowed");
    return result;
  }
  if (path == "/health") {
    result.response = make_response(req, http::status::ok, render_health_json(hub.snapshot()),
                                    "application/json");
  } else if (path == "/stats") {
    result.response =
        make_response(req, http::status::ok, render_stats_json(hub.snapshot()), "application/json");
  } else if (path == "/metrics") {
    result.response = make_response(req, http::status::ok, render_metrics(hub.snapshot()),
                                    PrometheusWriter::kContentType);
  } else {
    result.response = text(req, http::status::not_found, "not found");
  }
  return result;
}

}  // namespace wsload::target
