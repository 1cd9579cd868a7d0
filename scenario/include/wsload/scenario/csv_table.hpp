#pragma once
// CSV tables for data feeders (SPEC §3a): RFC 4180 with a header row. Pure; no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsload::scenario {

struct CsvTable {
  std::vector<std::string> columns;            // the header row
  std::vector<std::vector<std::string>> rows;  // each with columns.size() values
};

struct CsvError {
  int line = 0;    // 1-based line of the file where the problem is
  int column = 0;  // 1-based character column on that line
  std::string message;
};

// Parses `text`: fields separated by commas, records by LF or CRLF; a field in double quotes may
// hold commas, line breaks and "" (one quote). A UTF-8 byte order mark is skipped; blank lines are
// skipped. Requires a header of unique, non-empty column names, at least one data row, and the
// header's number of fields in every row. nullopt and *error set at the first problem.
std::optional<CsvTable> parse_csv(std::string_view text, CsvError* error);

}  // namespace wsload::scenario
