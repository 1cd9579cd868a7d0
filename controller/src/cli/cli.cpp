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
#include "net/http_server.hpp"
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

// `wsload run` flags as typed by the user; finish_run turns them into a RunRequest.
struct RunFlags {
  RunRequest run;
  std::string url, token, connections_text, ramp_up, hold, interval, agent_ca, cooldown;
  std::string live_interval = "5s", agent_wait = "30s", on_loss = "abort", metrics_linger = "0s";
  std::string web_linger = "0s";
};

// HOST:PORT of a server the controller runs (--metrics-listen, --web).
struct ListenValidator : CLI::Validator {
  ListenValidator() {
    func_ = [](const std::string& text) {
      std::string error;
      return parse_listen_address(text, &error) ? std::string() : error;
    };
  }
};

// How long a server keeps serving after the run (--metrics-linger, --web-linger).
struct LingerValidator : CLI::Validator {
  LingerValidator() {
    name_ = "DURATION";
    func_ = [](const std::string& text) {
      const auto d = shared::parse_duration(text);
      if (!d) return "'" + shorten(text) + "' is not a duration (e.g. 250ms, 10s, 2m)";
      return *d <= kMaxMetricsLinger ? std::string() : std::string("at most 1h");
    };
  }
};

CLI::App* add_run_command(CLI::App& app, RunFlags& f, std::string* log_level) {
  const DurationValidator duration;
  auto* cmd = app.add_subcommand("run", "run a scenario (preset name or YAML file)");
  cmd->add_option("scenario", f.run.scenario, "preset name or scenario file")
      ->capture_default_str();
  cmd->add_option("--url", f.url, "target URL, ws:// or wss:// [WS_URL]");
  cmd->add_option("--token", f.token, "bearer token for every connection [AUTH_TOKEN]");
  cmd->add_option("--connections", f.connections_text, "connections [MAX_CONNECTIONS]")
      ->check(ConnectionsValidator());
  cmd->add_option("--ramp-up", f.ramp_up, "ramp-up duration")->check(duration);
  cmd->add_option("--duration", f.hold, "hold time after ramp-up [TEST_DURATION, ms]")
      ->check(duration);
  cmd->add_option("--message-interval", f.interval,
                  "per-connection message interval [MESSAGE_FREQUENCY, ms]")
      ->check(duration);
  cmd->add_option("--agents", f.run.options.agents_spec,
                  "host:port[@weight],... or dns:///name:port")
      ->check(AgentsValidator());
  cmd->add_option("--local-agents", f.run.options.local_agents, "local agent processes to spawn")
      ->check(CLI::Range(1u, 64u));
  cmd->add_option("--expect-agents", f.run.options.expect_agents,
                  "wait until this many agents answer");
  cmd->add_option("--agent-wait", f.agent_wait, "how long to wait for --expect-agents")
      ->check(duration);
  cmd->add_option("--agent-token", f.run.options.agent_token,
                  "shared secret for the agents [WSLOAD_AGENT_TOKEN]");
  cmd->add_option(
      "--agent-ca", f.agent_ca,
      "PEM CA that signed the agents' certificates: TLS on the control channel [WSLOAD_AGENT_CA]");
  cmd->add_flag("--spawn-target", f.run.options.spawn_target,
                "start a local wsload-target and test it");
  cmd->add_option("--threshold", f.run.threshold_texts,
                  "extra threshold, e.g. 'latency.p99 < 20ms'");
  cmd->add_option("--json", f.run.options.json_path, "write the JSON report here");
  cmd->add_option("--junit", f.run.options.junit_path, "write a JUnit XML report here");
  cmd->add_option("--html", f.run.options.html_path, "write an HTML report here");
  cmd->add_option("--live-interval", f.live_interval, "live view interval")
      ->check(duration)
      ->capture_default_str();
  cmd->add_option("--metrics-listen", f.run.options.metrics_listen,
                  "serve the merged live metrics in Prometheus format at http://ADDR/metrics")
      ->check(ListenValidator())
      ->type_name("HOST:PORT");
  cmd->add_option("--metrics-linger", f.metrics_linger,
                  "after the run, keep serving the final metrics this long (at most 1h; "
                  "an interrupt ends it)")
      ->check(LingerValidator())
      ->capture_default_str();
  cmd->add_option("--web", f.run.options.web_listen,
                  "live dashboard in the browser at http://ADDR/ (JSON at /api/live; "
                  "127.0.0.1:0 picks a port)")
      ->check(ListenValidator())
      ->type_name("HOST:PORT");
  cmd->add_option("--web-linger", f.web_linger,
                  "after the run, keep serving the dashboard with the final report this long "
                  "(at most 1h; an interrupt ends it)")
      ->check(LingerValidator())
      ->capture_default_str();
  cmd->add_option("--on-agent-loss", f.on_loss, "abort or continue")
      ->check(CLI::IsMember({"abort", "continue"}))
      ->capture_default_str();
  cmd->add_option("--cooldown", f.cooldown,
                  "pause between the stages of a progressive run (default: the file's)")
      ->check(duration);
  cmd->add_flag(
      "--allow-partial", f.run.options.allow_partial,
      "a run that lost an agent (PARTIAL) exits 0 when its thresholds pass (default: exit 1)");
  cmd->add_option("--log-level", *log_level, "trace, debug, info, warn, error [LOG_LEVEL]");
  cmd->add_flag("-q,--quiet", f.run.options.quiet, "print only the final summary");

  return cmd;
}

