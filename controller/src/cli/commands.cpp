#include "cli/commands.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/validate_plan.hpp"
#include "cluster/local_cluster.hpp"
#include "wsload/controller/endpoints.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/scenario/presets.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload/shared/load_plan.hpp"
#include "wsload/shared/planner.hpp"

namespace wsload::controller {

bool report_diagnostics(const std::vector<scenario::Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) std::cerr << d.to_string() << "\n";
  if (!diagnostics.empty()) {
    std::cerr << fmt::format("wsload: {} problem(s); nothing was run\n", diagnostics.size());
  }
  return diagnostics.empty();
}

std::optional<shared::ScenarioPlan> load_plan(const std::string& scenario,
                                              scenario::Overrides overrides,
                                              const std::vector<std::string>& threshold_texts,
                                              std::vector<std::string>* notes) {
  const auto env = scenario::process_env();
  auto diagnostics = scenario::fill_from_env(overrides, env);
  for (const auto& text : threshold_texts) {
    std::string error;
    if (auto t = shared::parse_threshold(text, &error)) {
      overrides.extra_thresholds.push_back(*t);
    } else {
      diagnostics.push_back({"--threshold", 0, 0, fmt::format("'{}': {}", text, error)});
    }
  }
  auto loaded = scenario::load_scenario(scenario, env);
  diagnostics.insert(diagnostics.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
  if (!report_diagnostics(diagnostics)) return std::nullopt;
  auto plan = std::move(*loaded.plan);
  auto applied = scenario::apply_overrides(plan, overrides);
  if (!report_diagnostics(applied.refusals)) return std::nullopt;
  if (notes != nullptr) *notes = std::move(applied.notes);
  for (const auto& stage : plan.stages) {
    auto problems = scenario::validate_scenario(stage);
    diagnostics.insert(diagnostics.end(), problems.begin(), problems.end());
  }
  if (!report_diagnostics(diagnostics)) return std::nullopt;
  return plan;
}

int validate_command(const ValidateRequest& request) {
  std::vector<std::string> notes;
  auto loaded_plan = load_plan(request.scenario, request.overrides, {}, &notes);
  if (!loaded_plan) return kExitUsage;
  const auto& plan = *loaded_plan;
  for (const auto& note : notes) std::cout << note << "\n";

  std::vector<AgentEndpoint> agents;
  if (!request.agents_spec.empty()) {
    std::string error;
    auto parsed = parse_agents(request.agents_spec, &error);
    if (!parsed) {
      std::cerr << "wsload: --agents: " << error << "\n";
      return kExitUsage;
    }
    agents = *parsed;
  } else {
    uint64_t most = 0;  // open at once: an arrival model opens more over its run
    for (const auto& s : plan.stages) most = std::max(most, shared::LoadPlan(s.load).peak());
    // The agents and their sockets would live on this machine (the target may not: not counted).
    const auto local = plan_local_agents(most, request.local_agents, false);
    if (!local.refusal.empty()) {
      std::cerr << "wsload: " << plan.name
                << ": valid, but this machine cannot run it with local agents: " << local.refusal
                << "\n";
      return kExitUsage;
    }
    const unsigned count = local.agents;
    for (unsigned i = 0; i < count; ++i)
      agents.push_back({fmt::format("local-agent-{}", i + 1), 1.0});
  }
  std::cout << fmt::format("{}: valid ({} stage(s))\n", plan.name, plan.stages.size());
  for (const auto& s : plan.stages) print_stage_plan(std::cout, s, agents);
  return kExitPassed;
}

int token_command(const TokenRequest& request) {
  std::string secret = request.secret;
  if (secret.empty()) {
    if (const char* env = std::getenv("JWT_SECRET")) secret = env;
  }
  if (secret.empty()) {
    std::cerr << "wsload token: no secret: pass --secret or set JWT_SECRET\n";
    return kExitUsage;
  }
  const auto ttl = shared::parse_duration(request.ttl);
  if (!ttl || ttl->count() <= 0) {
    std::cerr << "wsload token: --ttl '" << request.ttl << "' is not a positive duration\n";
    return kExitUsage;
  }
  const int64_t now = shared::unix_s_now();
  nlohmann::json claims = {
      {"sub", request.subject},
      {"iat", now},
      {"exp", now + std::chrono::duration_cast<std::chrono::seconds>(*ttl).count()}};
  for (const auto& claim : request.claims) {
    const auto eq = claim.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "wsload token: --claim '" << claim << "' is not key=value\n";
      return kExitUsage;
    }
    const auto key = claim.substr(0, eq);
    const auto value = claim.substr(eq + 1);
    int64_t number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec == std::errc() && end == value.data() + value.size()) {
      claims[key] = number;
    } else {
      claims[key] = value;
    }
  }
  std::cout << shared::jwt_sign_hs256(claims, secret) << "\n";
  return kExitPassed;
}

int report_command(const ReportRequest& request) {
  std::ifstream in(request.json_path);
  if (!in) {
    std::cerr << "wsload report: cannot read " << request.json_path << "\n";
    return kExitUsage;
  }
  RunReport report;
  try {
    report = report_from_json(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    std::cerr << "wsload report: " << request.json_path << ": " << e.what() << "\n";
    return kExitUsage;
  }
  write_text_summary(std::cout, report);
  for (const auto& [path, content] :
       {std::pair{request.html_path, std::function([&] { return report_to_html(report); })},
        std::pair{request.junit_path, std::function([&] { return report_to_junit(report); })}}) {
    if (path.empty()) continue;
    std::ofstream out(path, std::ios::binary);
    out << content();
    if (!out) {
      std::cerr << "wsload report: cannot write " << path << "\n";
      return kExitIncomplete;
    }
    std::cout << "wrote " << path << "\n";
  }
  return report.exit_code();  // the verdict of the run the report describes
}

int presets_command() {
  for (const auto& p : scenario::presets())
    std::cout << fmt::format("{:<12} {}\n", p.name, p.summary);
  return kExitPassed;
}

}  // namespace wsload::controller
