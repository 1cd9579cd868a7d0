#pragma once
// The `wsload` subcommands. Each returns the process exit code (SPEC §2) and writes its messages
// to the given streams.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "wsload/controller/run_options.hpp"
#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::controller {

struct RunRequest {
  std::string scenario = "quick";
  scenario::Overrides overrides;
  std::vector<std::string> threshold_texts;
  RunOptions options;
};

int run_command(RunRequest request, const std::atomic<int>& interrupts);

struct ValidateRequest {
  std::string scenario;
  std::string agents_spec;
  unsigned local_agents = 0;
  scenario::Overrides overrides;  // --connections, --ramp-up, --duration, --message-interval
};
int validate_command(const ValidateRequest& request);

struct TokenRequest {
  std::string secret;
  std::string subject = "wsload";
  std::string ttl = "24h";
  std::vector<std::string> claims;  // k=v
};
int token_command(const TokenRequest& request);

int presets_command();

struct ReportRequest {
  std::string json_path;
  std::string html_path;
  std::string junit_path;
};
// Re-renders a saved JSON report: the text summary on stdout, and --html/--junit files.
// Exits with the code of the report's verdict (0, 1, 3 or 130, as the run did); 2 when the file
// cannot be read or is not a wsload report.
int report_command(const ReportRequest& request);

struct DoctorRequest {
  std::string scenario = "quick";
  std::string agents_spec;
  std::string agent_token;
  std::string agent_ca_pem;  // non-empty: TLS on the control channel, verified with this CA
  std::string url;           // overrides, like run's --url / --token
  std::string token;
};
// The pre-test checklist. Exit 0 when every check passed, 1 when one failed, 2 for a bad scenario.
int doctor_command(const DoctorRequest& request);

// Loads a preset or file, fills the unset overrides from the seed environment variables, adds the
// --threshold texts, applies the overrides and validates every stage. Prints every problem to
// stderr and returns nullopt when there was any (the caller exits 2). `notes` receives how the
// flags scaled the plan's figures (scenario::OverrideOutcome::notes), for the caller to print.
std::optional<shared::ScenarioPlan> load_plan(const std::string& scenario,
                                              scenario::Overrides overrides,
                                              const std::vector<std::string>& threshold_texts = {},
                                              std::vector<std::string>* notes = nullptr);

// Prints every diagnostic to stderr; true when there were none.
bool report_diagnostics(const std::vector<scenario::Diagnostic>& diagnostics);

}  // namespace wsload::controller
