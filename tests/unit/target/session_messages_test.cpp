#include "session_messages.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "wsload/target/limits.hpp"

namespace wsload::target {
namespace {

using Kind = SessionMessageKind;

TEST(ClassifyMessage, ReadsTheTopLevelType) {
  EXPECT_EQ(classify_message(R"({"type":"ping","id":1})").kind, Kind::kPing);
  EXPECT_EQ(classify_message(R"({"id":1,"type":"subscribe","channel":"a"})").kind,
            Kind::kSubscribe);
  EXPECT_EQ(classify_message(R"( { "type" : "unsubscribe" } )").kind, Kind::kUnsubscribe);
  EXPECT_EQ(classify_message(R"({"type":"publish"})").kind, Kind::kPublish);
  const std::string ping = R"({"id":7, "type":"ping"})";
  const auto classified = classify_message(ping);
  EXPECT_EQ(ping.substr(classified.type.offset, classified.type.size), "ping");
}

TEST(ClassifyMessage, OtherFramesAreEchoed) {
  for (const char* text :
       {"", "subscribe", R"(["type","subscribe"])", R"({"meta":{"type":"subscribe"}})",
        R"({"type":"subscribed"})", R"({"type":"Publish"})", R"({"typ\u0065":"publish"})",
        R"({"type":1})", R"({"kind":"ping"})"}) {
    EXPECT_EQ(classify_message(text).kind, Kind::kOther) << text;
  }
}

class SessionMessagesTest : public ::testing::Test {
 protected:
  std::string send(Kind kind, const std::string& text) { return messages_.handle(kind, text); }

  ShardCounters counters_;
  std::atomic<uint64_t> ids_{0};
  SessionMessages messages_{counters_, ids_};
};

TEST_F(SessionMessagesTest, SubscribeUnsubscribePublishReplies) {
  EXPECT_EQ(send(Kind::kSubscribe, R"({"type":"subscribe","channel":"prices","id":7})"),
            R"({"type":"subscribed","channel":"prices","id":7,"subscription":"s1"})");
  EXPECT_TRUE(messages_.subscribed());
  EXPECT_EQ(send(Kind::kSubscribe, R"({"type":"subscribe","channel":"news"})"),
            R"({"type":"subscribed","channel":"news","subscription":"s2"})");
  EXPECT_EQ(send(Kind::kUnsubscribe, R"({"type":"unsubscribe","channel":"prices","id":8})"),
            R"({"type":"unsubscribed","channel":"prices","id":8})");
  EXPECT_EQ(send(Kind::kUnsubscribe, R"({"channel":"news","type":"unsubscribe"})"),
            R"({"type":"unsubscribed","channel":"news"})");
  EXPECT_FALSE(messages_.subscribed());
  EXPECT_EQ(send(Kind::kPublish, R"({"type":"publish","id":9,"payload":{"x":[1,2]}})"),
            R"({"type":"published","id":9})");
  EXPECT_EQ(send(Kind::kPublish, R"({"type":"publish","channel":"prices"})"),
            R"({"type":"published"})");
  EXPECT_EQ(counters_.subscribes.get(), 2u);
  EXPECT_EQ(counters_.unsubscribes.get(), 2u);
  EXPECT_EQ(counters_.unsubscribes_unknown.get(), 0u);
  EXPECT_EQ(counters_.publishes.get(), 2u);
  EXPECT_EQ(counters_.subscriptions_added.get(), 2u);
  EXPECT_EQ(counters_.subscriptions_released.get(), 2u);
  EXPECT_EQ(counters_.session_message_errors.get(), 0u);
}

TEST_F(SessionMessagesTest, IdIsEchoedByteForByte) {
  for (const std::string id :
       {"0", "-3", "18446744073709551615", "123456789012345678901234567890", "1.50", "2e+10"}) {
    EXPECT_EQ(send(Kind::kPublish, R"({"type":"publish","id":)" + id + "}"),
              R"({"type":"published","id":)" + id + "}");
  }
}

TEST_F(SessionMessagesTest, NonNumericIdIsRefusedWithoutEcho) {
  for (const std::string id : {R"("7")", "true", "null", "{}", "[1]", "01", "1.", "-", "1e"}) {
    EXPECT_EQ(send(Kind::kPublish, R"({"type":"publish","id":)" + id + "}"),
              R"({"type":"error","error":"id must be a number"})")
        << id;
  }
}

TEST_F(SessionMessagesTest, ChannelNamesAreUnescapedAndReEscaped) {
  const std::string reply =
      send(Kind::kSubscribe, R"({"type":"subscribe","channel":"a\"b\\c\u00e9\n","id":1})");
  auto json = nlohmann::json::parse(reply);
  EXPECT_EQ(json.at("channel"), "a\"b\\c\xc3\xa9\n");
  EXPECT_EQ(send(Kind::kUnsubscribe, R"({"type":"unsubscribe","channel":"a\"b\\c\u00e9\n"})"),
            R"({"type":"unsubscribed","channel":"a\"b\\c)"
            "\xc3\xa9"
            R"(\n"})");
  EXPECT_EQ(counters_.unsubscribes_unknown.get(), 0u) << "the same name, however escaped";
}

