// The `data` section (SPEC §3a): CSV feeders next to the scenario file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "v2_test_support.hpp"
#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers
using namespace testing;

namespace {

namespace fs = std::filesystem;

const std::string kHead = "load: { connections: 10 }\n";

// A fresh directory under the system's temporary one, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("wsload-data-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(ScenarioData, RelativeFilesResolveNextToTheScenario) {
  const Scenario s =
      load_v2(kHead + "data:\n  users: { file: users.csv }\n  q: { file: quoted_crlf.csv }\n");
  ASSERT_EQ(s.data.size(), 2u);
  EXPECT_EQ(s.data[0].name, "users");
  EXPECT_EQ(s.data[0].row_count, 3u);
  const DataFeeder& q = s.data[1];
  EXPECT_EQ(q.name, "q");
  EXPECT_EQ(q.file, "quoted_crlf.csv");
  EXPECT_EQ(q.columns, (std::vector<std::string>{"user", "token"}));
  ASSERT_EQ(q.rows.size(), 2u);
  EXPECT_EQ(q.rows[0].index, 0u);
  EXPECT_EQ(q.rows[0].values, (std::vector<std::string>{"alice", "tok-a"}));
  EXPECT_EQ(q.rows[1].index, 1u);
  EXPECT_EQ(q.rows[1].values, (std::vector<std::string>{"bob \"the builder\"", "tok,b\r\nline2"}));
}

TEST(ScenarioData, AbsolutePathsAreUsedAsGiven) {
  TempDir dir;
  const fs::path csv = dir.path() / "abs.csv";
  std::ofstream(csv) << "n\n1\n2\n";
  const Scenario s = load_v2(kHead + "data: { nums: { file: '" + csv.string() + "' } }\n");
  ASSERT_EQ(s.data.size(), 1u);
  EXPECT_EQ(s.data[0].row_count, 2u);
  EXPECT_EQ(s.data[0].file, csv.string());
}

TEST(ScenarioData, AMissingFileIsReportedAtItsName) {
  const std::string yaml = kHead + "data:\n  users: { file: nope.csv }\n";
  expect_problem(yaml, 3, column_of(yaml, 3, "nope.csv"),
                 "data.users.file: '" + kV2Dir + "nope.csv': no such file");
  expect_problem(kHead + "data:\n  users: { file: . }\n", 3, 18, "': not a regular file");
}

TEST(ScenarioData, MalformedCsvIsReportedAtItsOwnLine) {
  const std::string short_row = kHead + "data:\n  users: { file: short_row.csv }\n";
  expect_problem(short_row, 3, 1, "data.users: row has 1 field(s), the header 2",
                 kV2Dir + "short_row.csv");
  const std::string header_only = kHead + "data:\n  users: { file: header_only.csv }\n";
  expect_problem(header_only, 1, 1, "data.users: the header is not followed by any data row",
                 kV2Dir + "header_only.csv");
}

TEST(ScenarioData, AnUnreadableFeederDoesNotCascadeIntoItsReferences) {
  const std::string yaml = kHead +
                           "data:\n  users: { file: short_row.csv }\n"
                           "messages: { template: '{{data.users.token}}' }\n";
  const LoadResult r = parse_scenario_text(yaml, kInline, env_of());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].file, kV2Dir + "short_row.csv");
}

TEST(ScenarioData, FilesAbove256MiBAreRefused) {
  TempDir dir;
  const fs::path big = dir.path() / "big.csv";
  std::ofstream(big) << "a\n1\n";
  fs::resize_file(big, (uintmax_t{256} << 20) + 1);  // sparse: no disk used
  const std::string yaml = kHead + "data:\n  big: { file: '" + big.string() + "' }\n";
  expect_problem(yaml, 3, column_of(yaml, 3, "'/"),
                 "': 256 MiB; a data file may hold at most 256 MiB");
}

TEST(ScenarioData, SectionShape) {
  expect_problem(kHead + "data: [ users.csv ]\n", 2, 7,
                 "data: expected a mapping of feeder names to { file: NAME.csv }, got a list");
  expect_problem(kHead + "data:\n  users: {}\n", 3, 10, "data.users.file: is required");
  expect_problem(kHead + "data:\n  users: { file: users.csv, sep: ';' }\n", 3, 29,
                 "data.users: unknown key 'sep'");
  expect_problem(kHead + "data:\n  us.ers: { file: users.csv }\n", 3, 3,
                 "data.us.ers: 'us.ers' is not a valid name");
  expect_problem(kHead + "data:\n  users: { file: users.csv }\n  users: { file: users.csv }\n", 4,
                 3, "data: duplicate feeder 'users'");
}

}  // namespace
}  // namespace wsload::scenario
