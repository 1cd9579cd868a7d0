#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cluster/local_cluster.hpp"
#include "report/load_shape.hpp"
#include "run/coordinator.hpp"
#include "run/metrics_server.hpp"
#include "web/web_dashboard.hpp"
#include "wsload/controller/endpoints.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::controller {
namespace {

using Clock = std::chrono::steady_clock;

// The scenario's target and every group's (scenario::retarget's url rule: a group url following
// the scenario's, or relative to it, follows the spawned server) speak to the spawned server with
// its secret: per-connection JWTs are signed with it, other connections get one token.
void point_at_target(shared::ScenarioPlan& plan, const SpawnedTarget& target) {
  const int64_t now = shared::unix_s_now();
  const std::string token =
      shared::jwt_make_token(target.secret(), "wsload", now, int64_t{24} * 3600);
  const auto authorize = [&](shared::TargetSpec& spec) {
    spec.tls = {};
    if (spec.auth.jwt) {
      spec.auth.jwt->secret = target.secret();
    } else {
      spec.auth.token = token;
    }
  };
  for (auto& stage : plan.stages) {
    scenario::retarget(stage, target.url());
    authorize(stage.target);
    for (auto& group : stage.groups) authorize(group.target);
    // The spawned server's own view sits next to the client's in the live view and the report.
    if (!stage.monitor)
      stage.monitor = shared::MonitorSpec{target.stats_url(), std::chrono::seconds(1)};
  }
}

std::vector<AgentEndpoint> find_agents(const RunOptions& options, std::ostream& out) {
  std::string error;
  auto parsed = parse_agents(options.agents_spec, &error);
  if (!parsed) throw RunFailure("--agents: " + error);
  const auto deadline = Clock::now() + options.agent_wait;
  for (;;) {
    auto resolved = resolve_endpoints(*parsed);
    const size_t wanted = options.expect_agents > 0 ? options.expect_agents : 1;
    if (resolved.size() >= wanted) return resolved;
    if (Clock::now() >= deadline) {
      throw RunFailure(
          fmt::format("found {} of the {} expected agents in '{}' within the agent wait",
                      resolved.size(), wanted, options.agents_spec));
    }
    out << fmt::format("waiting for agents: {} of {} found\n", resolved.size(), wanted)
        << std::flush;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw RunFailure("cannot write " + path);
}

void sleep_interruptible(std::chrono::nanoseconds d, const std::atomic<int>& interrupts) {
  const auto end = Clock::now() + d;
  while (Clock::now() < end && interrupts.load() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// The most connections a stage has open at once (an arrival model opens more over its run).
uint64_t most_connections(const shared::ScenarioPlan& plan) {
  uint64_t most = 0;
  for (const auto& s : plan.stages) most = std::max(most, shared::LoadPlan(s.load).peak());
  return most;
}

// Whether any stage's target is on this machine (its sockets and memory are then ours too).
bool targets_loopback(const shared::ScenarioPlan& plan) {
  for (const auto& s : plan.stages) {
    const auto& url = s.target.url;
    const auto start = url.find("://");
    const auto host = url.substr(start == std::string::npos ? 0 : start + 3, 9);
    if (host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]"))
      return true;
  }
  return false;
}

// Report paths must be writable before anything runs: a run whose report cannot be saved is wasted.
bool report_paths_ok(const RunOptions& options) {
  bool ok = true;
  for (const auto& [flag, path] :
       {std::pair{"--json", options.json_path}, std::pair{"--junit", options.junit_path},
        std::pair{"--html", options.html_path}}) {
    if (path.empty()) continue;
    const auto parent = std::filesystem::absolute(path).parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(parent, ec) || access(parent.c_str(), W_OK) != 0) {
      std::cerr << "wsload: " << flag << " " << path << ": directory " << parent.string()
                << " does not exist or is not writable\n";
      ok = false;
    }
  }
  return ok;
}

// The --json, --junit and --html files; false (message printed) when one cannot be written.
bool write_reports(const RunReport& report, const RunOptions& options, std::ostream& out) {
  try {
    if (!options.json_path.empty()) {
      write_file(options.json_path, report_to_json(report).dump(2) + "\n");
      out << "JSON report: " << options.json_path << "\n";
    }
    if (!options.junit_path.empty()) {
      write_file(options.junit_path, report_to_junit(report));
      out << "JUnit report: " << options.junit_path << "\n";
    }
    if (!options.html_path.empty()) {
      write_file(options.html_path, report_to_html(report));
      out << "HTML report: " << options.html_path << "\n";
    }
  } catch (const RunFailure& e) {
    std::cerr << "wsload: " << e.what() << "\n";
    return false;
  }
  return true;
}

// --metrics-linger and --web-linger: the final figures stay served for the longer of the two that
// applies, or until the next interrupt.
void linger_servers(const MetricsServer* metrics, const WebDashboard* web,
                    const RunOptions& options, const std::atomic<int>& interrupts,
                    std::ostream& out) {
  auto linger = std::chrono::nanoseconds::zero();
  if (metrics != nullptr && options.metrics_linger > linger) {
    linger = options.metrics_linger;
    out << fmt::format("metrics stay at http://{}/metrics for {}\n", metrics->address(),
                       shared::format_duration(options.metrics_linger));
  }
  if (web != nullptr && options.web_linger > std::chrono::nanoseconds::zero()) {
    linger = std::max(linger, options.web_linger);
    out << fmt::format("the dashboard stays at {} for {}\n", web->url(),
                       shared::format_duration(options.web_linger));
  }
  if (linger <= std::chrono::nanoseconds::zero()) return;
  out << std::flush;
  const int seen = interrupts.load();
  const auto end = Clock::now() + linger;
  while (Clock::now() < end && interrupts.load() == seen)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

struct StageContext {
  const RunOptions& options;
  const std::vector<AgentEndpoint>& endpoints;
  LiveView& live;
  const std::atomic<int>& interrupts;
  MetricsServer* metrics;  // --metrics-listen; may be null
  WebDashboard* web;       // --web; may be null
};

// Runs the plan's stages in order, with the cooldown between them, until one is aborted or
// interrupted. A later stage that cannot start is recorded as that stage, aborted (never blamed on
// the stage before it); when the first cannot start, RunFailure propagates (nothing ran).
void run_stages(const shared::ScenarioPlan& plan, const StageContext& c, RunReport& report) {
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const auto& stage = plan.stages[i];
    if (i > 0 && plan.cooldown.count() > 0) {
      c.live.message(fmt::format("cooldown {} before stage {}",
                                 shared::format_duration(plan.cooldown), stage.name));
      sleep_interruptible(plan.cooldown, c.interrupts);
    }
    if (c.interrupts.load() > 0) break;
    c.live.message(fmt::format("running {}: {} over {} agent(s)", stage.name,
                               describe_load(stage.load), c.endpoints.size()));
    StageResult result;
    try {
      Coordinator coordinator(c.options, c.endpoints, c.live, c.interrupts);
      if (c.metrics) coordinator.add_publisher(c.metrics);
      if (c.web) {
        c.web->begin_stage(stage.name, i, plan.stages.size());
        coordinator.add_publisher(c.web);
      }
      result = coordinator.run(stage);
      evaluate_thresholds(result);
    } catch (const RunFailure& e) {
      if (report.stages.empty()) throw;  // nothing ran at all: no report, exit 3
      std::cerr << "wsload: stage " << stage.name << " could not complete: " << e.what() << "\n";
      result = StageResult{};
      result.scenario = stage;
      result.aborted = true;
      result.abort_reason = e.what();
    }
    const bool stop_sequence = result.aborted || result.interrupted;
    report.stages.push_back(std::move(result));
    if (stop_sequence) break;
  }
}

// The agents of the run: `local_count` spawned here (kept running by `local`) when --agents is not
// given, else those it names. Sets the report's agents mode.
std::vector<AgentEndpoint> run_agents(RunOptions& options, unsigned local_count,
                                      std::unique_ptr<LocalAgents>& local, RunReport& report,
                                      std::ostream& out) {
  if (!options.agents_spec.empty()) {
    report.agents_mode = options.agents_spec;
    return find_agents(options, out);
  }
  if (options.agent_token.empty()) options.agent_token = random_secret();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  local = std::make_unique<LocalAgents>(local_count, std::max(1u, cores / local_count),
                                        options.agent_token);
  // They listen already, but one refused or reset first connection among many agents starting at
  // once must not fail the run: gRPC retries it within this bound.
  options.agent_connect_wait = kLocalAgentConnectWait;
  report.agents_mode = fmt::format("local ({} processes)", local_count);
  return local->endpoints();
}

}  // namespace

int run_command(RunRequest request, const std::atomic<int>& interrupts) {
  if (!report_paths_ok(request.options)) return kExitUsage;
  std::vector<std::string> notes;
  auto loaded = load_plan(request.scenario, request.overrides, request.threshold_texts, &notes);
  if (!loaded) return kExitUsage;
  auto& plan = *loaded;
  if (request.options.cooldown) plan.cooldown = *request.options.cooldown;
  LocalPlan local_plan;
  if (request.options.agents_spec.empty()) {
    // Refuse what this machine cannot hold before anything is spawned.
    local_plan = plan_local_agents(most_connections(plan), request.options.local_agents,
                                   request.options.spawn_target || targets_loopback(plan),
                                   request.options.spawn_target);
    if (!local_plan.refusal.empty()) {
      std::cerr << "wsload: this machine cannot run the plan: " << local_plan.refusal << "\n";
      return kExitIncomplete;
    }
  }
  auto& out = std::cout;
  LiveView live(out, request.options.quiet, isatty(STDOUT_FILENO) == 1);
  for (const auto& note : notes) live.message(note);

  RunReport report;
  report.name = plan.name;
  report.sequence = plan.is_sequence();
  report.allow_partial = request.options.allow_partial;
  std::unique_ptr<MetricsServer> metrics;  // outlive the reports: --metrics-linger, --web-linger
  std::unique_ptr<WebDashboard> web;
  try {
    if (!request.options.metrics_listen.empty()) {
      metrics = std::make_unique<MetricsServer>(request.options.metrics_listen);
      live.message("live metrics at http://" + metrics->address() + "/metrics");
    }
    if (!request.options.web_listen.empty()) {
      web = std::make_unique<WebDashboard>(request.options.web_listen);
      live.message("live dashboard at " + web->url());
    }
    std::unique_ptr<SpawnedTarget> target;
    if (request.options.spawn_target) {
      target = std::make_unique<SpawnedTarget>();
      point_at_target(plan, *target);
      live.message("spawned wsload-target at " + target->url());
    }
    std::unique_ptr<LocalAgents> local;
    const auto endpoints = run_agents(request.options, local_plan.agents, local, report, out);
    run_stages(plan,
               StageContext{request.options, endpoints, live, interrupts, metrics.get(), web.get()},
               report);
  } catch (const RunFailure& e) {
    // Nothing ran: the agents or the target could not be started or found.
    std::cerr << "wsload: run could not complete: " << e.what() << "\n";
    return kExitIncomplete;
  }
  if (report.stages.empty()) return interrupts.load() > 0 ? kExitInterrupted : kExitIncomplete;
  // A signal that cut a sequence short between stages still makes the run INTERRUPTED.
  if (interrupts.load() > 0 && report.stages.size() < plan.stages.size()) {
    report.stages.back().interrupted = true;
  }
  write_text_summary(out, report);
  const int code =
      write_reports(report, request.options, out) ? report.exit_code() : kExitIncomplete;
  if (web) web->finish(report);
  linger_servers(metrics.get(), web.get(), request.options, interrupts, out);
  return code;
}

}  // namespace wsload::controller
