// ${VAR} / ${VAR:-default} / $$ expansion of scenario scalars.
#include "scenario_reader.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Index of the '}' closing the "${" that starts at `open`, honouring nested "${...}"; npos if none.
size_t find_close(std::string_view text, size_t open) {
  int depth = 1;
  for (size_t i = open + 2; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string> expand_env(std::string_view text, const EnvLookup& env,
                                      std::string* error) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    if (text[i + 1] != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    const size_t close = find_close(text, i);
    if (close == std::string_view::npos) {
      *error = "unterminated '${' at character " + std::to_string(i + 1) + " of '" +
               std::string(text) + "'";
      return std::nullopt;
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < inner.size() && is_name_char(inner[name_end])) ++name_end;
    const std::string_view name = inner.substr(0, name_end);
    const std::string_view rest = inner.substr(name_end);
    if (name.empty() || !is_name_start(name.front()) ||
        (!rest.empty() && rest.substr(0, 2) != ":-")) {
      *error = "malformed '${" + std::string(inner) +
               "}': use ${NAME} or ${NAME:-default} (NAME: letters, digits, _)";
      return std::nullopt;
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (!rest.empty() && (!value || value->empty())) {
      std::optional<std::string> fallback = expand_env(rest.substr(2), env, error);
      if (!fallback) return std::nullopt;
      value = std::move(fallback);
    }
    if (value) out += *value;
    i = close + 1;
  }
  return out;
}

}  // namespace wsload::scenario::detail
