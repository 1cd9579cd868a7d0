#pragma once
// Field mappings shared by the conversion files of proto/ (not part of the library's interface).
#include <chrono>
#include <functional>
#include <string>

#include "wsload.pb.h"
#include "wsload/proto/convert.hpp"
#include "wsload/shared/metrics.hpp"
#include "wsload/shared/scenario.hpp"

namespace wsload::proto::detail {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

inline uint64_t ms(nanoseconds d) {
  return static_cast<uint64_t>(duration_cast<milliseconds>(d).count());
}
inline uint64_t us(nanoseconds d) {
  return static_cast<uint64_t>(duration_cast<microseconds>(d).count());
}

v1::MessagesSpec::Kind kind_to_wire(shared::MessageKind kind);
shared::MessageKind kind_from_wire(v1::MessagesSpec::Kind kind);
v1::MessagesSpec::MatchMode match_to_wire(shared::Match::Mode mode);
// An unknown mode reads as kField with whatever field came along; the agent refuses an empty one.
shared::Match match_from_wire(v1::MessagesSpec::MatchMode mode, const std::string& field);

void messages_to_wire(const shared::MessagesSpec& m, v1::MessagesSpec* out);
shared::MessagesSpec messages_from_wire(const v1::MessagesSpec& m);

// Format v2 parts of a scenario (convert_sessions.cpp). `read_ca` turns a group's tls.ca_file
// into its contents (nullptr: groups carry no CA).
void sessions_to_wire(const shared::Scenario& s, const CaReader& read_ca, v1::ScenarioSpec* out);
void sessions_from_wire(const v1::ScenarioSpec& spec, shared::Scenario* out);

// Counters (convert_metrics.cpp).
void counters_to_wire(const shared::Counters& c, v1::Metrics* out);
void counters_from_wire(const v1::Metrics& m, shared::Counters* out);

}  // namespace wsload::proto::detail
