#include "common/time_spec.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

int64_t Min(const char* s) {
  auto v = ParseTimeLimit(s);
  EXPECT_TRUE(v.ok()) << s;
  return v.ok() ? *v : -99;
}

TEST(TimeSpecTest, ParsesEverySlurmForm) {
  EXPECT_EQ(Min("10"), 10);             // M
  EXPECT_EQ(Min("10:30"), 11);          // M:S, seconds round up
  EXPECT_EQ(Min("10:00"), 10);
  EXPECT_EQ(Min("1:00:00"), 60);        // H:M:S
  EXPECT_EQ(Min("00:01:00"), 1);
  EXPECT_EQ(Min("1-0"), 24 * 60);       // D-H
  EXPECT_EQ(Min("1-2:3"), 24 * 60 + 2 * 60 + 3);  // D-H:M
  EXPECT_EQ(Min("1-02:03:04"), 24 * 60 + 2 * 60 + 4);  // D-H:M:S, rounded
  EXPECT_EQ(Min("UNLIMITED"), kTimeInfinite);
  EXPECT_EQ(Min("infinite"), kTimeInfinite);
  EXPECT_EQ(Min("-5"), kTimeInvalid);   // Slurm 22.05 accepts it
}

TEST(TimeSpecTest, RejectsGarbage) {
  for (const char* bad : {"abc", "1:2:3:4", "", "1-", "-", "1-2:3:4:5", "::",
                          "10m", "1:", "9999999999", "1-2-3", " 10"}) {
    EXPECT_FALSE(ParseTimeLimit(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseTimeLimit("abc").status().message(),
            "Invalid --time specification");
}

TEST(TimeSpecTest, FormatsAsSqueue) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(34), "0:34");
  EXPECT_EQ(FormatDuration(3723), "1:02:03");
  EXPECT_EQ(FormatDuration(86400), "1-00:00:00");
  EXPECT_EQ(FormatTimeLimit(10), "10:00");
  EXPECT_EQ(FormatTimeLimit(11), "11:00");
  EXPECT_EQ(FormatTimeLimit(60), "1:00:00");
  EXPECT_EQ(FormatTimeLimit(24 * 60 + 2 * 60 + 4), "1-02:04:00");
  EXPECT_EQ(FormatTimeLimit(365 * 24 * 60), "365-00:00:00");
  EXPECT_EQ(FormatTimeLimit(kTimeInfinite), "UNLIMITED");
  EXPECT_EQ(FormatTimeLimit(kTimeInvalid), "INVALID");
  EXPECT_EQ(FormatDurationLong(34), "00:00:34");
  EXPECT_EQ(FormatDurationLong(86400), "1-00:00:00");
}

}  // namespace
}  // namespace sluice::common
