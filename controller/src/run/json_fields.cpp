#include "run/json_fields.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace wsload::controller {
namespace {

// A SAX handler: the document is never materialized, and the dotted path is kept as one string
// that grows and shrinks with the nesting (linear memory, no recursion).
class FieldCollector final : public nlohmann::json_sax<nlohmann::json> {
 public:
  FieldCollector(const JsonFieldLimits& limits, JsonFields& out) : limits_(limits), out_(out) {}

  bool null() override { return leaf_skipped(); }
  bool boolean(bool v) override { return number(v ? 1.0 : 0.0); }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool string(string_t&) override { return leaf_skipped(); }
  bool binary(binary_t&) override { return leaf_skipped(); }

  bool start_object(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    auto& frame = frames_.back();
    path_.resize(frame.path_length);
    if (!path_.empty()) path_ += '.';
    // Only the part of a key that can still fit is kept; a longer key drops its leaves.
    const std::size_t room =
        limits_.max_key + 1 > path_.size() ? limits_.max_key + 1 - path_.size() : 0;
    path_.append(k, 0, std::min(k.size(), room));
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    std::size_t path_length;  // path_ up to this container's own key
    bool object;
  };

  bool open(bool object) {
    frames_.push_back({path_.size(), object});
    if (!object) ++arrays_open_;
    return true;
  }
  bool close() {
    path_.resize(frames_.back().path_length);
    if (!frames_.back().object) --arrays_open_;
    frames_.pop_back();
    return true;
  }
  bool leaf_skipped() { return true; }

  bool number(double value) {
    // Arrays are not flattened (their elements have no names); only object members count.
    if (frames_.empty() || arrays_open_ > 0) return true;
    if (frames_.size() > limits_.max_depth) {
      ++out_.dropped, ++out_.too_deep;
    } else if (path_.size() > limits_.max_key) {
      ++out_.dropped, ++out_.key_too_long;
    } else if (out_.fields.size() >= limits_.max_fields && !out_.fields.count(path_)) {
      ++out_.dropped, ++out_.too_many;
    } else {
      out_.fields[path_] = value;
    }
    return true;
  }

  const JsonFieldLimits& limits_;
  JsonFields& out_;
  std::vector<Frame> frames_;
  std::size_t arrays_open_ = 0;  // arrays among frames_
  std::string path_;
};

}  // namespace

std::string JsonFields::note(const JsonFieldLimits& limits) const {
  if (dropped == 0) return {};
  std::vector<std::string> parts;
  if (too_many)
    parts.push_back(fmt::format("{} beyond the first {} fields", too_many, limits.max_fields));
  if (too_deep)
    parts.push_back(fmt::format("{} nested deeper than {} levels", too_deep, limits.max_depth));
  if (key_too_long)
    parts.push_back(
        fmt::format("{} with names longer than {} characters", key_too_long, limits.max_key));
  return fmt::format("{} numeric fields dropped ({})", dropped, fmt::join(parts, ", "));
}

JsonFields numeric_json_fields(std::string_view text, const JsonFieldLimits& limits) {
  JsonFields out;
  if (text.size() > limits.max_bytes) return out;
  FieldCollector collector(limits, out);
  out.parsed = nlohmann::json::sax_parse(text, &collector);
  if (!out.parsed) out = JsonFields{};
  return out;
}

}  // namespace wsload::controller
