#include "wsload/target/ping_rewrite.hpp"

#include <gtest/gtest.h>

#include "wsload/target/data_message.hpp"

namespace wsload::target {
namespace {

std::string pong(std::string in) {
  rewrite_ping_to_pong(in);
  return in;
}

TEST(PingRewrite, RewritesTypeKeepingEverythingElse) {
  EXPECT_EQ(pong(R"({"type":"ping","id":7})"), R"({"type":"pong","id":7})");
  EXPECT_EQ(pong(R"({"id":7,"type":"ping","ts":123})"), R"({"id":7,"type":"pong","ts":123})");
  EXPECT_EQ(pong(R"(  { "type" : "ping" , "id" : "abc" } )"),
            R"(  { "type" : "pong" , "id" : "abc" } )");
}

TEST(PingRewrite, SkipsNestedAndStringValuesBeforeType) {
  EXPECT_EQ(
      pong(R"({"meta":{"type":"ping"},"arr":[1,{"a":"}"}],"s":"x\"ping","type":"ping","id":1})"),
      R"({"meta":{"type":"ping"},"arr":[1,{"a":"}"}],"s":"x\"ping","type":"pong","id":1})");
}

TEST(PingRewrite, LeavesNonPingsAlone) {
  for (std::string s :
       {R"({"type":"data","id":1})", R"({"type":"pingx"})", R"({"kind":"ping"})",
        R"({"meta":{"type":"ping"}})", R"(["type","ping"])", "ping", "", R"({"type":ping})",
        R"({"type":"ping")", R"({"type")", R"({"typ\u0065":"ping"})"}) {
    std::string copy = s;
    bool rewritten = rewrite_ping_to_pong(copy);
    // A truncated object still has its member found; everything else must stay untouched.
    if (s == R"({"type":"ping")") {
      EXPECT_TRUE(rewritten);
      continue;
    }
    EXPECT_FALSE(rewritten) << s;
    EXPECT_EQ(copy, s);
  }
}

TEST(PingRewrite, FirstTypeMemberWins) {
  EXPECT_EQ(pong(R"({"type":"data","type":"ping"})"), R"({"type":"data","type":"ping"})");
}

TEST(FindTopLevelString, ReportsRawSpan) {
  std::string_view json = R"({"a":1,"payload":"x\"y"})";
  auto span = find_top_level_string(json, "payload");
  ASSERT_TRUE(span);
  EXPECT_EQ(json.substr(span->offset, span->size), R"(x\"y)");
  EXPECT_FALSE(find_top_level_string(json, "a"));  // not a string
  EXPECT_FALSE(find_top_level_string(json, "missing"));
}

TEST(FindTopLevelValue, ReportsTheWholeRawToken) {
  std::string_view json = R"({"n":{"id":9},"id" : -12.5e3 ,"s":"a\"b","o":{"x":[1]},"last":7})";
  auto text = [&](std::string_view key) {
    auto span = find_top_level_value(json, key);
    return span ? std::string(json.substr(span->offset, span->size)) : std::string("<none>");
  };
  EXPECT_EQ(text("id"), "-12.5e3") << "the top-level id, not the nested one";
  EXPECT_EQ(text("s"), R"("a\"b")");
  EXPECT_EQ(text("o"), R"({"x":[1]})");
  EXPECT_EQ(text("last"), "7");
  EXPECT_EQ(text("missing"), "<none>");
  EXPECT_FALSE(find_top_level_value(R"({"id":)", "id"));
  EXPECT_FALSE(find_top_level_value(R"({"id":[1,2)", "id"));
  EXPECT_FALSE(find_top_level_value(R"([{"id":1}])", "id"));
}

TEST(DataMessage, ShapeAndDetection) {
  std::string m = make_data_message(3, 1700000000000000, "a\"b");
  EXPECT_EQ(m, R"({"type":"data","seq":3,"ts":1700000000000000,"payload":"a\"b"})");
  EXPECT_TRUE(is_data_message(m));
  EXPECT_FALSE(is_data_message(R"({"type":"ping","id":1})"));
  EXPECT_FALSE(is_data_message("hello"));
  EXPECT_EQ(make_payload(100).size(), 100u);
  EXPECT_EQ(make_payload(0), "");
}

// Hostile input: 1 MiB of nesting, 100,000 members, unterminated strings and containers. Each call
// must return (no recursion, no stack exhaustion) with the right answer.
TEST(PingRewrite, HostileInputIsScannedInBoundedSpace) {
  constexpr std::size_t kMiB = 1024 * 1024;
  const std::string open_arrays(kMiB, '[');
  std::string nested = "{\"x\":" + open_arrays + std::string(kMiB, ']') + ",\"type\":\"ping\"}";
  EXPECT_TRUE(rewrite_ping_to_pong(nested));
  EXPECT_NE(nested.find("\"type\":\"pong\""), std::string::npos);

  std::string unterminated = "{\"x\":" + open_arrays + ",\"type\":\"ping\"}";
  EXPECT_FALSE(rewrite_ping_to_pong(unterminated));
  EXPECT_FALSE(is_data_message(open_arrays));
  std::string objects;
  for (int i = 0; i < 200000; ++i) objects += "{\"a\":";
  EXPECT_FALSE(is_data_message(objects + "\"ping"));

  std::string members = "{";
  for (int i = 0; i < 100000; ++i)
    members += "\"k" + std::to_string(i) + "\":[1,{\"ping\":\"\\\"\"}],";
  members += "\"type\":\"ping\"}";
  EXPECT_TRUE(rewrite_ping_to_pong(members));
  EXPECT_EQ(members.substr(members.size() - 14), "\"type\":\"pong\"}");

  for (const char* tail : {"\\", "\"", "{", "[", "\"type\":", "\"type\":\"pi"}) {
    std::string cut = std::string("{\"type\":\"ping\",\"a\":") + tail;
    EXPECT_TRUE(rewrite_ping_to_pong(cut)) << tail;  // "type" comes first: the rest is not read
    std::string late = std::string("{\"a\":") + tail + "ping";
    EXPECT_FALSE(rewrite_ping_to_pong(late)) << tail;
  }
}

TEST(JsonEscape, ControlCharacters) {
  std::string out;
  append_json_escaped(out, std::string("a\n\t\x01\\", 5));
  EXPECT_EQ(out, "a\\n\\t\\u0001\\\\");
}

}  // namespace
}  // namespace wsload::target