int finish_run(RunFlags& f) {
  auto& run = f.run;
  if (!f.url.empty()) run.overrides.url = f.url;
  if (!f.token.empty()) run.overrides.token = f.token;
  if (!f.connections_text.empty()) run.overrides.connections = std::stoull(f.connections_text);
  if (!f.ramp_up.empty()) run.overrides.ramp_up = duration_of(f.ramp_up);
  if (!f.hold.empty()) run.overrides.hold = duration_of(f.hold);
  if (!f.interval.empty()) run.overrides.message_interval = duration_of(f.interval);
  if (!f.cooldown.empty()) run.options.cooldown = duration_of(f.cooldown);
  run.options.live_interval = duration_of(f.live_interval);
  run.options.agent_wait = duration_of(f.agent_wait);
  run.options.metrics_linger = duration_of(f.metrics_linger);
  run.options.web_linger = duration_of(f.web_linger);
  run.options.on_agent_loss =
      f.on_loss == "continue" ? AgentLossPolicy::kContinue : AgentLossPolicy::kAbort;
  if (run.options.agent_token.empty()) {
    if (const char* t = std::getenv("WSLOAD_AGENT_TOKEN")) run.options.agent_token = t;
  }
  if (!read_agent_ca(f.agent_ca, &run.options.agent_ca_pem)) return kExitUsage;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return run_command(std::move(run), g_interrupts);
}

// The other subcommands' flags.
struct OtherFlags {
  ValidateRequest validate;
  std::string connections_text, ramp_up, hold, interval;  // validate's overrides, as typed
  TokenRequest token;
  DoctorRequest doctor;
  std::string doctor_agent_ca;
  ReportRequest report;
};

struct Subcommands {
  CLI::App *validate, *token, *presets, *doctor, *report;
};

