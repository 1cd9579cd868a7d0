#include "net/http_client.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/tcp_connect.hpp"

namespace wsload::controller {
namespace {

using Clock = std::chrono::steady_clock;

bool send_all(int fd, const std::string& data, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, remaining_ms(deadline)) != 1) return false;
    const auto n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string dechunk(const std::string& body) {
  std::string out;
  size_t pos = 0;
  while (pos < body.size()) {
    const auto eol = body.find("\r\n", pos);
    if (eol == std::string::npos) break;
    const auto size = std::strtoul(body.substr(pos, eol - pos).c_str(), nullptr, 16);
    if (size == 0) break;
    out += body.substr(eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  return out;
}

}  // namespace

std::optional<HttpUrl> parse_http_url(const std::string& url, std::string* error) {
  HttpUrl out;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else {
    *error = "only http:// and ws:// URLs are supported here: '" + url + "'";
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      *error = "bad IPv6 address in '" + url + "'";
      return std::nullopt;
    }
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      out.port = authority.substr(close + 2);
  } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
  }
  if (out.host.empty() || out.port.empty()) {
    *error = "no host in '" + url + "'";
    return std::nullopt;
  }
  return out;
}

static void parse_response(const std::string& raw, size_t head_end, HttpResponse& response);

HttpResponse http_request(const HttpUrl& url, const std::string& extra_headers,
                          std::chrono::milliseconds timeout) {
  HttpResponse response;
  const auto deadline = Clock::now() + timeout;
  const int fd = tcp_connect(url.host, url.port, deadline, &response.error);
  if (fd < 0) response.error += " (" + url.host + ":" + url.port + ")";
  if (fd < 0) return response;
  const bool own_connection_header = extra_headers.find("Connection:") != std::string::npos;
  const std::string request = "GET " + url.target + " HTTP/1.1\r\nHost: " + url.host + ":" +
                              url.port + "\r\nUser-Agent: wsload\r\n" +
                              (own_connection_header ? "" : "Connection: close\r\n") +
                              extra_headers + "\r\n";
  if (!send_all(fd, request, deadline)) {
    close(fd);
    response.error = "cannot send the request";
    return response;
  }
  std::string raw;
  char buffer[8192];
  constexpr size_t kMaxResponse = 4 << 20;
  size_t head_end = std::string::npos;
  unsigned long long body_length = ~0ULL;  // Content-Length, when the head has one
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) != 1) {
      if (head_end == std::string::npos) response.error = "timed out waiting for the response";
      break;
    }
    const auto n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<size_t>(n));
    if (raw.size() > kMaxResponse) {
      close(fd);
      response.error =
          fmt::format("the response is larger than {} MiB; not read", kMaxResponse >> 20);
      return response;
    }
    if (head_end == std::string::npos) {
      head_end =
          raw.find("\r\n\r\n", raw.size() > static_cast<size_t>(n) + 3 ? raw.size() - n - 3 : 0);
      if (head_end == std::string::npos) continue;
      // A 101 upgrade keeps the connection open: the head is all there is to read.
      if (raw.rfind("HTTP/1.1 101", 0) == 0) break;
      std::string head = raw.substr(0, head_end);
      std::transform(head.begin(), head.end(), head.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
        body_length = std::strtoull(head.c_str() + at + 17, nullptr, 10);
      }
    }
    // A complete Content-Length body ends the response even if the server keeps the connection.
    if (raw.size() - head_end - 4 >= body_length) break;
  }
  close(fd);
  if (head_end == std::string::npos || raw.rfind("HTTP/", 0) != 0) {
    if (response.error.empty()) response.error = "no HTTP response";
    return response;
  }
  parse_response(raw, head_end, response);
  return response;
}

// Status, lower-cased headers and de-chunked body of `raw`, whose head ends at `head_end`.
static void parse_response(const std::string& raw, size_t head_end, HttpResponse& response) {
  response.error.clear();
  const auto first_eol = raw.find("\r\n");
  const auto space = raw.find(' ');
  response.status = std::atoi(raw.substr(space + 1, 3).c_str());
  size_t pos = first_eol + 2;
  while (pos < head_end) {
    const auto eol = raw.find("\r\n", pos);
    const auto line = raw.substr(pos, eol - pos);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      response.headers[name] = value;
    }
    pos = eol + 2;
  }
  response.body = raw.substr(head_end + 4);
  if (response.headers["transfer-encoding"] == "chunked") response.body = dechunk(response.body);
}

}  // namespace wsload::controller
