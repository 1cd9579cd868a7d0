#include "web/web_dashboard.hpp"

#include <gtest/gtest.h>

#include "net/http_client.hpp"

namespace wsload::controller {
namespace {

using std::chrono::milliseconds;

HttpResponse get(const WebDashboard& web, const std::string& path) {
  const std::string url = web.url();  // http://127.0.0.1:PORT/
  const auto port = url.substr(17, url.size() - 18);
  return http_request(HttpUrl{"127.0.0.1", port, path}, "", milliseconds(2000));
}

TimelinePoint point(double t_s, uint64_t sent) {
  TimelinePoint p;
  p.t_s = t_s;
  p.sent = sent;
  return p;
}

LiveFrame frame_with(const shared::Scenario& s, const shared::PartIndex& parts,
                     const shared::MetricsDelta& d, std::span<const TimelinePoint> points) {
  return {.scenario = s,
          .parts = parts,
          .figures = {.delta = d},
          .agents = {},
          .timeline = points,
          .phase = "hold",
          .target = 0,
          .planned_s = 0,
          .agents_healthy = 0,
          .agents_total = 0,
          .server = nullptr,
          .server_error = ""};
}

TEST(WebDashboard, ServesThePageTheLiveFiguresAndOnlyTheNewPoints) {
  WebDashboard web("127.0.0.1:0");
  auto r = get(web, "/");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.body.find("/api/live"), std::string::npos);
  EXPECT_EQ(r.body.find("src=\"http"), std::string::npos) << "no external resource";
  r = get(web, "/api/live");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["schema"], "wsload.live/v1");
  EXPECT_EQ(j["state"], "starting");

  shared::Scenario s;
  s.name = "dash";
  shared::PartIndex parts;
  shared::MetricsDelta d;
  d.counters.messages_sent = 42;
  std::vector<TimelinePoint> points{point(1, 20), point(2, 22)};
  web.begin_stage("dash", 0, 1);
  web.publish(frame_with(s, parts, d, points));
  j = nlohmann::json::parse(get(web, "/api/live").body);
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["messages"]["sent"], 42);
  EXPECT_EQ(j["timeline_from"], 0);
  ASSERT_EQ(j["timeline"].size(), 2u);
  points.push_back(point(3, 5));
  web.publish(frame_with(s, parts, d, points));
  j = nlohmann::json::parse(get(web, "/api/live?since=2").body);
  EXPECT_EQ(j["timeline_from"], 2);
  EXPECT_EQ(j["timeline_count"], 3);
  ASSERT_EQ(j["timeline"].size(), 1u);
  EXPECT_EQ(j["timeline"][0]["sent"], 5);
  j = nlohmann::json::parse(get(web, "/api/live?since=99").body);
  EXPECT_EQ(j["timeline_from"], 3) << "a client ahead of the server gets the count to resync";
  EXPECT_EQ(get(web, "/report").status, 404) << "no report before the end";

  web.begin_stage("second", 1, 2);
  j = nlohmann::json::parse(get(web, "/api/live?since=3").body);
  EXPECT_EQ(j["run"]["stage_index"], 1);
  EXPECT_EQ(j["timeline_from"], 0) << "a new stage starts its timeline again";
}

TEST(WebDashboard, AfterTheRunServesTheReportAndTheVerdict) {
  WebDashboard web("127.0.0.1:0");
  RunReport report;
  report.name = "done";
  StageResult stage;
  stage.scenario.name = "done";
  report.stages.push_back(stage);
  web.finish(report);
  const auto j = nlohmann::json::parse(get(web, "/api/live").body);
  EXPECT_EQ(j["state"], "finished");
  EXPECT_EQ(j["verdict"], "PASSED");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["report"], "/report");
  const auto html = get(web, "/report");
  EXPECT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("PASSED"), std::string::npos);
  const auto json = get(web, "/report.json");
  EXPECT_EQ(nlohmann::json::parse(json.body)["verdict"], "PASSED");
  EXPECT_EQ(get(web, "/nothing").status, 404);
}

}  // namespace
}  // namespace wsload::controller
