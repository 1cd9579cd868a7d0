#pragma once
// Cheap inspection of JSON text frames without building a DOM. These functions read client and NATS
// input: each runs in time linear in the text, with constant memory and no recursion, so no nesting
// depth, member count or malformation can exhaust the stack or the heap.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wsload::target {

struct Span {
  std::size_t offset = 0;  // first character (of a string's contents: after the opening quote)
  std::size_t size = 0;    // length of the raw text (escapes not decoded)
};

// Finds the top-level member `key` of a JSON object whose value is a string, and returns the
// position of its raw contents. nullopt when `json` is not an object, the member is absent, its
// value is not a string, or the text is malformed before the member is found. Keys with escapes
// never match.
std::optional<Span> find_top_level_string(std::string_view json, std::string_view key);

// Like find_top_level_string for a value of any type: the span is the whole raw value token
// (quotes and brackets included). Scalars are not validated (the caller checks their grammar).
std::optional<Span> find_top_level_value(std::string_view json, std::string_view key);

// If `message` is a JSON object whose top-level "type" is exactly "ping", rewrites that value to
// "pong" in place (same length, no allocation) and returns true; otherwise leaves it untouched.
bool rewrite_ping_to_pong(std::string& message);

// True when `message` is a JSON object whose top-level "type" is "data" (relayed as is).
bool is_data_message(std::string_view message);

// Appends `text` to `out` as the contents of a JSON string (quotes not included).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace wsload::target
