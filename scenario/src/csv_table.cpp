#include "wsload/scenario/csv_table.hpp"

#include <unordered_map>

namespace wsload::scenario {
namespace {

struct Record {
  std::vector<std::string> fields;
  std::vector<int> columns;  // 1-based column where each field starts
  int line = 0;              // where the record starts
  bool blank = false;        // an empty line
};

// Reads one record at a time, tracking lines (a quoted field may span several).
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }

  // Reads the next record into `out`; false and *error set when it is malformed.
  bool next(Record& out, CsvError* error) {
    out = Record{};
    out.line = line_;
    bool quoted_any = false;
    for (;;) {
      out.columns.push_back(column());
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        quoted_any = true;
        if (!read_quoted(field, error)) return false;
        if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
          return fail(error, line_, column(),
                      "unexpected text after a closing quote (a quote inside a quoted field is "
                      "written \"\")");
        }
      } else {
        while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
          if (text_[pos_] == '"') {
            return fail(error, line_, column(),
                        "a quote inside an unquoted field; quote the whole field and write the "
                        "quote as \"\"");
          }
          field.push_back(text_[pos_++]);
        }
      }
      out.fields.push_back(std::move(field));
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      skip_line_end();
      break;
    }
    out.blank = !quoted_any && out.fields.size() == 1 && out.fields[0].empty();
    return true;
  }

 private:
  int column() const { return static_cast<int>(pos_ - line_start_) + 1; }

  // At "\n", "\r\n", or a "\r" that ends the input.
  bool at_line_end() const {
    if (text_[pos_] == '\n') return true;
    return text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n');
  }

  void skip_line_end() {
    if (pos_ >= text_.size()) return;
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  bool read_quoted(std::string& field, CsvError* error) {
    const int open_line = line_;
    const int open_column = column();
    ++pos_;
    for (;;) {
      if (pos_ >= text_.size()) {
        return fail(error, open_line, open_column,
                    "unterminated quoted field (the quote opened here is never closed)");
      }
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;
        return true;
      }
      field.push_back(c);
      ++pos_;
      if (c == '\n') {
        ++line_;
        line_start_ = pos_;
      }
    }
  }

  static bool fail(CsvError* error, int line, int column, std::string message) {
    if (error != nullptr) *error = CsvError{line, column, std::move(message)};
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

// Reads the next non-blank record; false at the end of input (error->message empty) or on error.
bool next_record(CsvReader& reader, Record& out, CsvError* error) {
  while (!reader.at_end()) {
    if (!reader.next(out, error)) return false;
    if (!out.blank) return true;
  }
  return false;
}

bool check_header(const Record& header, CsvError* error) {
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& name = header.fields[i];
    if (name.empty()) {
      *error = CsvError{header.line, header.columns[i],
                        "column " + std::to_string(i + 1) + " of the header has no name"};
      return false;
    }
    auto [it, fresh] = seen.emplace(name, i);
    if (!fresh) {
      *error = CsvError{header.line, header.columns[i],
                        "duplicate column '" + name + "' in the header (columns " +
                            std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")"};
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<CsvTable> parse_csv(std::string_view text, CsvError* error) {
  CsvError local;
  if (error == nullptr) error = &local;
  *error = CsvError{};
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvReader reader(text);
  Record header;
  if (!next_record(reader, header, error)) {
    if (error->message.empty()) {
      *error = CsvError{1, 1, "the file is empty; expected a header row of column names"};
    }
    return std::nullopt;
  }
  if (!check_header(header, error)) return std::nullopt;
  CsvTable table;
  table.columns = std::move(header.fields);
  Record row;
  while (next_record(reader, row, error)) {
    if (row.fields.size() != table.columns.size()) {
      *error = CsvError{row.line, 1,
                        "row has " + std::to_string(row.fields.size()) + " field(s), the header " +
                            std::to_string(table.columns.size())};
      return std::nullopt;
    }
    table.rows.push_back(std::move(row.fields));
  }
  if (!error->message.empty()) return std::nullopt;
  if (table.rows.empty()) {
    *error = CsvError{header.line, 1, "the header is not followed by any data row"};
    return std::nullopt;
  }
  return table;
}

}  // namespace wsload::scenario
