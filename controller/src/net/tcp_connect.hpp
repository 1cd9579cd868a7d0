#pragma once
// Blocking TCP helpers with a deadline, for the controller's own small requests (monitor polling,
// doctor checks). Thread-safe (no shared state).
#include <chrono>
#include <string>

namespace wsload::controller {

// Milliseconds until `deadline` for poll(), never negative.
int remaining_ms(std::chrono::steady_clock::time_point deadline);

// A connected non-blocking socket to the first address of host:port that answers before
// `deadline`, or -1 with *error set ("cannot resolve HOST: ..." or "cannot connect: REASON").
int tcp_connect(const std::string& host, const std::string& port,
                std::chrono::steady_clock::time_point deadline, std::string* error);

}  // namespace wsload::controller
