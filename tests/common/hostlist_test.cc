#include "common/hostlist.h"
#include "absl/strings/str_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::common {
namespace {

using ::testing::ElementsAre;

TEST(HostlistTest, ExpandsSeedNodes) {
  auto h = ExpandHostlist("mlmini-g2-ghpc-[0-1,5]");
  ASSERT_TRUE(h.ok());
  EXPECT_THAT(*h, ElementsAre("mlmini-g2-ghpc-0", "mlmini-g2-ghpc-1",
                              "mlmini-g2-ghpc-5"));
}

TEST(HostlistTest, KeepsZeroPadding) {
  auto h = ExpandHostlist("n[08-11]");
  ASSERT_TRUE(h.ok());
  EXPECT_THAT(*h, ElementsAre("n08", "n09", "n10", "n11"));
}

TEST(HostlistTest, SeveralBracketGroupsAreACartesianProduct) {
  auto h = ExpandHostlist("rack[1-2]-n[1-2]");
  ASSERT_TRUE(h.ok());
  EXPECT_THAT(*h, ElementsAre("rack1-n1", "rack1-n2", "rack2-n1", "rack2-n2"));
}

TEST(HostlistTest, TopLevelCommasSeparateNames) {
  auto h = ExpandHostlist("a1,b[2-3],c");
  ASSERT_TRUE(h.ok());
  EXPECT_THAT(*h, ElementsAre("a1", "b2", "b3", "c"));
}

TEST(HostlistTest, RejectsMalformedExpressions) {
  for (const char* bad : {"n[1-", "n[3-1]", "n[a-b]", "n]1[", "n[[1]]", "n[]",
                          "n[1-2", "[1-2]]", "n[-1]"}) {
    EXPECT_FALSE(ExpandHostlist(bad).ok()) << bad;
  }
}

TEST(HostlistTest, RefusesHugeRanges) {
  EXPECT_FALSE(ExpandHostlist("n[0-99999999999]").ok());
  EXPECT_FALSE(ExpandHostlist("n[0-999]x[0-999]y[0-999]", 1000000).ok());
}

TEST(HostlistTest, CompressesAsSlurmPrints) {
  EXPECT_EQ(CompressHostlist({"n1", "n2", "n3", "n5"}), "n[1-3,5]");
  EXPECT_EQ(CompressHostlist({"n1"}), "n1");
  EXPECT_EQ(CompressHostlist({"n2", "n1", "n1"}), "n[1-2]");
  EXPECT_EQ(CompressHostlist({"mlmini-g2-ghpc-0", "mlmini-g2-ghpc-1"}),
            "mlmini-g2-ghpc-[0-1]");
  EXPECT_EQ(CompressHostlist({"n08", "n09", "n10"}), "n[08-10]");
  EXPECT_EQ(CompressHostlist({"a1", "b2", "a3"}), "a[1,3],b2");
  EXPECT_EQ(CompressHostlist({"login", "n1"}), "login,n1");
  EXPECT_EQ(CompressHostlist({}), "");
  // Across a change in digit count, as the reference scontrol show hostlist
  // prints them: unpadded numbers join, zero-padded ones keep their width.
  EXPECT_EQ(CompressHostlist({"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10",
                              "n11"}),
            "n[0-11]");
  EXPECT_EQ(CompressHostlist({"n9", "n10"}), "n[9-10]");
  EXPECT_EQ(CompressHostlist({"n08", "n9", "n10"}), "n[9,08,10]");  // see docs/CLI.md
  EXPECT_EQ(CompressHostlist({"n099", "n100"}), "n[099-100]");
  EXPECT_EQ(CompressHostlist({"n98", "n99", "n100", "n0101"}), "n[98-100,0101]");
  std::vector<std::string> gpus;
  for (int i = 1; i <= 100; ++i) gpus.push_back(absl::StrFormat("gpu%03d", i));
  EXPECT_EQ(CompressHostlist(gpus), "gpu[001-100]");
}

TEST(HostlistTest, RoundTrips) {
  for (const char* expr : {"n[1-4]", "gpu[001-128]", "a[1,3,5-7]"}) {
    auto h = ExpandHostlist(expr);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(CompressHostlist(*h), expr);
  }
}

}  // namespace
}  // namespace sluice::common
