// The `data` section: named feeders, each a CSV file with a header row (SPEC §3a).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "scenario_reader.hpp"
#include "wsload/scenario/csv_table.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

namespace fs = std::filesystem;

// Every row goes to the controller's memory and, split by connection, to the agents.
constexpr uintmax_t kMaxDataFileBytes = uintmax_t{256} << 20;

// The file's text, or "" and *why set.
std::string read_text(const fs::path& path, std::string* why) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    *why = "no such file";
    return {};
  }
  if (!fs::is_regular_file(path, ec)) {
    *why = "not a regular file";
    return {};
  }
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    *why = ec.message();
    return {};
  }
  if (size > kMaxDataFileBytes) {
    *why = std::to_string(size >> 20) +
           " MiB; a data file may hold at most 256 MiB (every row is kept in memory and shipped "
           "to the agents)";
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    *why = "cannot be read";
    return {};
  }
  return text.str();
}

void read_feeder(ScenarioReader& reader, const std::string& name, const YAML::Node& node,
                 DataFeeder& out) {
  const std::string path = "data." + name;
  std::optional<YAML::Node> file_node;
  const bool is_map =
      reader.for_each_key(node, path, {"file"},
                          [&](const std::string&, const YAML::Node& value) { file_node = value; });
  if (!is_map) return;
  if (!file_node) {
    reader.error(node, path + ".file: is required (a CSV file with a header row)");
    return;
  }
  std::optional<std::string> file = reader.string(*file_node, path + ".file");
  if (!file) return;
  if (file->empty()) {
    reader.error(*file_node, path + ".file: is empty");
    return;
  }
  out.file = *file;
  const fs::path full = fs::path(*file).is_absolute() ? fs::path(*file) : reader.base_dir() / *file;
  std::string why;
  const std::string text = read_text(full, &why);
  if (!why.empty()) {
    reader.error(*file_node, path + ".file: '" + full.string() + "': " + why);
    return;
  }
  CsvError error;
  std::optional<CsvTable> table = parse_csv(text, &error);
  if (!table) {
    reader.diagnostics().push_back(
        Diagnostic{full.string(), error.line, error.column, path + ": " + error.message});
    return;
  }
  out.columns = std::move(table->columns);
  out.row_count = table->rows.size();
  out.rows.reserve(table->rows.size());
  for (size_t i = 0; i < table->rows.size(); ++i) {
    out.rows.push_back(DataRow{i, std::move(table->rows[i])});
  }
}

}  // namespace

void read_data(ScenarioReader& reader, const YAML::Node& node, std::vector<DataFeeder>& out) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    reader.error(node, "data: expected a mapping of feeder names to { file: NAME.csv }, got " +
                           describe(node));
    return;
  }
  for (const auto& entry : node) {
    const YAML::Node key = entry.first;
    const YAML::Node value = entry.second;
    if (!key.IsScalar()) {
      reader.error(key, "data: feeder names must be plain words, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (const std::string why = check_part_name(name); !why.empty()) {
      reader.error(key, concat({"data.", name, ": ", why}));
      continue;
    }
    const bool duplicate =
        std::any_of(out.begin(), out.end(), [&](const DataFeeder& f) { return f.name == name; });
    if (duplicate) {
      reader.error(key, "data: duplicate feeder '" + name + "'");
      continue;
    }
    DataFeeder feeder;
    feeder.name = name;
    read_feeder(reader, name, value, feeder);
    out.push_back(std::move(feeder));
  }
}

}  // namespace wsload::scenario::detail
