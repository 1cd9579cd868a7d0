#include "wsload/shared/message_template.hpp"

#include <gtest/gtest.h>

#include <set>

namespace wsload::shared {
namespace {

MessageTemplate compile_ok(std::string_view text) {
  std::string error;
  auto t = MessageTemplate::compile(text, &error);
  EXPECT_TRUE(t.has_value()) << error;
  return t.value_or(*MessageTemplate::compile("", &error));
}

std::string compile_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(MessageTemplate::compile(text, &error).has_value()) << text;
  return error;
}

TEST(MessageTemplate, RendersOdinPing) {
  const MessageTemplate t = compile_ok(R"({"type":"ping","id":{{seq}}})");
  std::string out = "stale content";
  t.render(TemplateContext{.seq = 42}, out);
  EXPECT_EQ(out, R"({"type":"ping","id":42})");
  EXPECT_FALSE(t.uses_random());
}

TEST(MessageTemplate, RendersEveryVariable) {
  const MessageTemplate t = compile_ok("s={{seq}} c={{ conn }} a={{agent}} t={{now_us}}");
  std::string out;
  t.render(TemplateContext{.seq = 18446744073709551615ULL, .conn = 7, .agent = 3, .now_us = -12},
           out);
  EXPECT_EQ(out, "s=18446744073709551615 c=7 a=3 t=-12");
}

TEST(MessageTemplate, PlainTextAndSingleBracesAreLiteral) {
  const MessageTemplate t = compile_ok(R"({"a":{"b":1}} }} {x})");
  std::string out;
  t.render(TemplateContext{}, out);
  EXPECT_EQ(out, R"({"a":{"b":1}} }} {x})");
}

TEST(MessageTemplate, TripleBraceIsLiteralBraceThenVariable) {
  const MessageTemplate t = compile_ok(R"({"x":{{{seq}}}})");
  std::string out;
  t.render(TemplateContext{.seq = 5}, out);
  EXPECT_EQ(out, R"({"x":{5}})");
}

TEST(MessageTemplate, EmptyTemplateRendersEmpty) {
  const MessageTemplate t = compile_ok("");
  std::string out = "x";
  t.render(TemplateContext{}, out);
  EXPECT_EQ(out, "");
}

TEST(MessageTemplate, RandomStaysInRangeAndIsDeterministicForASeed) {
  const MessageTemplate t = compile_ok("{{random 4}}");
  EXPECT_TRUE(t.uses_random());
  std::minstd_rand rng_a(123);
  std::minstd_rand rng_b(123);
  std::set<std::string> seen;
  std::string out_a;
  std::string out_b;
  for (int i = 0; i < 400; ++i) {
    t.render(TemplateContext{.rng = &rng_a}, out_a);
    t.render(TemplateContext{.rng = &rng_b}, out_b);
    EXPECT_EQ(out_a, out_b);
    seen.insert(out_a);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0", "1", "2", "3"}));
}

TEST(MessageTemplate, RandomOneIsAlwaysZero) {
  const MessageTemplate t = compile_ok("{{random 1}}");
  std::minstd_rand rng(7);
  std::string out;
  for (int i = 0; i < 20; ++i) {
    t.render(TemplateContext{.rng = &rng}, out);
    EXPECT_EQ(out, "0");
  }
}

TEST(MessageTemplate, RenderDoesNotReallocateOnceBufferIsLarge) {
  const MessageTemplate t = compile_ok(R"({"type":"ping","id":{{seq}},"t":{{now_us}}})");
  std::string out;
  out.reserve(256);
  const char* data = out.data();
  for (uint64_t seq = 1; seq < 1000; ++seq) {
    t.render(TemplateContext{.seq = seq, .now_us = 1700000000000000}, out);
  }
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(out, R"({"type":"ping","id":999,"t":1700000000000000})");
}

TEST(MessageTemplate, UnknownVariableReportsColumn) {
  const std::string error = compile_error(R"({"id":{{sq}}})");
  EXPECT_NE(error.find("unknown template variable 'sq'"), std::string::npos) << error;
  EXPECT_NE(error.find("column 7"), std::string::npos) << error;
}

TEST(MessageTemplate, UnterminatedBracesReportColumn) {
  const std::string error = compile_error("abc {{seq");
  EXPECT_NE(error.find("unterminated '{{'"), std::string::npos) << error;
  EXPECT_NE(error.find("column 5"), std::string::npos) << error;
}

TEST(MessageTemplate, RandomNeedsPositiveInteger) {
  for (std::string_view text : {"{{random}}", "{{random 0}}", "{{random -3}}", "{{random x}}",
                                "{{random 1 2}}", "{{random 99999999999999999999999}}"}) {
    const std::string error = compile_error(text);
    EXPECT_NE(error.find("positive integer"), std::string::npos) << text << ": " << error;
    EXPECT_NE(error.find("column 1"), std::string::npos) << text << ": " << error;
  }
}

TEST(MessageTemplate, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(MessageTemplate::compile("{{nope}}", nullptr).has_value());
}

// Format v2: {{var.X}} and {{data.F.C}} resolved against the names known where the template sits.

TemplateNames session_names() {
  TemplateNames names;
  names.vars = {"sub", "user"};
  names.data = {{"users", {"id", "token"}}, {"geo", {"city"}}};
  return names;
}

MessageTemplate compile_named(std::string_view text) {
  std::string error;
  auto t = MessageTemplate::compile(text, session_names(), &error);
  EXPECT_TRUE(t.has_value()) << text << ": " << error;
  return t.value_or(*MessageTemplate::compile("", &error));
}

std::string compile_named_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(MessageTemplate::compile(text, session_names(), &error).has_value()) << text;
  return error;
}

TEST(MessageTemplate, RendersVarsAndDataRows) {
  const MessageTemplate t = compile_named(
      R"({"id":{{seq}},"to":"{{var.sub}}","u":"{{ var.user }}","t":"{{data.users.token}}",)"
      R"("i":{{data.users.id}},"c":"{{data.geo.city}}"})");
  const std::vector<std::string> vars = {"chan-7", "alice"};
  const std::vector<std::string> user_row = {"17", "tok17"};
  const std::vector<std::string> geo_row = {"Paris"};
  const std::vector<const std::vector<std::string>*> rows = {&user_row, &geo_row};
  std::string out;
  t.render(TemplateContext{.seq = 3, .vars = vars, .data_rows = rows}, out);
  EXPECT_EQ(out, R"({"id":3,"to":"chan-7","u":"alice","t":"tok17","i":17,"c":"Paris"})");
  EXPECT_TRUE(t.uses_vars());
  EXPECT_TRUE(t.uses_data());
  EXPECT_FALSE(t.is_literal());
  EXPECT_FALSE(t.uses_random());
}

TEST(MessageTemplate, MissingVarsAndRowsRenderEmpty) {
  const MessageTemplate t = compile_named(
      "[{{var.sub}}|{{var.user}}|{{data.users.token}}|"
      "{{data.geo.city}}]");
  const std::vector<std::string> one_var = {"only-sub"};
  const std::vector<std::string> user_row = {"17", "tok17"};
  // Feeder 0 has no row on this agent (nullptr); feeder 1 is beyond the span.
  const std::vector<const std::vector<std::string>*> rows = {nullptr};
  std::string out;
  t.render(TemplateContext{.vars = one_var, .data_rows = rows}, out);
  EXPECT_EQ(out, "[only-sub|||]");
  t.render(TemplateContext{}, out);
  EXPECT_EQ(out, "[|||]");
  const std::vector<const std::vector<std::string>*> user_only = {&user_row};
  t.render(TemplateContext{.vars = one_var, .data_rows = user_only}, out);
  EXPECT_EQ(out, "[only-sub||tok17|]");
}

TEST(MessageTemplate, KindsOfPlaceholderAreReported) {
  const MessageTemplate literal = compile_named(R"({"type":"hello"})");
  EXPECT_TRUE(literal.is_literal());
  EXPECT_FALSE(literal.uses_vars());
  EXPECT_FALSE(literal.uses_data());
  const MessageTemplate seq = compile_named(R"({"id":{{seq}}})");
  EXPECT_FALSE(seq.is_literal());
  EXPECT_FALSE(seq.uses_vars());
  EXPECT_FALSE(seq.uses_data());
  const MessageTemplate var = compile_named("{{var.sub}}");
  EXPECT_TRUE(var.uses_vars());
  EXPECT_FALSE(var.uses_data());
  EXPECT_FALSE(var.is_literal());
  const MessageTemplate data = compile_named("x{{data.geo.city}}");
  EXPECT_FALSE(data.uses_vars());
  EXPECT_TRUE(data.uses_data());
  EXPECT_FALSE(data.is_literal());
  EXPECT_TRUE(compile_ok("").is_literal());
}

TEST(MessageTemplate, UnknownVarNamesTheKnownOnesAndItsColumn) {
  const std::string error = compile_named_error(R"({"to":"{{var.subs}}"})");
  EXPECT_NE(error.find("var.subs"), std::string::npos) << error;
  EXPECT_NE(error.find("sub, user"), std::string::npos) << error;
  EXPECT_NE(error.find("column 8"), std::string::npos) << error;
}

TEST(MessageTemplate, UnknownFeederNamesTheKnownOnesAndItsColumn) {
  const std::string error = compile_named_error("ab{{data.people.id}}");
  EXPECT_NE(error.find("'people'"), std::string::npos) << error;
  EXPECT_NE(error.find("users, geo"), std::string::npos) << error;
  EXPECT_NE(error.find("column 3"), std::string::npos) << error;
}

TEST(MessageTemplate, UnknownColumnNamesTheFeedersColumnsAndItsColumn) {
  const std::string error = compile_named_error("{{seq}} {{data.users.email}}");
  EXPECT_NE(error.find("'email'"), std::string::npos) << error;
  EXPECT_NE(error.find("'users'"), std::string::npos) << error;
  EXPECT_NE(error.find("id, token"), std::string::npos) << error;
  EXPECT_NE(error.find("column 9"), std::string::npos) << error;
}

TEST(MessageTemplate, FeederWithoutAColumnIsAnError) {
  const std::string error = compile_named_error("{{data.users}}");
  EXPECT_NE(error.find("needs a column"), std::string::npos) << error;
  EXPECT_NE(error.find("column 1"), std::string::npos) << error;
}

TEST(MessageTemplate, NamesFromTheWrongListAreUnknown) {
  // A feeder name is not a variable and a variable is not a feeder.
  EXPECT_NE(compile_named_error("{{var.users}}").find("var.users"), std::string::npos);
  EXPECT_NE(compile_named_error("{{data.sub.id}}").find("'sub'"), std::string::npos);
}

TEST(MessageTemplate, PlainCompileRefusesVarsAndData) {
  for (std::string_view text : {"{{var.sub}}", "{{data.users.id}}"}) {
    const std::string error = compile_error(text);
    EXPECT_NE(error.find("column 1"), std::string::npos) << text << ": " << error;
  }
  EXPECT_NE(compile_error("{{var.sub}}").find("none"), std::string::npos);
}

}  // namespace
}  // namespace wsload::shared