TEST_F(SessionMessagesTest, RepeatedSubscribeKeepsItsSubscription) {
  const std::string subscribe = R"({"type":"subscribe","channel":"c","id":1})";
  EXPECT_EQ(send(Kind::kSubscribe, subscribe), send(Kind::kSubscribe, subscribe));
  EXPECT_EQ(messages_.channel_count(), 1u);
  EXPECT_EQ(counters_.subscribes.get(), 2u);
  EXPECT_EQ(counters_.subscriptions_added.get(), 1u);
}

TEST_F(SessionMessagesTest, UnknownUnsubscribeIsAcknowledgedAndCounted) {
  EXPECT_EQ(send(Kind::kUnsubscribe, R"({"type":"unsubscribe","channel":"never","id":4})"),
            R"({"type":"unsubscribed","channel":"never","id":4})");
  EXPECT_EQ(counters_.unsubscribes.get(), 1u);
  EXPECT_EQ(counters_.unsubscribes_unknown.get(), 1u);
  EXPECT_EQ(counters_.subscriptions_released.get(), 0u);
}

TEST_F(SessionMessagesTest, BadChannelsAreRefused) {
  const std::string rule = R"("error":"channel must be a string of 1 to 64 bytes"})";
  const std::string longest(kMaxChannelNameBytes, 'c');
  EXPECT_NE(send(Kind::kSubscribe, R"({"type":"subscribe","channel":")" + longest + "\"}")
                .find("subscribed"),
            std::string::npos);
  const std::vector<std::string> bad = {
      "\"" + longest + "x\"", R"("")", "7", "null", R"(["a"])", R"({"a":1})"};
  for (const std::string& channel : bad) {
    EXPECT_EQ(send(Kind::kSubscribe, R"({"type":"subscribe","id":2,"channel":)" + channel + "}"),
              R"({"type":"error","id":2,)" + rule)
        << channel;
  }
  EXPECT_EQ(send(Kind::kUnsubscribe, R"({"type":"unsubscribe","id":3})"),
            R"({"type":"error","id":3,)" + rule);
  EXPECT_EQ(send(Kind::kPublish, R"({"type":"publish","id":4,"channel":5})"),
            R"({"type":"error","id":4,)" + rule);
  EXPECT_EQ(counters_.session_message_errors.get(), 8u);
  EXPECT_EQ(messages_.channel_count(), 1u);
}

TEST_F(SessionMessagesTest, ChannelsPerSessionAreBounded) {
  for (std::size_t i = 0; i < kMaxChannelsPerSession + 10; ++i) {
    const std::string reply = send(
        Kind::kSubscribe, R"({"type":"subscribe","id":1,"channel":"c)" + std::to_string(i) + "\"}");
    if (i < kMaxChannelsPerSession) {
      EXPECT_NE(reply.find(R"("type":"subscribed")"), std::string::npos) << reply;
    } else {
      EXPECT_EQ(reply, R"({"type":"error","id":1,"error":"at most 16 channels per session"})");
    }
  }
  EXPECT_EQ(messages_.channel_count(), kMaxChannelsPerSession);
  EXPECT_EQ(counters_.subscriptions_added.get(), kMaxChannelsPerSession);
  // A held channel may still be confirmed, and a freed place taken.
  EXPECT_NE(send(Kind::kSubscribe, R"({"type":"subscribe","channel":"c0"})").find("subscribed"),
            std::string::npos);
  send(Kind::kUnsubscribe, R"({"type":"unsubscribe","channel":"c0"})");
  EXPECT_NE(send(Kind::kSubscribe, R"({"type":"subscribe","channel":"new"})").find("subscribed"),
            std::string::npos);
}

TEST_F(SessionMessagesTest, MalformedAndOversizeMessagesAreRefused) {
  EXPECT_EQ(send(Kind::kSubscribe, R"({"type":"subscribe","id":5,"channel":"a")"),
            R"({"type":"error","id":5,"error":"not a JSON object"})");
  EXPECT_EQ(send(Kind::kPublish, R"({"type":"publish","id":6,"x":[[[[}})"),
            R"({"type":"error","id":6,"error":"not a JSON object"})");
  std::string big =
      R"({"type":"publish","id":7,"payload":")" + std::string(kMaxSessionMessageBytes, 'x') + "\"}";
  EXPECT_EQ(send(Kind::kPublish, big),
            R"({"type":"error","id":7,"error":"message larger than 65536 bytes"})");
  // Deep nesting within the size bound is parsed without recursion and discarded.
  std::string deep =
      R"({"type":"publish","id":8,"x":)" + std::string(20000, '[') + std::string(20000, ']') + "}";
  EXPECT_EQ(send(Kind::kPublish, deep), R"({"type":"published","id":8})");
  EXPECT_EQ(counters_.session_message_errors.get(), 3u);
}

TEST(SessionMessagesEnd, HeldChannelsAreReleasedWhenTheSessionEnds) {
  ShardCounters counters;
  std::atomic<uint64_t> ids{41};
  {
    SessionMessages messages(counters, ids);
    EXPECT_EQ(messages.handle(Kind::kSubscribe, R"({"type":"subscribe","channel":"a"})"),
              R"({"type":"subscribed","channel":"a","subscription":"s42"})");
    messages.handle(Kind::kSubscribe, R"({"type":"subscribe","channel":"b"})");
  }
  EXPECT_EQ(counters.subscriptions_added.get(), 2u);
  EXPECT_EQ(counters.subscriptions_released.get(), 2u);
  EXPECT_EQ(ids.load(), 43u) << "subscription numbers are never reused";
}

}  // namespace
}  // namespace wsload::target
