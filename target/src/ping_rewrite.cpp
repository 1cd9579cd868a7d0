#include "wsload/target/ping_rewrite.hpp"

#include <cstdio>

namespace wsload::target {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void skip_space(std::string_view s, std::size_t& i) {
  while (i < s.size() && is_space(s[i])) ++i;
}

// On entry s[i] == '"'. On success i is one past the closing quote and `raw` holds the contents.
bool scan_string(std::string_view s, std::size_t& i, std::string_view& raw, bool& has_escape) {
  std::size_t start = ++i;
  has_escape = false;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      raw = s.substr(start, i - start);
      ++i;
      return true;
    }
    if (c == '\\') {
      has_escape = true;
      i += 2;
      continue;
    }
    ++i;
  }
  return false;
}

// Skips any JSON value (strings, nested containers, scalars) without validating scalars. Nesting is
// counted, not recursed into: any depth costs O(1) memory.
bool skip_value(std::string_view s, std::size_t& i) {
  skip_space(s, i);
  if (i >= s.size()) return false;
  char c = s[i];
  if (c == '"') {
    std::string_view raw;
    bool esc = false;
    return scan_string(s, i, raw, esc);
  }
  if (c == '{' || c == '[') {
    std::size_t depth = 0;
    while (i < s.size()) {
      char d = s[i];
      if (d == '"') {
        std::string_view raw;
        bool esc = false;
        if (!scan_string(s, i, raw, esc)) return false;
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') {
        if (--depth == 0) {
          ++i;
          return true;
        }
      }
      ++i;
    }
    return false;
  }
  std::size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_space(s[i])) ++i;
  return i > start;
}

// Position of the value of the top-level member `key` (after blanks), or nullopt as documented for
// find_top_level_string.
std::optional<std::size_t> find_member_value(std::string_view s, std::string_view key) {
  std::size_t i = 0;
  skip_space(s, i);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  ++i;
  while (true) {
    skip_space(s, i);
    if (i >= s.size() || s[i] != '"') return std::nullopt;
    std::string_view name;
    bool name_escaped = false;
    if (!scan_string(s, i, name, name_escaped)) return std::nullopt;
    skip_space(s, i);
    if (i >= s.size() || s[i] != ':') return std::nullopt;
    ++i;
    skip_space(s, i);
    if (!name_escaped && name == key) return i;
    if (!skip_value(s, i)) return std::nullopt;
    skip_space(s, i);
    if (i >= s.size() || s[i] != ',') return std::nullopt;
    ++i;
  }
}

}  // namespace

std::optional<Span> find_top_level_string(std::string_view s, std::string_view key) {
  auto start = find_member_value(s, key);
  if (!start || *start >= s.size() || s[*start] != '"') return std::nullopt;
  std::size_t i = *start;
  std::string_view raw;
  bool esc = false;
  if (!scan_string(s, i, raw, esc)) return std::nullopt;
  return Span{*start + 1, raw.size()};
}

std::optional<Span> find_top_level_value(std::string_view s, std::string_view key) {
  auto start = find_member_value(s, key);
  if (!start) return std::nullopt;
  std::size_t i = *start;
  if (!skip_value(s, i)) return std::nullopt;
  return Span{*start, i - *start};
}

bool rewrite_ping_to_pong(std::string& message) {
  // Fast reject: every ping carries the literal "ping".
  if (message.find("ping") == std::string::npos) return false;
  auto span = find_top_level_string(message, "type");
  if (!span || std::string_view(message).substr(span->offset, span->size) != "ping") return false;
  message.replace(span->offset, 4, "pong");
  return true;
}

bool is_data_message(std::string_view message) {
  auto span = find_top_level_string(message, "type");
  return span && message.substr(span->offset, span->size) == "data";
}

void append_json_escaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
}

}  // namespace wsload::target
