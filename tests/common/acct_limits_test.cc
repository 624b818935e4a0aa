// sacctmgr's limit table (issue 13 point 4): TRES lists parse and print
// in Slurm's order and units; each limit's refusals carry sacctmgr's text;
// per-user spellings belong to QOS only.
#include "common/acct_limits.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

TEST(AcctLimitsTest, TresParseAndPrintInSlurmsOrder) {
  auto t = ParseTres("gres/gpu=2,node=2,cpu=8,mem=8G");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTres(*t), "cpu=8,mem=8G,node=2,gres/gpu=2");
  auto cleared = ParseTres("cpu=-1", *t);
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(FormatTres(*cleared), "mem=8G,node=2,gres/gpu=2");
  EXPECT_EQ(FormatTres(*ParseTres("mem=1500")), "mem=1500M");
  EXPECT_EQ(ParseTres("bogus=1").status().message(),
            "sacctmgr: error: slurmdb_format_tres_str: no TRES known by type bogus");
  EXPECT_FALSE(ParseTres("cpu=x").ok());
  EXPECT_FALSE(ParseTres("cpu").ok());
}

TEST(AcctLimitsTest, KeysBelongWhereSlurmTakesThem) {
  EXPECT_EQ(std::string(FindLimitKey("MaxJobs", LimitScope::kAssoc)->name), "maxjobs");
  EXPECT_EQ(FindLimitKey("MaxJobsPU", LimitScope::kAssoc), nullptr);
  EXPECT_EQ(std::string(FindLimitKey("MaxJobsPerUser", LimitScope::kQos)->name), "maxjobs");
  EXPECT_EQ(FindLimitKey("MaxTRESPerUser", LimitScope::kAssoc), nullptr);
  EXPECT_NE(FindLimitKey("maxtrespu", LimitScope::kQos), nullptr);
  EXPECT_EQ(FindLimitKey("Frobnicate", LimitScope::kQos), nullptr);
}

TEST(AcctLimitsTest, ValuesAndRefusals) {
  AcctLimits l;
  const LimitKey& jobs = *FindLimitKey("maxjobs", LimitScope::kAssoc);
  const LimitKey& wall = *FindLimitKey("maxwall", LimitScope::kAssoc);
  const LimitKey& grp = *FindLimitKey("grptres", LimitScope::kAssoc);
  ASSERT_TRUE(SetLimit(l, jobs, "3").ok());
  ASSERT_TRUE(SetLimit(l, wall, "1-02:03:00").ok());
  ASSERT_TRUE(SetLimit(l, grp, "gres/gpu=2").ok());
  EXPECT_EQ(LimitText(l, jobs), "3");
  EXPECT_EQ(LimitText(l, wall), "1-02:03:00");
  EXPECT_EQ(LimitText(l, grp), "gres/gpu=2");
  EXPECT_EQ(SetLimit(l, jobs, "x").message(), "sacctmgr: error: Invalid value for MaxJobs (x)");
  EXPECT_EQ(SetLimit(l, jobs, "x", LimitScope::kQos).message(),
            "sacctmgr: error: Invalid value for MaxJobsPerUser (x)");
  EXPECT_EQ(SetLimit(l, wall, "xyz").message(), " Bad MaxWall time format: MaxWall=xyz");
  ASSERT_TRUE(SetLimit(l, jobs, "-1").ok());
  EXPECT_EQ(LimitText(l, jobs), "");
}

}  // namespace
}  // namespace sluice::common
