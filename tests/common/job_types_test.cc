#include "common/job_types.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

TEST(JobTypesTest, NamesMatchSlurm) {
  EXPECT_EQ(JobStateName(JobState::kPending), "PENDING");
  EXPECT_EQ(JobStateCompact(JobState::kCompleting), "CG");
  EXPECT_EQ(JobStateCompact(JobState::kTimeout), "TO");
  EXPECT_EQ(JobReasonName(JobReason::kPartitionTimeLimit), "PartitionTimeLimit");
  EXPECT_EQ(JobReasonName(JobReason::kJobHeldUser), "JobHeldUser");
  EXPECT_EQ(*ParseJobState("pd"), JobState::kPending);
  EXPECT_EQ(*ParseJobState("Running"), JobState::kRunning);
  EXPECT_FALSE(ParseJobState("XX").has_value());
  EXPECT_FALSE(JobReasonFromInt(9999).has_value());
  EXPECT_EQ(NodeStateShort(NodeBaseState::kIdle, true, true), "drain");
  EXPECT_EQ(NodeStateShort(NodeBaseState::kMixed, false, true), "mix");
  EXPECT_EQ(NodeStateShort(NodeBaseState::kIdle, false, false), "idle*");
}

}  // namespace
}  // namespace sluice::common

#include "common/begin_time.h"
#include "common/dependency.h"

namespace sluice::common {
namespace {

TEST(DependencyTest, ParsesEveryForm) {
  auto d = ParseDependency("afterok:12:13,afterany:14,after:15+5,singleton");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->terms.size(), 4u);
  EXPECT_FALSE(d->any);
  EXPECT_EQ(d->terms[0].type, DepType::kAfterOk);
  EXPECT_EQ(d->terms[0].jobs, (std::vector<uint64_t>{12, 13}));
  EXPECT_EQ(d->terms[2].delay_min, 5);
  EXPECT_EQ(d->terms[3].type, DepType::kSingleton);
  EXPECT_EQ(FormatDependency(*d), "afterok:12:13,afterany:14,after:15+5,singleton");
  auto any = ParseDependency("afterok:1?afternotok:2");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->any);
  EXPECT_EQ(FormatDependency(*any), "afterok:1?afternotok:2");
  EXPECT_TRUE(ParseDependency("").ok());
}

TEST(DependencyTest, RejectsWithSlurmsMessage) {
  for (const char* bad : {"afterok", "afterok:", "afterok:x", "sometime:1",
                          "afterok:1,", "afterok:1?afterany:2,after:3",
                          "singleton:3", "afterok:1+5", "afterok:0"}) {
    auto d = ParseDependency(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().message(), "Job dependency problem");
  }
}

TEST(BeginTimeTest, ParsesSlurmForms) {
  setenv("TZ", "UTC", 1);
  tzset();
  const int64_t now = 1795900000;  // 2026-11-28T21:06:40Z
  EXPECT_EQ(*ParseBeginTime("now", now), now);
  EXPECT_EQ(*ParseBeginTime("now+60", now), now + 60);
  EXPECT_EQ(*ParseBeginTime("now+1hour", now), now + 3600);
  EXPECT_EQ(*ParseBeginTime("now+2days", now), now + 2 * 86400);
  EXPECT_EQ(*ParseBeginTime("22:00", now), 1795903200);  // later today
  EXPECT_EQ(*ParseBeginTime("16:00", now), 1795968000);  // passed: tomorrow
  EXPECT_EQ(*ParseBeginTime("tomorrow", now), 1795910400);
  EXPECT_EQ(*ParseBeginTime("2027-01-02T03:04:05", now), 1798859045);
  EXPECT_EQ(*ParseBeginTime("2027-01-02", now), 1798848000);
  for (const char* bad : {"", "soon", "now+", "now+5fortnights", "25:00",
                          "2027-13-01", "now-5", "12/40"})
    EXPECT_FALSE(ParseBeginTime(bad, now).ok()) << bad;
}

}  // namespace
}  // namespace sluice::common
