#include "report/json_values.hpp"

#include <stdexcept>

#include "wsload/shared/jwt.hpp"

namespace wsload::controller {

using nlohmann::json;

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json metric_json(const shared::MetricInfo& m, const shared::RunFigures& f) {
  if (m.unit == shared::MetricUnit::kCount) return shared::metric_count(m, f);
  return optional_number(shared::metric_value(m, f));
}

json distribution_json(const shared::Histogram& h, shared::Histogram shared::MetricsDelta::*family,
                       BucketList list) {
  json j;
  j["count"] = h.count();
  for (const auto& m : shared::kMetricTable) {
    if (m.histogram != family) continue;
    j[std::string(shared::metric_leaf(m)) + "_ms"] =
        optional_number(shared::histogram_stat_ms(h, m.stat));
  }
  j["histogram"] = {{"unit", "us"}};
  if (list == BucketList::kWith) {
    json buckets = json::array();
    h.for_each_bucket([&](int64_t lo, int64_t hi, uint64_t n) { buckets.push_back({lo, hi, n}); });
    j["histogram"]["buckets"] = std::move(buckets);
  }
  j["histogram"]["encoded"] = shared::base64url_encode(h.serialize());
  return j;
}

json counts_json(const std::map<std::string, uint64_t>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

void put_counter_details(json& j, const shared::Counters& c) {
  j["connections"]["failures"] = counts_json(c.failures);
  j["connections"]["disconnects"] = counts_json(c.disconnects);
  j["connections"]["reconnects"] = c.reconnects;
  j["messages"]["scheduled"] = c.requests_scheduled();
  j["messages"]["unsent_reasons"] = counts_json(c.unsent);
  // Only where permessage-deflate made the wire differ, so reports without it read as before.
  if (c.bytes_sent_wire != c.bytes_sent || c.bytes_received_wire != c.bytes_received) {
    j["messages"]["bytes_sent_wire"] = c.bytes_sent_wire;
    j["messages"]["bytes_received_wire"] = c.bytes_received_wire;
  }
}

void read_counter_details(const json& j, shared::Counters& c, const std::string& where) {
  const auto& conn = field(j, "connections", where);
  const auto& msg = field(j, "messages", where);
  const auto cw = where + ".connections";
  c.failures = count_map(field(conn, "failures", cw));
  c.disconnects = count_map(field(conn, "disconnects", cw));
  c.reconnects = count(conn, "reconnects", cw);
  if (msg.contains("unsent_reasons")) c.unsent = count_map(msg["unsent_reasons"]);
  const bool wire = msg.contains("bytes_sent_wire");
  c.bytes_sent_wire = wire ? count(msg, "bytes_sent_wire", where + ".messages") : c.bytes_sent;
  c.bytes_received_wire =
      wire ? count(msg, "bytes_received_wire", where + ".messages") : c.bytes_received;
}

const json& field(const json& j, const char* name, const std::string& where) {
  if (!j.is_object() || !j.contains(name))
    throw std::runtime_error("missing field " + where + "." + name);
  return j.at(name);
}

uint64_t count(const json& j, const char* name, const std::string& where) {
  const auto& v = field(j, name, where);
  if (!v.is_number_unsigned() && !v.is_number_integer()) {
    throw std::runtime_error(where + "." + name + " is not a count");
  }
  return v.get<uint64_t>();
}

shared::Histogram histogram(const json& distribution, const std::string& where) {
  const auto& encoded =
      field(field(distribution, "histogram", where), "encoded", where + ".histogram");
  auto bytes = shared::base64url_decode(encoded.get<std::string>());
  if (!bytes) throw std::runtime_error(where + ".histogram.encoded is not base64url");
  auto h = shared::Histogram::deserialize(*bytes);
  if (!h) throw std::runtime_error(where + ".histogram.encoded does not decode");
  return *h;
}

std::map<std::string, uint64_t> count_map(const json& j) {
  std::map<std::string, uint64_t> out;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<uint64_t>();
  }
  return out;
}

}  // namespace wsload::controller
