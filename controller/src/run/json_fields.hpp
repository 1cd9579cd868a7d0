#pragma once
// Numeric leaves of a JSON document received from the network (a monitor endpoint such as the
// server's /stats), with hard bounds: nothing a hostile or broken server sends can make the
// controller's memory or the report grow past them. Pure; thread-safe.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace wsload::controller {

struct JsonFieldLimits {
  std::size_t max_bytes = 4 << 20;  // longer documents are not parsed at all
  std::size_t max_depth = 8;        // objects nested deeper are skipped (their leaves dropped)
  std::size_t max_fields = 256;     // numeric leaves kept, in document order
  std::size_t max_key = 200;        // a dotted key longer than this is dropped
};

struct JsonFields {
  std::map<std::string, double>
      fields;            // keys joined with '.', e.g. "memory.rss"; booleans are 0/1
  bool parsed = false;   // false: not JSON, or longer than max_bytes
  uint64_t dropped = 0;  // numeric leaves not kept (depth, count or key length)
  // What was dropped and why, for the user; empty when nothing was.
  std::string note(const JsonFieldLimits& limits = {}) const;
  uint64_t too_deep = 0;
  uint64_t too_many = 0;
  uint64_t key_too_long = 0;
};

JsonFields numeric_json_fields(std::string_view text, const JsonFieldLimits& limits = {});

}  // namespace wsload::controller
