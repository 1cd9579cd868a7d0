#include "wsload/shared/strings.hpp"

#include <gtest/gtest.h>

#include "wsload/shared/clock.hpp"

namespace wsload::shared {
namespace {

TEST(Trim, StripsSpacesAndTabsAtBothEndsOnly) {
  EXPECT_EQ(trim("  a b\t "), "a b");
  EXPECT_EQ(trim("\t\tx"), "x");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\nx\n"), "\nx\n");  // only blanks: a newline is content
  static_assert(trim(" k ") == "k");
}

TEST(Trim, ReturnsAViewIntoTheInput) {
  const std::string_view text = "  id ";
  EXPECT_EQ(trim(text).data(), text.data() + 2);
}

TEST(UnixClock, MicrosecondsAndSecondsAgree) {
  const int64_t s_before = unix_s_now();
  const int64_t us = unix_us_now();
  const int64_t s_after = unix_s_now();
  EXPECT_GE(us / 1'000'000, s_before);
  EXPECT_LE(us / 1'000'000, s_after);
  EXPECT_GT(s_before, 1'600'000'000);  // after September 2020: a Unix time, not a steady clock
}

}  // namespace
}  // namespace wsload::shared
