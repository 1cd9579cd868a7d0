#pragma once
// Message templates: {{seq}} {{conn}} {{agent}} {{now_us}} {{random N}}. Compiled once into
// segments; render() appends into a caller-owned buffer so sending allocates nothing per message
// once the buffer has grown.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace wsload::shared {

struct TemplateContext {
  uint64_t seq = 0;                 // per-connection request number, from 1
  uint64_t conn = 0;                // global connection id
  uint64_t agent = 0;               // agent index in the plan
  int64_t now_us = 0;               // wall clock, microseconds since epoch
  std::minstd_rand* rng = nullptr;  // for {{random N}}; required when the template uses it
};

class MessageTemplate {
 public:
  // nullopt and *error set (with the 1-based column of the problem) for unknown variables,
  // unterminated braces, or {{random N}} with N not a positive integer.
  static std::optional<MessageTemplate> compile(std::string_view text, std::string* error);

  void render(const TemplateContext& ctx, std::string& out) const;  // clears `out` first
  bool uses_random() const;

 private:
  enum class Part { kLiteral, kSeq, kConn, kAgent, kNowUs, kRandom };
  struct Segment {
    Part part;
    std::string literal;
    uint64_t random_bound = 0;
  };
  std::vector<Segment> segments_;
};

}  // namespace wsload::shared
