#include "cli/squeue_format.h"

#include <gtest/gtest.h>

#include "common/job_types.h"

namespace sluice::cli {
namespace {

using ::sluice::v1::JobInfo;

JobInfo Running(uint64_t id, const std::string& name) {
  JobInfo j;
  j.set_job_id(id);
  j.set_name(name);
  j.set_user_name("root");
  j.set_partition("g2");
  j.set_state(::sluice::v1::JOB_STATE_RUNNING);
  j.set_start_time(1000);
  j.set_num_nodes(1);
  j.set_num_cpus(2);
  j.set_node_list("n1");
  j.set_time_limit_min(10);
  j.set_priority(4294901708ull);
  return j;
}

TEST(SqueueFormatTest, DefaultFormatMatchesSlurmLayout) {
  auto items = ParseSqueueFormat(kSqueueDefaultFormat);
  EXPECT_EQ(SqueueHeader(items),
            "             JOBID PARTITION     NAME     USER ST       TIME  NODES "
            "NODELIST(REASON)");
  JobInfo j = Running(64, "short1");
  j.set_partition("short");
  EXPECT_EQ(SqueueRow(items, j, 1034),
            "                64     short   short1     root  R       0:34      1 n1");
}

TEST(SqueueFormatTest, PendingShowsReasonAndNamesAreCut) {
  auto items = ParseSqueueFormat(kSqueueDefaultFormat);
  JobInfo j = Running(6, "directives");
  j.set_state(::sluice::v1::JOB_STATE_PENDING);
  j.set_start_time(0);
  j.set_partition("short");
  j.set_reason(static_cast<uint32_t>(common::JobReason::kPriority));
  EXPECT_EQ(SqueueRow(items, j, 5000),
            "                 6     short directiv     root PD       0:00      1 (Priority)");
}

TEST(SqueueFormatTest, LongFormatCutsHeadersButNotTimes) {
  auto items = ParseSqueueFormat(kSqueueLongFormat);
  EXPECT_EQ(SqueueHeader(items),
            "             JOBID PARTITION     NAME     USER    STATE       TIME "
            "TIME_LIMI  NODES NODELIST(REASON)");
  JobInfo j = Running(73, "alicerun");
  j.set_time_limit_min(365 * 24 * 60);
  EXPECT_EQ(SqueueRow(items, j, 1016),
            "                73        g2 alicerun     root  RUNNING       0:16 "
            "365-00:00:00      1 n1");
}

TEST(SqueueFormatTest, CustomFormatsKeepLiteralText) {
  auto items = ParseSqueueFormat("%i|%T|%r|%l|%L|%C|%b|%Q|%p|%a");
  EXPECT_EQ(SqueueHeader(items),
            "JOBID|STATE|REASON|TIME_LIMIT|TIME_LEFT|CPUS|TRES_PER_NODE|PRIORITY|"
            "PRIORITY|ACCOUNT");
  JobInfo j = Running(64, "x");
  EXPECT_EQ(SqueueRow(items, j, 1034),
            "64|RUNNING|None|10:00|9:26|2|N/A|4294901708|0.99998472933657|(null)");
  auto left = ParseSqueueFormat("%-6i|%6i|%.3j");
  // Without "." a width pads on the right, as in Slurm.
  EXPECT_EQ(SqueueRow(left, j, 1034), "64    |64    |  x");
}

TEST(SqueueFormatTest, SortsByPartitionStateThenPriority) {
  JobInfo a = Running(1, "a"), b = Running(2, "b"), c = Running(3, "c");
  b.set_state(::sluice::v1::JOB_STATE_PENDING);
  c.set_partition("short");
  a.set_priority(5);
  JobInfo d = Running(4, "d");
  d.set_priority(9);
  std::vector<const JobInfo*> v = {&c, &a, &b, &d};
  SortJobsDefault(&v);
  EXPECT_EQ(v[0]->job_id(), 2u);  // g2 PD
  EXPECT_EQ(v[1]->job_id(), 4u);  // g2 R, higher priority
  EXPECT_EQ(v[2]->job_id(), 1u);
  EXPECT_EQ(v[3]->job_id(), 3u);  // short
}

}  // namespace
}  // namespace sluice::cli
