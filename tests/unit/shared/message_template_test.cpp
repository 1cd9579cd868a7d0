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

}  // namespace
}  // namespace wsload::shared
