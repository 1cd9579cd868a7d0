#pragma once
// Message templates: {{seq}} {{conn}} {{agent}} {{now_us}} {{random N}}, and in format v2
// {{var.NAME}} (a value captured by an earlier step) and {{data.FEEDER.COLUMN}} (the connection's
// row of a data feeder). Compiled once into
// segments; render() appends into a caller-owned buffer so sending allocates nothing per message
// once the buffer has grown.
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wsload::shared {

// The names {{var.X}} and {{data.F.C}} may use, resolved to indices at compile time.
struct TemplateNames {
  std::vector<std::string> vars;  // {{var.vars[i]}} renders TemplateContext::vars[i]
  struct Feeder {
    std::string name;
    std::vector<std::string> columns;
  };
  std::vector<Feeder> data;  // {{data.data[f].name.columns[c]}} renders (*data_rows[f])[c]
};

struct TemplateContext {
  uint64_t seq = 0;                   // per-connection request number, from 1
  uint64_t conn = 0;                  // global connection id
  uint64_t agent = 0;                 // agent index in the plan
  int64_t now_us = 0;                 // wall clock, microseconds since epoch
  std::minstd_rand* rng = nullptr;    // for {{random N}}; required when the template uses it
  std::span<const std::string> vars;  // by TemplateNames::vars index; missing ones render empty
  // by feeder index: the connection's row values; nullptr or a missing one renders empty
  std::span<const std::vector<std::string>* const> data_rows;
};

class MessageTemplate {
 public:
  // nullopt and *error set (with the 1-based column of the problem) for unknown variables,
  // unterminated braces, or {{random N}} with N not a positive integer.
  static std::optional<MessageTemplate> compile(std::string_view text, std::string* error);
  // The same, also accepting {{var.X}} and {{data.F.C}} for the given names. An unknown variable,
  // feeder or column is an error naming the known ones.
  static std::optional<MessageTemplate> compile(std::string_view text, const TemplateNames& names,
                                                std::string* error);

  // Target fields (url path and query, header values, static token): only {{data.F.C}} is a
  // placeholder there; any other braces are literal text, as in format v1.
  static std::optional<MessageTemplate> compile_data_only(std::string_view text,
                                                          const TemplateNames& names,
                                                          std::string* error);

  void render(const TemplateContext& ctx, std::string& out) const;  // clears `out` first
  bool uses_random() const;
  bool uses_vars() const;   // any {{var.X}}
  bool uses_data() const;   // any {{data.F.C}}
  bool is_literal() const;  // no placeholder at all

 private:
  enum class Part { kLiteral, kSeq, kConn, kAgent, kNowUs, kRandom, kVar, kData };
  struct Segment {
    Part part;
    std::string literal;
    uint64_t random_bound = 0;  // kRandom
    uint32_t index = 0;         // kVar: var index; kData: feeder index
    uint32_t column = 0;        // kData
  };
  bool uses(Part part) const;
  std::vector<Segment> segments_;
};

}  // namespace wsload::shared
