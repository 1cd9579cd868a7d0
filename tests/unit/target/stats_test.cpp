#include "wsload/target/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace wsload::target {
namespace {

TEST(RenderMetrics, EverySampleBelongsToAnAnnouncedFamily) {
  StatsSnapshot s;
  s.connections_open = 7;
  s.rejected_429 = 3;
  std::string text = render_metrics(s);
  EXPECT_NE(text.find("wsload_target_connections_open 7\n"), std::string::npos);
  EXPECT_NE(text.find("wsload_target_rejected_total{status=\"429\"} 3\n"), std::string::npos);
  // Each sample line's metric name was declared by a preceding TYPE line.
  std::string declared;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "text must end with a newline";
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      declared = line.substr(7, line.find(' ', 7) - 7);
    } else if (line.rfind("# HELP ", 0) != 0) {
      std::string name = line.substr(0, line.find_first_of("{ "));
      EXPECT_EQ(name, declared) << line;
    }
  }
}

TEST(RenderStats, CountsOversizeRequestsAndDrops) {
  StatsSnapshot s;
  s.rejected_431 = 4;
  s.rejected_413 = 5;
  s.nats_dropped = 6;
  s.broadcasts_dropped = 7;
  const std::string json = render_stats_json(s);
  for (const char* field : {"\"rejected_431\":4", "\"rejected_413\":5", "\"nats_dropped\":6",
                            "\"broadcasts_dropped\":7"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
  }
  const std::string text = render_metrics(s);
  for (const char* sample :
       {"wsload_target_rejected_total{status=\"431\"} 4\n",
        "wsload_target_rejected_total{status=\"413\"} 5\n", "wsload_target_nats_dropped_total 6\n",
        "wsload_target_broadcasts_dropped_total 7\n"}) {
    EXPECT_NE(text.find(sample), std::string::npos) << sample << " in " << text;
  }
}

TEST(RenderStats, HasTheSpecFields) {
  StatsSnapshot s;
  s.connections_open = 1;
  s.connections_total = 2;
  s.connections_closed = 1;
  s.connections_peak = 2;
  s.messages_in = 3;
  s.messages_out = 4;
  s.broadcasts = 5;
  s.drops = 6;
  s.uptime_s = 1.5;
  std::string json = render_stats_json(s);
  for (const char* field :
       {"\"connections_open\":1", "\"connections_total\":2", "\"connections_closed\":1",
        "\"connections_peak\":2", "\"messages_in\":3", "\"messages_out\":4", "\"broadcasts\":5",
        "\"drops\":6", "\"rejected_401\":0", "\"rejected_429\":0", "\"rejected_503\":0",
        "\"uptime_s\":1.500"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
  }
  EXPECT_EQ(render_health_json(s), "{\"status\":\"ok\",\"uptime_s\":1.500,\"connections\":1}");
}

TEST(RenderStats, SessionCountersInStatsAndMetrics) {
  StatsSnapshot s;
  s.subscribes = 10;
  s.unsubscribes = 9;
  s.unsubscribes_unknown = 2;
  s.publishes = 8;
  s.session_message_errors = 3;
  s.subscriptions_open = 4;
  s.distinct_subjects = 5;
  s.distinct_subjects_overflow = 6;
  const std::string json = render_stats_json(s);
  for (const char* field :
       {"\"subscribes\":10,", "\"unsubscribes\":9,", "\"unsubscribes_unknown\":2,",
        "\"publishes\":8,", "\"session_message_errors\":3,", "\"subscriptions_open\":4,",
        "\"distinct_subjects\":5,", "\"distinct_subjects_overflow\":6,"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
  }
  const std::string text = render_metrics(s);
  for (const char* line :
       {"# TYPE wsload_target_subscribes_total counter\n", "\nwsload_target_subscribes_total 10\n",
        "\nwsload_target_unsubscribes_total 9\n", "\nwsload_target_unsubscribes_unknown_total 2\n",
        "\nwsload_target_publishes_total 8\n", "\nwsload_target_session_message_errors_total 3\n",
        "# TYPE wsload_target_subscriptions_open gauge\n", "\nwsload_target_subscriptions_open 4\n",
        "# TYPE wsload_target_distinct_subjects gauge\n", "\nwsload_target_distinct_subjects 5\n",
        "\nwsload_target_distinct_subjects_overflow_total 6\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " in " << text;
  }
}

}  // namespace
}  // namespace wsload::target
