#include "cli/cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "run/metrics_server.hpp"
#include "wsload/controller/endpoints.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/planner.hpp"

namespace wsload::controller {
namespace {

// SIGINT/SIGTERM received so far; set by the signal handler only, read by the run. The one piece
// of process-wide state. The first stops the run gracefully, the second stops waiting for the
// agents (the report is still written), a third leaves at once without a report and says so.
std::atomic<int> g_interrupts{0};

extern "C" void on_signal(int) {
  if (g_interrupts.fetch_add(1) + 1 >= 3) {
    static constexpr char kMessage[] = "\nwsload: third interrupt: exiting now, without a report\n";
    [[maybe_unused]] auto n = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    std::_Exit(kExitInterrupted);
  }
}

// At most 60 characters of a user's input, for messages that quote it.
std::string shorten(const std::string& text) {
  return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

// CLI11 validator for durations written like 250ms, 10s, 2m.
struct DurationValidator : CLI::Validator {
  DurationValidator() {
    name_ = "DURATION";
    func_ = [](const std::string& text) {
      return shared::parse_duration(text)
                 ? std::string()
                 : "'" + shorten(text) + "' is not a duration (e.g. 250ms, 10s, 2m)";
    };
  }
};

// --connections: a whole number from 1 to shared::kMaxConnections, said plainly when it is not.
struct ConnectionsValidator : CLI::Validator {
  ConnectionsValidator() {
    name_ = "CONNECTIONS";
    func_ = [](const std::string& text) -> std::string {
      uint64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
          value > shared::kMaxConnections) {
        return "'" + shorten(text) + "' is not a whole number from 1 to " +
               std::to_string(shared::kMaxConnections);
      }
      return {};
    };
  }
};

// --agents: the list's syntax (host:port[@weight] or dns:///name:port), checked before anything
// runs.
struct AgentsValidator : CLI::Validator {
  AgentsValidator() {
    name_ = "AGENTS";
    func_ = [](const std::string& text) {
      std::string error;
      return parse_agents(text, &error) ? std::string() : error;
    };
  }
};

std::chrono::nanoseconds duration_of(const std::string& text) {
  return *shared::parse_duration(text);
}

// --agent-ca FILE (or WSLOAD_AGENT_CA) into `pem`; false (message printed) when it cannot be read.
bool read_agent_ca(std::string path, std::string* pem) {
  if (path.empty()) {
    if (const char* env = std::getenv("WSLOAD_AGENT_CA")) path = env;
  }
  if (path.empty()) return true;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "wsload: --agent-ca: cannot read " << path << "\n";
    return false;
  }
  pem->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int cli_main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("wsload");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
  if (const char* level = std::getenv("LOG_LEVEL"))
    spdlog::set_level(spdlog::level::from_str(level));

  CLI::App app{"wsload: distributed WebSocket load testing"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("wsload ") + WSLOAD_VERSION);
  const DurationValidator duration;

  RunRequest run;
  std::string ramp_up, hold, interval, live_interval = "5s", agent_wait = "30s", on_loss = "abort",
                                       log_level;
  std::string url, token;
  std::string connections_text;
  auto* run_cmd = app.add_subcommand("run", "run a scenario (preset name or YAML file)");
  run_cmd->add_option("scenario", run.scenario, "preset name or scenario file")
      ->capture_default_str();
  run_cmd->add_option("--url", url, "target URL, ws:// or wss:// [WS_URL]");
  run_cmd->add_option("--token", token, "bearer token for every connection [AUTH_TOKEN]");
  run_cmd->add_option("--connections", connections_text, "connections [MAX_CONNECTIONS]")
      ->check(ConnectionsValidator());
  run_cmd->add_option("--ramp-up", ramp_up, "ramp-up duration")->check(duration);
  run_cmd->add_option("--duration", hold, "hold time after ramp-up [TEST_DURATION, ms]")
      ->check(duration);
  run_cmd
      ->add_option("--message-interval", interval,
                   "per-connection message interval [MESSAGE_FREQUENCY, ms]")
      ->check(duration);
  run_cmd
      ->add_option("--agents", run.options.agents_spec,
                   "host:port[@weight],... or dns:///name:port")
      ->check(AgentsValidator());
  run_cmd->add_option("--local-agents", run.options.local_agents, "local agent processes to spawn")
      ->check(CLI::Range(1u, 64u));
  run_cmd->add_option("--expect-agents", run.options.expect_agents,
                      "wait until this many agents answer");
  run_cmd->add_option("--agent-wait", agent_wait, "how long to wait for --expect-agents")
      ->check(duration);
  run_cmd->add_option("--agent-token", run.options.agent_token,
                      "shared secret for the agents [WSLOAD_AGENT_TOKEN]");
  std::string agent_ca;
  run_cmd->add_option(
      "--agent-ca", agent_ca,
      "PEM CA that signed the agents' certificates: TLS on the control channel [WSLOAD_AGENT_CA]");
  run_cmd->add_flag("--spawn-target", run.options.spawn_target,
                    "start a local wsload-target and test it");
  run_cmd->add_option("--threshold", run.threshold_texts,
                      "extra threshold, e.g. 'latency.p99 < 20ms'");
  run_cmd->add_option("--json", run.options.json_path, "write the JSON report here");
  run_cmd->add_option("--junit", run.options.junit_path, "write a JUnit XML report here");
  run_cmd->add_option("--html", run.options.html_path, "write an HTML report here");
  run_cmd->add_option("--live-interval", live_interval, "live view interval")
      ->check(duration)
      ->capture_default_str();
  run_cmd
      ->add_option("--metrics-listen", run.options.metrics_listen,
                   "serve the merged live metrics in Prometheus format at http://ADDR/metrics")
      ->check(CLI::Validator(
          [](const std::string& text) {
            std::string error;
            return parse_listen_address(text, &error) ? std::string() : error;
          },
          "HOST:PORT"));
  run_cmd->add_option("--on-agent-loss", on_loss, "abort or continue")
      ->check(CLI::IsMember({"abort", "continue"}))
      ->capture_default_str();
  run_cmd->add_flag(
      "--allow-partial", run.options.allow_partial,
      "a run that lost an agent (PARTIAL) exits 0 when its thresholds pass (default: exit 1)");
  run_cmd->add_option("--log-level", log_level, "trace, debug, info, warn, error [LOG_LEVEL]");
  run_cmd->add_flag("-q,--quiet", run.options.quiet, "print only the final summary");

