// SnapshotCollector: a report waits for each load thread only until its deadline; a late thread's
// figures come in a later report, none lost or counted twice, and it is not asked twice meanwhile.
#include "snapshot_collector.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <functional>
#include <thread>

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;

// Three load threads whose answers the test gives by hand.
struct Threads {
  std::vector<std::promise<WorkerSnapshot>> promises{3};
  std::array<std::atomic<int>, 3> asked{};  // read by the answering threads
  std::vector<int> recycled = std::vector<int>(3, 0);

  SnapshotCollector::Take take() {
    return [this](size_t i) {
      promises[i] = std::promise<WorkerSnapshot>();
      auto future = promises[i].get_future();
      ++asked[i];  // after the promise is in place: the answering thread waits for this
      return future;
    };
  }
  std::vector<int> asked_counts() const { return {asked[0], asked[1], asked[2]}; }
  // Runs `answers` on a thread of its own once the collector has asked the last thread `round`
  // times (the futures are made inside collect); waits at most 5 s for that.
  std::thread answer_at(int round, std::function<void()> answers) {
    return std::thread([this, round, answers = std::move(answers)] {
      const auto limit = std::chrono::steady_clock::now() + 5s;
      while (asked[2] < round && std::chrono::steady_clock::now() < limit)
        std::this_thread::sleep_for(1ms);
      answers();
    });
  }
  SnapshotCollector::Recycle recycle() {
    return [this](size_t i, shared::MetricsDelta) { ++recycled[i]; };
  }
  void answer(size_t i, uint64_t sent, uint64_t open, bool finished = false) {
    WorkerSnapshot snap;
    snap.delta.counters.messages_sent = sent;
    snap.open = open;
    snap.in_flight = open / 2;
    snap.finished = finished;
    promises[i].set_value(std::move(snap));
  }
};

auto soon() { return std::chrono::steady_clock::now() + 20ms; }

TEST(SnapshotCollector, EveryAnswerInTimeIsMergedAndRecycled) {
  Threads t;
  SnapshotCollector collector(3);
  auto answers = t.answer_at(1, [&] {
    t.answer(0, 1, 10, true);
    t.answer(1, 2, 20, true);
    t.answer(2, 4, 40, true);
  });
  const auto got = collector.collect(t.take(), t.recycle(), std::nullopt);
  answers.join();
  EXPECT_EQ(got.delta.counters.messages_sent, 7u);
  EXPECT_EQ(got.open, 70u);
  EXPECT_EQ(got.in_flight, 35u);
  EXPECT_TRUE(got.all_finished);
  EXPECT_EQ(got.late, 0u);
  EXPECT_EQ(t.recycled, (std::vector<int>{1, 1, 1}));
}

TEST(SnapshotCollector, ALateThreadIsNotWaitedForAndItsFiguresComeInALaterReport) {
  Threads t;
  SnapshotCollector collector(3);
  // First report: every thread answers, so each has gauges on record.
  auto first = t.answer_at(1, [&] {
    for (size_t i = 0; i < 3; ++i) t.answer(i, 1, 10);
  });
  auto got = collector.collect(t.take(), t.recycle(), std::nullopt);
  first.join();
  ASSERT_EQ(got.delta.counters.messages_sent, 3u);

  // Second report: thread 1 does not answer by the deadline.
  auto second = t.answer_at(2, [&] {
    t.answer(0, 5, 11);
    t.answer(2, 7, 13);
  });
  const auto started = std::chrono::steady_clock::now();
  got = collector.collect(t.take(), t.recycle(), soon());
  second.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(got.late, 1u);
  EXPECT_FALSE(got.all_finished);
  EXPECT_EQ(got.delta.counters.messages_sent, 12u);  // threads 0 and 2 only
  EXPECT_EQ(got.open, 11u + 10u + 13u);              // thread 1: its last gauge
  EXPECT_EQ(t.recycled, (std::vector<int>{2, 1, 2}));

  // Thread 1 answers at last; the third report takes that answer (not a new question) with the
  // others' fresh ones.
  t.answer(1, 100, 30, true);
  auto third = t.answer_at(3, [&] {
    t.answer(0, 0, 0, true);
    t.answer(2, 0, 0, true);
  });
  got = collector.collect(t.take(), t.recycle(), soon() + 2s);
  third.join();
  EXPECT_EQ(t.asked_counts(), (std::vector<int>{3, 2, 3}));
  EXPECT_EQ(got.late, 0u);
  EXPECT_TRUE(got.all_finished);
  EXPECT_EQ(got.delta.counters.messages_sent, 100u);
  EXPECT_EQ(got.open, 30u);
  // Conservation: the three reports carried 3 + 12 + 100, every answer's sends once.
  EXPECT_EQ(t.recycled, (std::vector<int>{3, 2, 3}));
}

TEST(SnapshotCollector, WithoutADeadlineALateThreadIsWaitedFor) {
  Threads t;
  SnapshotCollector collector(3);
  auto answers = t.answer_at(1, [&] {
    t.answer(0, 1, 0);
    t.answer(2, 1, 0);
    std::this_thread::sleep_for(50ms);
    t.answer(1, 1, 0);
  });
  const auto got = collector.collect(t.take(), t.recycle(), std::nullopt);
  answers.join();
  EXPECT_EQ(got.late, 0u);
  EXPECT_EQ(got.delta.counters.messages_sent, 3u);
}

}  // namespace
}  // namespace wsload::agent