Subcommands add_other_commands(CLI::App& app, OtherFlags& f) {
  const DurationValidator duration;
  auto& validate = f.validate;
  auto& token_request = f.token;
  auto& doctor_request = f.doctor;
  auto& doctor_agent_ca = f.doctor_agent_ca;
  auto& report_request = f.report;
  auto* validate_cmd =
      app.add_subcommand("validate", "check a scenario and print the per-agent plan");
  validate_cmd->add_option("scenario", validate.scenario, "preset name or scenario file")
      ->required();
  validate_cmd->add_option("--agents", validate.agents_spec, "host:port[@weight],...")
      ->check(AgentsValidator());
  validate_cmd->add_option("--local-agents", validate.local_agents, "local agents to plan for")
      ->check(CLI::Range(1u, 64u));
  // The figures as run would scale them (scenario::apply_overrides).
  validate_cmd->add_option("--connections", f.connections_text, "connections [MAX_CONNECTIONS]")
      ->check(ConnectionsValidator());
  validate_cmd->add_option("--ramp-up", f.ramp_up, "ramp-up duration")->check(duration);
  validate_cmd->add_option("--duration", f.hold, "hold time [TEST_DURATION, ms]")->check(duration);
  validate_cmd
      ->add_option("--message-interval", f.interval,
                   "per-connection message interval [MESSAGE_FREQUENCY, ms]")
      ->check(duration);

  auto* token_cmd = app.add_subcommand("token", "print one HS256 JWT");
  token_cmd->add_option("--secret", token_request.secret, "HMAC secret [JWT_SECRET]");
  token_cmd->add_option("--subject", token_request.subject, "sub claim")->capture_default_str();
  token_cmd->add_option("--ttl", token_request.ttl, "validity")
      ->check(duration)
      ->capture_default_str();
  token_cmd->add_option("--claim", token_request.claims, "extra claim k=v (repeatable)");

  auto* presets_cmd = app.add_subcommand("presets", "list the built-in scenarios");

  auto* doctor_cmd = app.add_subcommand("doctor", "run the pre-test checklist");
  doctor_cmd->add_option("scenario", doctor_request.scenario, "preset name or scenario file")
      ->capture_default_str();
  doctor_cmd->add_option("--agents", doctor_request.agents_spec,
                         "host:port[@weight],... or dns:///name:port");
  doctor_cmd->add_option("--url", doctor_request.url, "target URL [WS_URL]");
  doctor_cmd->add_option("--token", doctor_request.token, "bearer token [AUTH_TOKEN]");
  doctor_cmd->add_option("--agent-token", doctor_request.agent_token,
                         "shared secret for the agents [WSLOAD_AGENT_TOKEN]");
  doctor_cmd->add_option(
      "--agent-ca", doctor_agent_ca,
      "PEM CA that signed the agents' certificates: TLS on the control channel [WSLOAD_AGENT_CA]");

  auto* report_cmd = app.add_subcommand("report", "re-render a saved JSON report");
  report_cmd->add_option("file", report_request.json_path, "report written by run --json")
      ->required();
  report_cmd->add_option("--html", report_request.html_path, "write an HTML report here");
  report_cmd->add_option("--junit", report_request.junit_path, "write a JUnit XML report here");

  return {validate_cmd, token_cmd, presets_cmd, doctor_cmd, report_cmd};
}

int run_other(const Subcommands& c, OtherFlags& f) {
  if (*c.validate) {
    auto& o = f.validate.overrides;
    if (!f.connections_text.empty()) o.connections = std::stoull(f.connections_text);
    if (!f.ramp_up.empty()) o.ramp_up = duration_of(f.ramp_up);
    if (!f.hold.empty()) o.hold = duration_of(f.hold);
    if (!f.interval.empty()) o.message_interval = duration_of(f.interval);
    return validate_command(f.validate);
  }
  if (*c.token) return token_command(f.token);
  if (*c.presets) return presets_command();
  if (*c.report) return report_command(f.report);
  if (*c.doctor) {
    if (f.doctor.agent_token.empty()) {
      if (const char* t = std::getenv("WSLOAD_AGENT_TOKEN")) f.doctor.agent_token = t;
    }
    if (!read_agent_ca(f.doctor_agent_ca, &f.doctor.agent_ca_pem)) return kExitUsage;
    return doctor_command(f.doctor);
  }
  return kExitUsage;
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
  RunFlags run;
  std::string log_level;
  auto* run_cmd = add_run_command(app, run, &log_level);
  OtherFlags other;
  const auto commands = add_other_commands(app, other);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (!log_level.empty()) spdlog::set_level(spdlog::level::from_str(log_level));
  try {
    return *run_cmd ? finish_run(run) : run_other(commands, other);
  } catch (const std::exception& e) {
    std::cerr << "wsload: " << e.what() << "\n";
    return kExitIncomplete;
  }
}

}  // namespace wsload::controller
