#pragma once
// Conversions between the shared value types and their wire form (wsload.proto). The one place
// where scenario and metric fields are mapped, used by both the controller and the agent.
#include <functional>
#include <string>

#include "wsload.pb.h"
#include "wsload/shared/metrics.hpp"
#include "wsload/shared/scenario.hpp"

namespace wsload::proto {

// The largest control message either side accepts (gRPC's receive limit on both ends).
inline constexpr int kMaxControlMessageBytes = 16 << 20;

// 2: interval_index, unsent counters; 3: typed match; 4: format v2 sessions and per-part metrics
inline constexpr uint32_t kProtocolVersion = 4;

// Reads a tls.ca_file named by a group of a v2 scenario (the controller's file reader).
using CaReader = std::function<std::string(const std::string& path)>;

// `ca_pem` is the content of scenario.target.tls.ca_file, read by the controller, since agents may
// run on other machines.
// Groups' CAs are read with `read_ca` (nullptr: groups carry none). Data feeders go as they are:
// the controller gives each agent a scenario holding only the rows of its own connections.
v1::ScenarioSpec to_wire(const shared::Scenario& scenario, const std::string& ca_pem,
                         const CaReader& read_ca = nullptr);
// The agent's view of a scenario: thresholds and monitor are the controller's business and are not
// sent. When the spec carries a CA, the result's tls.ca_file is empty and *ca_pem receives it;
// a group's CA comes back as tls.ca_file "pem:<contents>".
shared::Scenario from_wire(const v1::ScenarioSpec& spec, std::string* ca_pem);

void to_wire(const shared::MetricsDelta& delta, v1::Metrics* out);
// Decodes into an existing delta, reusing its histograms' storage (no allocation per report: the
// controller decodes every agent's interval reports into one scratch delta). Overwrites all of
// `into`; false when a histogram does not decode.
bool from_wire(const v1::Metrics& metrics, shared::MetricsDelta* into);

}  // namespace wsload::proto
