#include "subject_set.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace wsload::target {
namespace {

TEST(SubjectSet, CountsEachSubjectOnce) {
  SubjectSet set(100, 1000);
  for (const char* subject : {"user-0", "user-1", "user-0", "user-2", "user-1", ""}) {
    set.record(subject);
  }
  EXPECT_EQ(set.distinct(), 4u);
  EXPECT_EQ(set.overflow(), 0u);
}

TEST(SubjectSet, CountBoundOverflows) {
  SubjectSet set(3, 1000);
  for (const char* subject : {"a", "b", "c", "d", "a", "e", "d"}) set.record(subject);
  EXPECT_EQ(set.distinct(), 3u);
  EXPECT_EQ(set.overflow(), 3u) << "d, e and d again: an unremembered subject counts each time";
}

TEST(SubjectSet, ByteBoundOverflows) {
  SubjectSet set(100, 10);
  set.record("12345");
  set.record("123456");  // would make 11 bytes
  set.record("abcde");   // exactly 10
  set.record("x");
  EXPECT_EQ(set.distinct(), 2u);
  EXPECT_EQ(set.overflow(), 2u);
}

TEST(SubjectSet, ThreadsRecordingOverlappingSubjectsCountExactly) {
  SubjectSet set(1'000'000, 64 * 1024 * 1024);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&set, t] {
      for (int i = 0; i < 5000; ++i) set.record("user-" + std::to_string((i + t * 1000) % 7000));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(set.distinct(), 7000u);
  EXPECT_EQ(set.overflow(), 0u);
}

}  // namespace
}  // namespace wsload::target
