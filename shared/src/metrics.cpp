#include "wsload/shared/metrics.hpp"

#include <algorithm>

namespace wsload::shared {
namespace {

void merge_map(std::map<std::string, uint64_t>& into, const std::map<std::string, uint64_t>& from) {
  for (const auto& [key, value] : from) into[key] += value;
}

}  // namespace

void Counters::merge(const Counters& other) {
  connections_attempted += other.connections_attempted;
  connections_established += other.connections_established;
  connections_failed += other.connections_failed;
  connections_closed += other.connections_closed;
  disconnects_unexpected += other.disconnects_unexpected;
  reconnects += other.reconnects;
  messages_sent += other.messages_sent;
  messages_received += other.messages_received;
  replies += other.replies;
  timeouts += other.timeouts;
  late_replies += other.late_replies;
  unmatched += other.unmatched;
  protocol_errors += other.protocol_errors;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  bytes_sent_wire += other.bytes_sent_wire;
  bytes_received_wire += other.bytes_received_wire;
  push_received += other.push_received;
  push_gaps += other.push_gaps;
  push_duplicates += other.push_duplicates;
  push_reordered += other.push_reordered;
  push_resets += other.push_resets;
  sessions_failed += other.sessions_failed;
  sends_behind_schedule += other.sends_behind_schedule;
  max_schedule_lag_us = std::max(max_schedule_lag_us, other.max_schedule_lag_us);
  merge_map(failures, other.failures);
  merge_map(disconnects, other.disconnects);
  merge_map(unsent, other.unsent);
}

uint64_t Counters::error_count() const {
  return connections_failed + disconnects_unexpected + timeouts + protocol_errors + unsent_total() +
         sessions_failed;
}

uint64_t Counters::unsent_total() const {
  uint64_t total = 0;
  for (const auto& [reason, count] : unsent) total += count;
  return total;
}

void MetricsDelta::merge(const MetricsDelta& other) {
  counters.merge(other.counters);
  latency.merge(other.latency);
  latency_service.merge(other.latency_service);
  connect_time.merge(other.connect_time);
  push_latency.merge(other.push_latency);
  reconnect_time.merge(other.reconnect_time);
  parts.merge(other.parts);
}

void StreamFigures::merge(const StreamFigures& other) {
  sent += other.sent;
  replies += other.replies;
  timeouts += other.timeouts;
  unsent += other.unsent;
  latency.merge(other.latency);
}

void StepFigures::merge(const StepFigures& other) {
  ok += other.ok;
  failed += other.failed;
  merge_map(failures, other.failures);
  latency.merge(other.latency);
}

namespace {
template <typename T>
void merge_list(std::vector<T>& into, const std::vector<T>& from) {
  if (into.size() < from.size()) into.resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) into[i].merge(from[i]);
}
}  // namespace

void PartsDelta::merge(const PartsDelta& other) {
  merge_list(groups, other.groups);
  merge_list(streams, other.streams);
  merge_list(steps, other.steps);
}

}  // namespace wsload::shared
