#pragma once
// A minimal blocking HTTP/1.1 client over plain TCP for the controller's own small requests
// (monitor polling, `doctor` checks). No TLS; bounded by a timeout; one request per connection.
#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace wsload::controller {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";  // path and query
};

// Parses http:// and ws:// URLs (ws:// maps to the same host/port/target). nullopt for other
// schemes or a malformed URL; *error says why.
std::optional<HttpUrl> parse_http_url(const std::string& url, std::string* error);

struct HttpResponse {
  int status = 0;                              // 0: no response (see error)
  std::string error;                           // connection or protocol problem, empty on success
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // de-chunked
};

// Sends `GET target` with the extra request headers (each "Name: value") and reads the response.
HttpResponse http_request(const HttpUrl& url, const std::string& extra_headers,
                          std::chrono::milliseconds timeout);

}  // namespace wsload::controller
