#include "../../../agent/src/reply_matcher.hpp"

#include <gtest/gtest.h>

namespace wsload::agent {
namespace {

using std::chrono::milliseconds;

TEST(ScanNumberField, FindsKeysAndSkipsNonKeys) {
  EXPECT_EQ(scan_number_field(R"({"type":"pong","id":42})", "id"), 42u);
  EXPECT_EQ(scan_number_field(R"({"id" : 7 ,"x":1})", "id"), 7u);
  EXPECT_EQ(scan_number_field("{\"id\":\n\t9}", "id"), 9u);
  EXPECT_EQ(scan_number_field(R"({"id":"15"})", "id"), 15u);
  EXPECT_EQ(scan_number_field(R"({"type":"id","id":3})", "id"), 3u);  // "id" as a value first
  EXPECT_EQ(scan_number_field(R"({"uid":1,"id":2})", "id"), 2u);      // not a suffix match
  EXPECT_EQ(scan_number_field(R"({"idx":1,"id":2})", "id"), 2u);      // not a prefix match
  EXPECT_EQ(scan_number_field(R"({"seq":18446744073709551615})", "seq"), 18446744073709551615u);
}

TEST(ScanNumberField, RejectsMissingOrMalformed) {
  EXPECT_EQ(scan_number_field(R"({"type":"pong"})", "id"), std::nullopt);
  EXPECT_EQ(scan_number_field(R"({"id":null})", "id"), std::nullopt);
  EXPECT_EQ(scan_number_field(R"({"id":-1})", "id"), std::nullopt);
  EXPECT_EQ(scan_number_field(R"({"id":})", "id"), std::nullopt);
  EXPECT_EQ(scan_number_field(R"({"id")", "id"), std::nullopt);
  EXPECT_EQ(scan_number_field(R"({"seq":18446744073709551616})", "seq"), std::nullopt);
  EXPECT_EQ(scan_number_field("", "id"), std::nullopt);
  EXPECT_EQ(scan_number_field(R"({"id":1})", ""), std::nullopt);
}

TimePoint at(int ms) { return TimePoint(milliseconds(ms)); }

TEST(InFlightTable, TakesBySeqInAnyOrder) {
  InFlightTable t;
  t.add(1, at(0), at(1));
  t.add(2, at(10), at(10));
  t.add(3, at(20), at(25));
  EXPECT_EQ(t.size(), 3u);
  auto r2 = t.take(2);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->scheduled, at(10));
  EXPECT_FALSE(t.take(2));  // already answered
  EXPECT_EQ(t.oldest()->seq, 1u);
  ASSERT_TRUE(t.take(1));
  EXPECT_EQ(t.oldest()->seq, 3u);  // the answered 2 no longer blocks the front
  EXPECT_EQ(t.oldest()->sent, at(25));
  EXPECT_FALSE(t.take(99));
  EXPECT_EQ(t.size(), 1u);
}

TEST(InFlightTable, TakeOldestFollowsSendOrder) {
  InFlightTable t;
  for (uint64_t s = 1; s <= 3; ++s) t.add(s, at(0), at(0));
  ASSERT_TRUE(t.take(2));
  EXPECT_EQ(t.take_oldest()->seq, 1u);
  EXPECT_EQ(t.take_oldest()->seq, 3u);
  EXPECT_FALSE(t.take_oldest());
  EXPECT_TRUE(t.empty());
}

TEST(InFlightTable, ExpiresBySendInstantAndRemembersLateOnes) {
  InFlightTable t;
  t.add(1, at(0), at(0));
  t.add(2, at(100), at(100));
  t.add(3, at(200), at(200));
  ASSERT_TRUE(t.take(2));
  EXPECT_EQ(t.expire_sent_before(at(150)), 1u);  // only 1: 2 was answered, 3 is recent
  EXPECT_EQ(t.oldest()->seq, 3u);
  EXPECT_TRUE(t.take_expired(1));
  EXPECT_FALSE(t.take_expired(1));  // a second late copy is not late again
  EXPECT_FALSE(t.take_expired(2));
  EXPECT_EQ(t.expire_all(), 1u);
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(t.take_expired(3));
}

TEST(InFlightTable, ExpiredMemoryIsBounded) {
  InFlightTable t;
  const uint64_t n = InFlightTable::kExpiredMemory + 10;
  for (uint64_t s = 1; s <= n; ++s) t.add(s, at(0), at(0));
  EXPECT_EQ(t.expire_all(), n);
  EXPECT_FALSE(t.take_expired(1));  // forgotten
  EXPECT_TRUE(t.take_expired(n));
}

TEST(InFlightTable, FreesItsStorageOnceEmpty) {
  InFlightTable t;
  EXPECT_EQ(t.storage_bytes(), 0u);
  for (uint64_t s = 1; s <= 100; ++s) t.add(s, at(0), at(0));
  EXPECT_GT(t.storage_bytes(), 0u);
  for (uint64_t s = 1; s <= 99; ++s) ASSERT_TRUE(t.take(s));
  EXPECT_GT(t.storage_bytes(), 0u);  // one request still in flight
  ASSERT_TRUE(t.take_oldest());
  EXPECT_EQ(t.storage_bytes(), 0u);  // answered: storage released

  for (uint64_t s = 101; s <= 110; ++s) t.add(s, at(0), at(0));
  EXPECT_EQ(t.expire_sent_before(at(0)), 10u);
  EXPECT_EQ(t.storage_bytes(), 0u);  // timed out: released as well
  t.add(111, at(1), at(1));
  EXPECT_EQ(t.expire_all(), 1u);
  EXPECT_EQ(t.storage_bytes(), 0u);  // connection ended

  // After the connection ended, a new session's table starts empty: nothing stale comes back.
  t.add(112, at(2), at(2));
  auto next = t.take_oldest();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->seq, 112u);
  EXPECT_TRUE(t.empty());
}

}  // namespace
}  // namespace wsload::agent
