#include "deflate_params.hpp"

#include <cctype>
#include <vector>

namespace wsload::agent::ws {
namespace {

// RFC 7230 §3.2.6 tchar.
bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

struct Param {
  std::string name;
  std::optional<std::string> value;  // unquoted
};
struct Extension {
  std::string name;
  std::vector<Param> params;
};

// A cursor over an extension-list (RFC 6455 §9.1 with RFC 7230's #rule: empty elements are
// skipped, optional whitespace around separators).
class ListParser {
 public:
  explicit ListParser(std::string_view s) : s_(s) {}

  // Every extension, or an error naming where the list went wrong.
  boost::system::result<std::vector<Extension>, std::string> parse() {
    std::vector<Extension> out;
    for (;;) {
      skip_ows();
      if (at_end()) return out;
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      Extension ext;
      if (!token(ext.name)) return error("an extension name");
      for (;;) {
        skip_ows();
        if (at_end() || peek() == ',') break;
        if (peek() != ';') return error("';' or ','");
        ++pos_;
        skip_ows();
        Param p;
        if (!token(p.name)) return error("a parameter name");
        skip_ows();
        if (!at_end() && peek() == '=') {
          ++pos_;
          skip_ows();
          std::string v;
          if (!at_end() && peek() == '"') {
            if (!quoted(v)) return error("a closed quoted string");
          } else if (!token(v)) {
            return error("a parameter value");
          }
          p.value = std::move(v);
        }
        ext.params.push_back(std::move(p));
      }
      out.push_back(std::move(ext));
    }
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  void skip_ows() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }
  bool token(std::string& out) {
    const std::size_t start = pos_;
    while (!at_end() && is_tchar(peek())) ++pos_;
    out.assign(s_.substr(start, pos_ - start));
    return pos_ > start;
  }
  bool quoted(std::string& out) {
    ++pos_;  // the opening quote
    while (!at_end()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (at_end()) return false;
        out += s_[pos_++];
      } else {
        out += c;
      }
    }
    return false;
  }
  std::string error(const char* expected) const {
    return "malformed Sec-WebSocket-Extensions at offset " + std::to_string(pos_) + ": expected " +
           expected;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// 8..15 written without leading zeros (RFC 7692 §7.1.2); nullopt otherwise.
std::optional<uint8_t> window_bits(const std::string& v) {
  if (v.empty() || v.size() > 2 || v[0] == '0') return std::nullopt;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < 8 || n > 15) return std::nullopt;
  return static_cast<uint8_t>(n);
}

}  // namespace

boost::system::result<std::optional<DeflateParams>, std::string> parse_deflate_response(
    std::string_view header) {
  auto list = ListParser(header).parse();
  if (list.has_error()) return list.error();
  if (list->empty()) return std::optional<DeflateParams>();
  if (list->size() > 1) {
    return std::string("the server answered with ") + std::to_string(list->size()) +
           " extensions; only permessage-deflate was offered";
  }
  const Extension& ext = list->front();
  if (!iequals(ext.name, "permessage-deflate")) {
    return "the server answered with extension '" + ext.name +
           "'; only permessage-deflate was offered";
  }
  DeflateParams params;
  std::vector<std::string> seen;
  for (const Param& p : ext.params) {
    for (const std::string& s : seen) {
      if (iequals(s, p.name)) return "permessage-deflate parameter '" + p.name + "' is repeated";
    }
    seen.push_back(p.name);
    const bool flag = iequals(p.name, "server_no_context_takeover") ||
                      iequals(p.name, "client_no_context_takeover");
    const bool bits =
        iequals(p.name, "server_max_window_bits") || iequals(p.name, "client_max_window_bits");
    if (!flag && !bits) return "unknown permessage-deflate parameter '" + p.name + "'";
    if (flag) {
      if (p.value) return "permessage-deflate parameter '" + p.name + "' takes no value";
      (iequals(p.name, "server_no_context_takeover") ? params.server_no_context_takeover
                                                     : params.client_no_context_takeover) = true;
      continue;
    }
    if (!p.value)
      return "permessage-deflate parameter '" + p.name + "' needs a value in the answer";
    const std::optional<uint8_t> n = window_bits(*p.value);
    if (!n) {
      return "permessage-deflate parameter '" + p.name + "=" + *p.value +
             "' is not a window size of 8 to 15 bits";
    }
    if (iequals(p.name, "server_max_window_bits")) {
      params.server_max_window_bits = *n;
    } else {
      if (*n == 8) {
        return std::string(
            "permessage-deflate parameter 'client_max_window_bits=8' is not supported (zlib "
            "cannot compress with a 256-byte window)");
      }
      params.client_max_window_bits = *n;
    }
  }
  return std::optional<DeflateParams>(params);
}

}  // namespace wsload::agent::ws
