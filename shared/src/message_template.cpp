#include "wsload/shared/message_template.hpp"

#include <charconv>
#include <limits>

#include "wsload/shared/strings.hpp"

namespace wsload::shared {
namespace {

constexpr std::string_view kKnownVariables = "seq, conn, agent, now_us, random N";

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
    }
  }
}

bool MessageTemplate::uses_random() const {
  for (const Segment& segment : segments_) {
    if (segment.part == Part::kRandom) return true;
  }
  return false;
}

}  // namespace wsload::shared
