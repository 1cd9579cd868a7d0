#include "wsload/shared/message_template.hpp"

#include <charconv>
#include <limits>

#include "wsload/shared/strings.hpp"

namespace wsload::shared {
namespace {

constexpr std::string_view kKnownVariables =
    "seq, conn, agent, now_us, random N, var.NAME, data.FEEDER.COLUMN";

void set_error(std::string* error, size_t offset, const std::string& what) {
  if (error != nullptr) *error = what + " at column " + std::to_string(offset + 1);
}

template <typename T>
void append_number(std::string& out, T value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  (void)ec;  // 24 bytes always hold a 64-bit integer
  out.append(buffer, end);
}

}  // namespace

std::optional<MessageTemplate> MessageTemplate::compile(std::string_view text, std::string* error) {
  return compile(text, TemplateNames{}, error);
}

namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// {{var.X}} / {{data.F.C}}: sets the indices, or returns the error text.
std::string resolve_named(std::string_view inner, const TemplateNames& names, uint32_t* index,
                          uint32_t* column) {
  if (inner.substr(0, 4) == "var.") {
    const std::string_view var = inner.substr(4);
    for (size_t i = 0; i < names.vars.size(); ++i) {
      if (names.vars[i] == var) {
        *index = static_cast<uint32_t>(i);
        return {};
      }
    }
    return "unknown variable 'var." + std::string(var) +
           "' (captured before this template: " + join_names(names.vars) + ")";
  }
  const std::string_view rest = inner.substr(5);  // after "data."
  const size_t dot = rest.find('.');
  const std::string_view feeder = rest.substr(0, dot);
  std::vector<std::string> feeders;
  for (size_t f = 0; f < names.data.size(); ++f) {
    feeders.push_back(names.data[f].name);
    if (names.data[f].name != feeder) continue;
    if (dot == std::string_view::npos) return "'data." + std::string(feeder) + "' needs a column";
    const std::string_view col = rest.substr(dot + 1);
    const auto& columns = names.data[f].columns;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c] == col) {
        *index = static_cast<uint32_t>(f);
        *column = static_cast<uint32_t>(c);
        return {};
      }
    }
    return "unknown column '" + std::string(col) + "' of data feeder '" + std::string(feeder) +
           "' (columns: " + join_names(columns) + ")";
  }
  return "unknown data feeder '" + std::string(feeder) + "' (feeders: " + join_names(feeders) + ")";
}

}  // namespace

std::optional<MessageTemplate> MessageTemplate::compile(std::string_view text,
                                                        const TemplateNames& names,
                                                        std::string* error) {
  MessageTemplate result;
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) {
      result.segments_.push_back(Segment{Part::kLiteral, std::move(literal), 0});
      literal.clear();
    }
  };
  size_t i = 0;
  while (i < text.size()) {
    // "{{{" is a literal brace followed by a variable: JSON such as {"x":{{{seq}}}} stays usable.
    if (text.compare(i, 2, "{{") != 0 || text.compare(i, 3, "{{{") == 0) {
      literal.push_back(text[i]);
      ++i;
      continue;
    }
    const size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos) {
      set_error(error, i, "unterminated '{{'");
      return std::nullopt;
    }
    const std::string_view inner = trim(text.substr(i + 2, close - i - 2));
    Segment segment{Part::kLiteral, {}, 0};
    if (inner == "seq") {
      segment.part = Part::kSeq;
    } else if (inner == "conn") {
      segment.part = Part::kConn;
    } else if (inner == "agent") {
      segment.part = Part::kAgent;
    } else if (inner == "now_us") {
      segment.part = Part::kNowUs;
    } else if (inner.substr(0, 6) == "random" && (inner.size() == 6 || inner[6] == ' ')) {
      const std::string_view arg = trim(inner.substr(6));
      uint64_t bound = 0;
      auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), bound);
      if (arg.empty() || ec != std::errc() || end != arg.data() + arg.size() || bound == 0) {
        set_error(error, i,
                  "{{random N}} needs N to be a positive integer, got '" + std::string(arg) + "'");
        return std::nullopt;
      }
      segment.part = Part::kRandom;
      segment.random_bound = bound;
    } else if (inner.substr(0, 4) == "var." || inner.substr(0, 5) == "data.") {
      const std::string problem = resolve_named(inner, names, &segment.index, &segment.column);
      if (!problem.empty()) {
        set_error(error, i, problem);
        return std::nullopt;
      }
      segment.part = inner[0] == 'v' ? Part::kVar : Part::kData;
    } else {
      set_error(error, i,
                "unknown template variable '" + std::string(inner) +
                    "' (known: " + std::string(kKnownVariables) + ")");
      return std::nullopt;
    }
    flush_literal();
    result.segments_.push_back(std::move(segment));
    i = close + 2;
  }
  flush_literal();
  return result;
}

std::optional<MessageTemplate> MessageTemplate::compile_data_only(std::string_view text,
                                                                  const TemplateNames& names,
                                                                  std::string* error) {
  MessageTemplate result;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("{{data.", i);
    const size_t close = open == std::string_view::npos ? open : text.find("}}", open);
    if (close == std::string_view::npos) {
      result.segments_.push_back(Segment{Part::kLiteral, std::string(text.substr(i)), 0});
      break;
    }
    if (open > i) {
      result.segments_.push_back(Segment{Part::kLiteral, std::string(text.substr(i, open - i)), 0});
    }
    Segment segment{Part::kData, {}, 0};
    const std::string_view inner = trim(text.substr(open + 2, close - open - 2));
    const std::string problem = resolve_named(inner, names, &segment.index, &segment.column);
    if (!problem.empty()) {
      set_error(error, open, problem);
      return std::nullopt;
    }
    result.segments_.push_back(std::move(segment));
    i = close + 2;
  }
  return result;
}

void MessageTemplate::render(const TemplateContext& ctx, std::string& out) const {
  out.clear();
  for (const Segment& segment : segments_) {
    switch (segment.part) {
      case Part::kLiteral:
        out.append(segment.literal);
        break;
      case Part::kSeq:
        append_number(out, ctx.seq);
        break;
      case Part::kConn:
        append_number(out, ctx.conn);
        break;
      case Part::kAgent:
        append_number(out, ctx.agent);
        break;
      case Part::kNowUs:
        append_number(out, ctx.now_us);
        break;
      case Part::kRandom: {
        uint64_t value = 0;
        if (ctx.rng != nullptr) {
          std::uniform_int_distribution<uint64_t> dist(0, segment.random_bound - 1);
          value = dist(*ctx.rng);
        }
        append_number(out, value);
        break;
      }
      case Part::kVar:
        if (segment.index < ctx.vars.size()) out.append(ctx.vars[segment.index]);
        break;
      case Part::kData:
        if (segment.index < ctx.data_rows.size() && ctx.data_rows[segment.index] != nullptr &&
            segment.column < ctx.data_rows[segment.index]->size()) {
          out.append((*ctx.data_rows[segment.index])[segment.column]);
        }
        break;
    }
  }
}

bool MessageTemplate::uses(Part part) const {
  for (const Segment& segment : segments_) {
    if (segment.part == part) return true;
  }
  return false;
}

bool MessageTemplate::uses_random() const { return uses(Part::kRandom); }
bool MessageTemplate::uses_vars() const { return uses(Part::kVar); }
bool MessageTemplate::uses_data() const { return uses(Part::kData); }
bool MessageTemplate::is_literal() const {
  for (const Segment& segment : segments_) {
    if (segment.part != Part::kLiteral) return false;
  }
  return true;
}

}  // namespace wsload::shared
