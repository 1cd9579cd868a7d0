#pragma once
// Per-agent notices folded so that a run over 60 agents stays readable: the first agent lost for
// a reason is told in full at once; more agents lost for the same reason (the reason with the
// agent's address left out) are held and told as one line when the live view flushes. Pure; the
// live view prints what it returns.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wsload::controller {

// "a, b, c, +7 more": the first `shown` names, then how many are left out.
std::string agent_list(const std::vector<std::string>& names, size_t shown = 3);

// One warning line for the agents whose clocks differ from this host's by more than the start can
// hide in their logs (`worst_us` the largest offset, signed); "" for none.
std::string clock_warning(const std::vector<std::string>& agents, int64_t worst_us);

class AgentLossNotices {
 public:
  // Agent `agent` (holding `share` connections) was lost for `reason`. Returns the line to print
  // now, or nullopt when an agent lost for the same reason was told since the last flush (this one
  // is held for it).
  std::optional<std::string> lost(const std::string& agent, const std::string& reason,
                                  uint64_t share);
  // One line per reason with held agents ("3 more agents lost: <reason> (a, b, c; their 30
  // connections' metrics up to now are kept)"); afterwards every reason is told in full again.
  std::vector<std::string> flush();

 private:
  struct Fold {
    std::string reason;  // with the first agent's address replaced by "<agent>"
    std::vector<std::string> held;
    uint64_t held_share = 0;
  };
  std::vector<Fold> folds_;
};

}  // namespace wsload::controller
