#include "wsload/scenario/csv_table.hpp"

#include <gtest/gtest.h>

namespace wsload::scenario {
namespace {

using Rows = std::vector<std::vector<std::string>>;

CsvTable parse_ok(std::string_view text) {
  CsvError error;
  std::optional<CsvTable> table = parse_csv(text, &error);
  EXPECT_TRUE(table.has_value()) << error.line << ":" << error.column << ": " << error.message;
  return table.value_or(CsvTable{});
}

CsvError parse_bad(std::string_view text) {
  CsvError error;
  EXPECT_FALSE(parse_csv(text, &error).has_value());
  return error;
}

TEST(CsvTable, ReadsHeaderAndRows) {
  const CsvTable t = parse_ok("user,token\nalice,tok-a\nbob,tok-b\n");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"user", "token"}));
  EXPECT_EQ(t.rows, (Rows{{"alice", "tok-a"}, {"bob", "tok-b"}}));
}

TEST(CsvTable, LastLineWithoutNewlineAndCrlf) {
  EXPECT_EQ(parse_ok("a,b\r\n1,2\r\n3,4").rows, (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(parse_ok("a,b\r\n1,2\r").rows, (Rows{{"1", "2"}}));
}

TEST(CsvTable, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const CsvTable t = parse_ok("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\r\nlines\",\"\"\n");
  EXPECT_EQ(t.rows, (Rows{{"x, y", "say \"hi\""}, {"two\r\nlines", ""}}));
}

TEST(CsvTable, EmptyFieldsAndTrailingComma) {
  EXPECT_EQ(parse_ok("a,b,c\n,,\n1,,\n").rows, (Rows{{"", "", ""}, {"1", "", ""}}));
}

TEST(CsvTable, SkipsByteOrderMarkAndBlankLines) {
  const CsvTable t = parse_ok("\xEF\xBB\xBFuser\n\nalice\n\r\nbob\n\n");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"user"}));
  EXPECT_EQ(t.rows, (Rows{{"alice"}, {"bob"}}));
}

TEST(CsvTable, WrongFieldCountNamesTheRowsLine) {
  const CsvError e = parse_bad("a,b\n1,2\n3\n4,5\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "row has 1 field(s), the header 2");
  // The line counts the line breaks inside quoted fields before it.
  EXPECT_EQ(parse_bad("a,b\n\"multi\nline\",2\n1,2,3\n").line, 4);
}

TEST(CsvTable, UnterminatedQuoteNamesWhereItOpened) {
  const CsvError e = parse_bad("a,b\n1,2\n3,\"open\n4,5\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 3);
  EXPECT_NE(e.message.find("unterminated quoted field"), std::string::npos) << e.message;
}

TEST(CsvTable, StrayQuotesAreErrors) {
  const CsvError inside = parse_bad("a,b\n1,x\"y\n");
  EXPECT_EQ(inside.line, 2);
  EXPECT_EQ(inside.column, 4);
  EXPECT_NE(inside.message.find("a quote inside an unquoted field"), std::string::npos);
  const CsvError after = parse_bad("a,b\n\"1\"x,2\n");
  EXPECT_EQ(after.line, 2);
  EXPECT_EQ(after.column, 4);
  EXPECT_NE(after.message.find("unexpected text after a closing quote"), std::string::npos);
}

TEST(CsvTable, HeaderProblems) {
  const CsvError empty = parse_bad("");
  EXPECT_EQ(empty.line, 1);
  EXPECT_NE(empty.message.find("the file is empty"), std::string::npos);
  EXPECT_NE(parse_bad("\n\n").message.find("the file is empty"), std::string::npos);
  const CsvError unnamed = parse_bad("a,,c\n1,2,3\n");
  EXPECT_EQ(unnamed.column, 3);
  EXPECT_EQ(unnamed.message, "column 2 of the header has no name");
  const CsvError duplicate = parse_bad("id,name,id\n1,2,3\n");
  EXPECT_EQ(duplicate.line, 1);
  EXPECT_EQ(duplicate.column, 9);
  EXPECT_EQ(duplicate.message, "duplicate column 'id' in the header (columns 1 and 3)");
}

TEST(CsvTable, HeaderWithoutRowsIsAnError) {
  const CsvError e = parse_bad("\nuser,token\n\n");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.message, "the header is not followed by any data row");
}

}  // namespace
}  // namespace wsload::scenario
