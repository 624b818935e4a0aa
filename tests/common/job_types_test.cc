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
                          "2027-13-01", "12/40"})
    EXPECT_FALSE(ParseBeginTime(bad, now).ok()) << bad;
}

// What real Slurm 22.05 made of each form at 2026-11-30T01:58:45Z (the
// StartTime of a held job; past times are "now"), and where it stopped.
TEST(BeginTimeTest, MatchesSlurmOnEveryForm) {
  setenv("TZ", "UTC", 1);
  tzset();
  const int64_t now = 1796003925;  // 2026-11-30T01:58:45Z
  auto at = [&](const char* s) { return *ParseBeginTime(s, now); };
  EXPECT_EQ(at("noon-tomorrow"), 1796126400);     // 2026-12-01T12:00:00
  EXPECT_EQ(at("now+2hours"), now + 7200);
  EXPECT_EQ(at("noon"), 1796040000);              // 2026-11-30T12:00:00
  EXPECT_EQ(at("tomorrow"), 1796083200);          // 2026-12-01T00:00:00
  EXPECT_EQ(at("4:30PM"), 1796056200);            // 2026-11-30T16:30:00
  EXPECT_EQ(at("midnight"), 1796083200);
  EXPECT_EQ(at("fika"), 1796050800);
  EXPECT_EQ(at("teatime"), 1796054400);
  EXPECT_EQ(at("now-1hour"), now - 3600);         // past: eligible now
  EXPECT_EQ(at("now+30minutes"), now + 1800);
  EXPECT_EQ(at("now+1week"), now + 7 * 86400);
  EXPECT_LT(at("113026"), now);                   // MMDDYY, today 00:00: past
  EXPECT_EQ(at("11/30"), 1827532800);             // passed this year: 2027-11-30
  EXPECT_LT(at("11.30.26"), now);
  EXPECT_EQ(at("2026-12-01T10:30"), 1796121000);
  EXPECT_LT(at("today"), now + 1);
  EXPECT_EQ(at("now+3"), now + 3);
  for (auto [bad, pos] : {std::pair{"4pm", 1}, std::pair{"elevenses", 0},
                          std::pair{"2026-12-01T10", 13}, std::pair{"junk", 0},
                          std::pair{"tomorrow+1hour", 8}}) {
    auto t = ParseBeginTime(bad, now);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().message(), "Invalid time specification (pos=" + std::to_string(pos) +
                                        "): " + bad);
  }
}

}  // namespace
}  // namespace sluice::common
