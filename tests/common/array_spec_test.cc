#include "common/array_spec.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

std::string Fmt(const char* spec, uint32_t max = 1001) {
  auto a = ParseArraySpec(spec, max);
  if (!a.ok()) return std::string(a.status().message());
  return a->indexes.Format() + (a->throttle ? "%" + std::to_string(a->throttle) : "");
}

TEST(ArraySpecTest, FormatsAsSqueueShowsThem) {
  // From the reference captures (squeue on real Slurm 22.05).
  EXPECT_EQ(Fmt("1-9:2"), "1,3,5,7,9");
  EXPECT_EQ(Fmt("0-5%2"), "0-5%2");
  EXPECT_EQ(Fmt("1,3,7-8"), "1,3,7-8");
  EXPECT_EQ(Fmt("0-1000"), "0-1000");
  EXPECT_EQ(Fmt("1-3,,"), "1-3");
  EXPECT_EQ(Fmt("3-4%2"), "3-4%2");
}

TEST(ArraySpecTest, ThrottleThatIsNotPositiveMeansNoLimitAsInSlurm) {
  EXPECT_EQ(Fmt("1-3%0"), "1-3");
  EXPECT_EQ(Fmt("1-3%-1"), "1-3");
  EXPECT_EQ(Fmt("1-3%abc"), "1-3");
}

TEST(ArraySpecTest, BadSpecificationsGetSlurmsError) {
  for (const char* bad : {"abc", "5-1", "1-5:0", "-1", "0-1001", "1001", "1:2", "1-", "-",
                          "%2", ",", "1-3x", "99999999999", "1-3:abc"}) {
    EXPECT_EQ(Fmt(bad), "Invalid job array specification") << bad;
  }
  EXPECT_EQ(Fmt("0-4000000", 4000001), "0-4000000");
  EXPECT_EQ(Fmt("4000001", 4000001), "Invalid job array specification");
}

TEST(ArraySpecTest, OverlappingRunsMerge) {
  EXPECT_EQ(Fmt("1-5,3-7"), "1-7");
  EXPECT_EQ(Fmt("0-10:2,1-9:2"), "0-10");
  auto a = ParseArraySpec("0-10:2,4", 1001);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->indexes.Count(), 6u);
}

TEST(ArraySpecTest, RemoveSplitsRunsAndCountsStayRight) {
  auto a = ParseArraySpec("0-99999:3", 100000);
  ASSERT_TRUE(a.ok());
  ArrayIndexSet s = a->indexes;
  EXPECT_EQ(s.Count(), 33334u);
  EXPECT_EQ(s.runs().size(), 1u);  // a few words, however many tasks
  EXPECT_TRUE(s.Contains(300));
  EXPECT_FALSE(s.Contains(301));
  EXPECT_TRUE(s.Remove(300));
  EXPECT_FALSE(s.Remove(300));
  EXPECT_FALSE(s.Contains(300));
  EXPECT_EQ(s.Count(), 33333u);
  EXPECT_EQ(s.PopFirst(), 0u);
  EXPECT_EQ(s.Min(), 3u);
  EXPECT_EQ(s.Max(), 99999u);
  auto back = ParseTaskSelection(s.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
}

TEST(ArraySpecTest, StepIsTheCommonSpacing) {
  EXPECT_EQ(ParseArraySpec("1-9:2", 1001)->indexes.Step(), 2u);
  EXPECT_EQ(ParseArraySpec("3-4", 1001)->indexes.Step(), 1u);
  EXPECT_EQ(ParseArraySpec("1,3,7-8", 1001)->indexes.Step(), 1u);
}

TEST(ArraySpecTest, TaskSelections) {
  EXPECT_EQ(ParseTaskSelection("[1-3,5]")->Format(), "1-3,5");
  EXPECT_EQ(ParseTaskSelection("7")->Format(), "7");
  EXPECT_FALSE(ParseTaskSelection("[1-3").ok());
  EXPECT_FALSE(ParseTaskSelection("").ok());
}

}  // namespace
}  // namespace sluice::common

#include "common/multi_prog.h"

namespace sluice::common {
namespace {

TEST(MultiProgTest, RangesOffsetsAndErrors) {
  auto l = ParseMultiProg("0 a %t\n1-3,5 b %t %o # c\n* 'c d' %t\n", "f", 7);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(*MultiProgArgv(*l, 0), (std::vector<std::string>{"a", "0"}));
  EXPECT_EQ(*MultiProgArgv(*l, 5), (std::vector<std::string>{"b", "5", "3"}));
  EXPECT_EQ(*MultiProgArgv(*l, 6), (std::vector<std::string>{"c d", "6"}));
  EXPECT_EQ(ParseMultiProg("0 a\n", "f", 2).status().message(),
            "Configuration file f invalid, no record for task id 1");
  EXPECT_EQ(ParseMultiProg("x a\n", "f", 0).status().message(),
            "Invalid task range specification\nLine 1 of configuration file f invalid");
  EXPECT_FALSE(ParseMultiProg("0\n", "f", 0).ok());  // a range with no program
}

}  // namespace
}  // namespace sluice::common
