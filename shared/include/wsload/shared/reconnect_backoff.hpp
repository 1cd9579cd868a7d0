#pragma once
// Pure reconnect backoff (SPEC §3b `reconnect`): how long a connection waits before its k-th
// reconnect attempt. No clock, no global generator: the same scenario gives the same delays for
// the same connection on any agent, in any run.
#include <chrono>
#include <cstdint>

#include "wsload/shared/scenario.hpp"

namespace wsload::shared {

// The longest wait before attempt `attempt` (1 = the first reconnect after a disconnect; 0 counts
// as 1): backoff * 2^(attempt-1) capped at max_backoff when max_backoff > 0, else backoff (a fixed
// backoff, as in format v1 files). Never overflows: the doubling stops at the cap.
std::chrono::nanoseconds reconnect_backoff_cap(const ReconnectSpec& spec, uint32_t attempt);

// The wait before attempt `attempt` of connection `connection_id` (its global id): the cap above,
// or with `jitter` a duration drawn uniformly from [0, cap] (full jitter) by a pure function of
// (seed, connection_id, attempt) — splitmix64, see reconnect_mix.
std::chrono::nanoseconds reconnect_delay(const ReconnectSpec& spec, uint64_t connection_id,
                                         uint32_t attempt);

// The 64 random bits behind a jittered delay: splitmix64 applied to the seed, then to the result
// xor the connection id, then to that xor the attempt. Exposed for tests.
uint64_t reconnect_mix(uint64_t seed, uint64_t connection_id, uint32_t attempt);

}  // namespace wsload::shared
