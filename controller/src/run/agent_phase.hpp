#pragma once
// Where one agent is while a stage runs, and the one function that changes it. Pure.
//
//   kRunning --final report--> kFinished --stream ended--> kEnded
//   kRunning --stream ended / silent / undecodable / no final in time--> kLost
// kLost and kEnded are terminal; a loss signalled after the final report changes nothing (the
// agent's figures are complete).
#include <string_view>

namespace wsload::controller {

enum class AgentPhase { kRunning, kFinished, kLost, kEnded };

enum class AgentInput {
  kFinalReport,  // the agent's last report: nothing is recorded after it
  kStreamEnded,  // its session stream closed (or broke)
  kLost,         // the controller gave it up: silent, undecodable, no final report in time
};

constexpr AgentPhase next_phase(AgentPhase phase, AgentInput input) {
  switch (phase) {
    case AgentPhase::kRunning:
      return input == AgentInput::kFinalReport ? AgentPhase::kFinished : AgentPhase::kLost;
    case AgentPhase::kFinished:
      return input == AgentInput::kStreamEnded ? AgentPhase::kEnded : AgentPhase::kFinished;
    case AgentPhase::kLost:
    case AgentPhase::kEnded:
      return phase;
  }
  return phase;
}

// "running", "finished", "lost", "ended" (the live dashboard's agent states).
constexpr std::string_view agent_phase_name(AgentPhase phase) {
  switch (phase) {
    case AgentPhase::kRunning:
      return "running";
    case AgentPhase::kFinished:
      return "finished";
    case AgentPhase::kLost:
      return "lost";
    case AgentPhase::kEnded:
      return "ended";
  }
  return "unknown";
}

}  // namespace wsload::controller
