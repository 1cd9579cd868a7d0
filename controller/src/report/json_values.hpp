#pragma once
// How wsload.report/v1 encodes values, shared by its writer (json_report.cpp,
// json_report_parts.cpp) and reader (json_report_reader.cpp, json_report_parts.cpp). The read
// functions throw std::runtime_error naming the field (`where` is the path of the object that
// should hold it).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "wsload/shared/metric_catalog.hpp"

namespace wsload::controller {

nlohmann::json optional_number(const std::optional<double>& v);  // null without a value

// A count exactly (a JSON integer), anything else as a number or null when it has no value.
nlohmann::json metric_json(const shared::MetricInfo& m, const shared::RunFigures& f);

// Whether a distribution lists its non-empty buckets as [low_us, high_us, count] beside the exact
// encoded form. Agents' distributions do not: a report's size then grows with the number of
// agents, not with what they measured (the encoded form restores every bucket).
enum class BucketList { kWith, kWithout };

// count, "<stat>_ms" for every row of the table in `family` (latency, connect_time, ...) valued on
// `h`, and the histogram itself: its exact encoded form and, unless kWithout, its non-empty
// buckets.
nlohmann::json distribution_json(const shared::Histogram& h,
                                 shared::Histogram shared::MetricsDelta::*family,
                                 BucketList list = BucketList::kWith);

nlohmann::json counts_json(const std::map<std::string, uint64_t>& m);  // reason -> count

// What the report holds of Counters besides the table's metrics (kJsonFields): counts by reason,
// reconnects and requests scheduled (sent + unsent), in the connections and messages sections; and
// bytes.sent_wire/bytes.received_wire (messages.bytes_sent_wire, bytes_received_wire) when they
// differ from the payload bytes (permessage-deflate).
void put_counter_details(nlohmann::json& j, const shared::Counters& c);
// The same back; `where` names the object holding the sections (read_metric_counters first: the
// wire bytes default to the payload bytes). Reports written before unsent requests were counted
// have no unsent_reasons.
void read_counter_details(const nlohmann::json& j, shared::Counters& c, const std::string& where);

const nlohmann::json& field(const nlohmann::json& j, const char* name, const std::string& where);
uint64_t count(const nlohmann::json& j, const char* name, const std::string& where);
// The histogram of a distribution_json object, exactly (from its encoded form).
shared::Histogram histogram(const nlohmann::json& distribution, const std::string& where);
std::map<std::string, uint64_t> count_map(const nlohmann::json& j);  // {} when not an object

}  // namespace wsload::controller