  ValidateRequest validate;
  auto* validate_cmd =
      app.add_subcommand("validate", "check a scenario and print the per-agent plan");
  validate_cmd->add_option("scenario", validate.scenario, "preset name or scenario file")
      ->required();
  validate_cmd->add_option("--agents", validate.agents_spec, "host:port[@weight],...")
      ->check(AgentsValidator());
  validate_cmd->add_option("--local-agents", validate.local_agents, "local agents to plan for")
      ->check(CLI::Range(1u, 64u));

  TokenRequest token_request;
  auto* token_cmd = app.add_subcommand("token", "print one HS256 JWT");
  token_cmd->add_option("--secret", token_request.secret, "HMAC secret [JWT_SECRET]");
  token_cmd->add_option("--subject", token_request.subject, "sub claim")->capture_default_str();
  token_cmd->add_option("--ttl", token_request.ttl, "validity")
      ->check(duration)
      ->capture_default_str();
  token_cmd->add_option("--claim", token_request.claims, "extra claim k=v (repeatable)");

  auto* presets_cmd = app.add_subcommand("presets", "list the built-in scenarios");

  DoctorRequest doctor_request;
  auto* doctor_cmd = app.add_subcommand("doctor", "run the pre-test checklist");
  doctor_cmd->add_option("scenario", doctor_request.scenario, "preset name or scenario file")
      ->capture_default_str();
  doctor_cmd->add_option("--agents", doctor_request.agents_spec,
                         "host:port[@weight],... or dns:///name:port");
  doctor_cmd->add_option("--url", doctor_request.url, "target URL [WS_URL]");
  doctor_cmd->add_option("--token", doctor_request.token, "bearer token [AUTH_TOKEN]");
  doctor_cmd->add_option("--agent-token", doctor_request.agent_token,
                         "shared secret for the agents [WSLOAD_AGENT_TOKEN]");
  std::string doctor_agent_ca;
  doctor_cmd->add_option(
      "--agent-ca", doctor_agent_ca,
      "PEM CA that signed the agents' certificates: TLS on the control channel [WSLOAD_AGENT_CA]");

  ReportRequest report_request;
  auto* report_cmd = app.add_subcommand("report", "re-render a saved JSON report");
  report_cmd->add_option("file", report_request.json_path, "report written by run --json")
      ->required();
  report_cmd->add_option("--html", report_request.html_path, "write an HTML report here");
  report_cmd->add_option("--junit", report_request.junit_path, "write a JUnit XML report here");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (!log_level.empty()) spdlog::set_level(spdlog::level::from_str(log_level));

  try {
    if (*run_cmd) {
      if (!url.empty()) run.overrides.url = url;
      if (!token.empty()) run.overrides.token = token;
      if (!connections_text.empty()) run.overrides.connections = std::stoull(connections_text);
      if (!ramp_up.empty()) run.overrides.ramp_up = duration_of(ramp_up);
      if (!hold.empty()) run.overrides.hold = duration_of(hold);
      if (!interval.empty()) run.overrides.message_interval = duration_of(interval);
      run.options.live_interval = duration_of(live_interval);
      run.options.agent_wait = duration_of(agent_wait);
      run.options.on_agent_loss =
          on_loss == "continue" ? AgentLossPolicy::kContinue : AgentLossPolicy::kAbort;
      if (run.options.agent_token.empty()) {
        if (const char* t = std::getenv("WSLOAD_AGENT_TOKEN")) run.options.agent_token = t;
      }
      if (!read_agent_ca(agent_ca, &run.options.agent_ca_pem)) return kExitUsage;
      struct sigaction action {};
      action.sa_handler = on_signal;
      sigemptyset(&action.sa_mask);
      sigaction(SIGINT, &action, nullptr);
      sigaction(SIGTERM, &action, nullptr);
      return run_command(std::move(run), g_interrupts);
    }
    if (*validate_cmd) return validate_command(validate);
    if (*token_cmd) return token_command(token_request);
    if (*presets_cmd) return presets_command();
    if (*report_cmd) return report_command(report_request);
    if (*doctor_cmd) {
      if (doctor_request.agent_token.empty()) {
        if (const char* t = std::getenv("WSLOAD_AGENT_TOKEN")) doctor_request.agent_token = t;
      }
      if (!read_agent_ca(doctor_agent_ca, &doctor_request.agent_ca_pem)) return kExitUsage;
      return doctor_command(doctor_request);
    }
  } catch (const std::exception& e) {
    std::cerr << "wsload: " << e.what() << "\n";
    return kExitIncomplete;
  }
  return kExitUsage;
}

}  // namespace wsload::controller
