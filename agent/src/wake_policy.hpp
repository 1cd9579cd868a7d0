#pragma once
// When a worker thread wakes up for its next deadline (a send, a request timeout, a connect or
// close bound) and whether it polls until then. Pure: no clock is read here, callers pass instants
// in. Not thread-safe (one per worker thread).
//
// A thread woken by a timer runs some time after the timer's instant (about 0.1 ms on an idle VM),
// and every latency is measured from the scheduled instant. So for a send or a request timeout
// the worker ends its wait kPrewake early and polls, handling I/O within kPollSlice, until the
// instant; one too close to sleep for is polled for from now on. A timeout deadline is armed only
// while a request is in flight (a reply disarms it), so it costs no wake-up of its own when the
// replies come; a reply that arrives while the thread sleeps is handled when it wakes it (that
// delay is in latency_service). Connect, backoff and close bounds need no such precision: the
// wait ends at the instant and the thread sleeps until then. Polling is limited to kSpinBudget
// of CPU per second (2% of a core); beyond it the worker sleeps until the instant itself. A longer
// prewake does not help on a busy machine: a thread that spins uses up its scheduler credit and
// is preempted just before the instant instead (measured on this 2-core VM with two CPU-bound
// neighbours). So when the machine has no core to spare (asked once per budget second, see
// cpu_headroom.hpp) the budget of that second is zero: 56 agents on 2 cores each spinning 2% spent
// a whole core on watching the clock (bench/scale.sh, perf: clock_gettime 10% of all samples).
#include <chrono>
#include <functional>
#include <utility>

#include "schedule.hpp"

namespace wsload::agent {

// Smallest spacing of a worker's deadline wake-ups: under load, deadlines due within this gap are
// handled in one wake-up (a send then waits at most this long, well under kScheduleSlack).
inline constexpr std::chrono::microseconds kMinTickGap{250};
inline constexpr std::chrono::microseconds kPrewake{150};
// A wait shorter than kPrewake + kMinSleep is polled through instead of slept.
inline constexpr std::chrono::microseconds kMinSleep{150};
inline constexpr std::chrono::milliseconds kSpinBudget{20};
// While polling, the worker looks at its sockets (one wait without timeout) once per this much
// time and watches the clock alone in between; a poll that reaches its tick runs it and leaves
// the look to the wait after it. So I/O that arrives meanwhile is handled at most this late (plus
// the tick's sends), no later than a sleeping thread would wake for it, and a poll of up to
// kPrewake costs no system call. A look per round instead cost ~30 calls per message at 1,000
// msg/s; one per 50 µs, 0.35 (4.21 per message where 4 are the floor: wait, send, wait, read;
// bench/agent_syscalls_bench.sh measures 3.87 now: ticks merge sends within kMinTickGap).
inline constexpr std::chrono::microseconds kPollSlice{kPrewake};

class WakePolicy {
 public:
  // `machine_busy` is asked when a budget second begins; true makes that second's budget zero.
  // Empty: never busy.
  explicit WakePolicy(std::function<bool()> machine_busy = {})
      : machine_busy_(std::move(machine_busy)) {}

  struct Plan {
    TimePoint tick;  // when due deadlines are handled: max(deadline, last tick + kMinTickGap)
    // When the timer fires: tick - kPrewake; `now` to poll from now on; tick itself when the
    // deadline is not precise, the tick is due already or this second's polling budget is spent.
    TimePoint fire;
  };

  // The wake-up for a deadline at `at`, planned at `now`; the previous tick ran at `last_tick`.
  // `precise`: polled for as above (sends, timeouts); otherwise the timer fires at the tick.
  Plan plan(TimePoint now, TimePoint at, TimePoint last_tick, bool precise);
  // The thread polled from `from` to `to`: charged to the current budget second.
  void charge_poll(TimePoint from, TimePoint to);
  // A timer planned to fire at `planned` ran at `ran`: more than kPrewake late, the thread is
  // waiting for a core (polling would not have kept the instant either), so the rest of this
  // budget second sleeps to the instants. Reacts within one wake-up, where the load lags.
  void note_wake(TimePoint planned, TimePoint ran);
  // Polling charged to the current budget second.
  std::chrono::nanoseconds spent() const { return spent_; }

 private:
  bool may_poll(TimePoint now);

  std::function<bool()> machine_busy_;
  TimePoint budget_second_{};
  std::chrono::nanoseconds spent_{0};
  std::chrono::nanoseconds budget_{kSpinBudget};
};

}  // namespace wsload::agent
