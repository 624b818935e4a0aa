#include "cli/scontrol_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/job_types.h"

namespace sluice::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

::sluice::v1::JobInfo Timeout() {
  ::sluice::v1::JobInfo j;
  j.set_job_id(85);
  j.set_name("timeout");
  j.set_user_name("root");
  j.set_group_name("root");
  j.set_priority(4294901692ull);
  j.set_state(::sluice::v1::JOB_STATE_TIMEOUT);
  j.set_reason(static_cast<uint32_t>(common::JobReason::kTimeLimit));
  j.set_exit_signal(15);
  j.set_requeue(true);
  j.set_time_limit_min(1);
  j.set_submit_time(100);
  j.set_eligible_time(100);
  j.set_start_time(100);
  j.set_end_time(174);
  j.set_partition("g2");
  j.set_node_list("n1");
  j.set_batch_host("n1");
  j.set_num_nodes(1);
  j.set_num_cpus(1);
  j.set_num_tasks(1);
  j.set_cpus_per_task(1);
  j.set_work_dir("/tmp/w");
  j.set_std_out("/tmp/w/slurm-%j.out");
  j.set_std_err("/tmp/w/slurm-%j.out");
  j.set_std_in("/dev/null");
  return j;
}

TEST(ScontrolFormatTest, JobLinesFollowSlurmsLayout) {
  std::string out = ScontrolJob(Timeout(), 200, false);
  EXPECT_THAT(out, StartsWith("JobId=85 JobName=timeout\n"
                              "   UserId=root(0) GroupId=root(0) MCS_label=N/A\n"
                              "   Priority=4294901692 Nice=0 Account=(null) QOS=(null)\n"
                              "   JobState=TIMEOUT Reason=TimeLimit Dependency=(null)\n"
                              "   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15\n"
                              "   RunTime=00:01:14 TimeLimit=00:01:00 TimeMin=N/A\n"));
  EXPECT_THAT(out, HasSubstr("   NodeList=n1\n   BatchHost=n1\n"));
  EXPECT_THAT(out, HasSubstr("   StdOut=/tmp/w/slurm-85.out\n   Power=\n   \n\n"));
  std::string one = ScontrolJob(Timeout(), 200, true);
  EXPECT_THAT(one, StartsWith("JobId=85 JobName=timeout UserId=root(0) "));
  EXPECT_THAT(one, HasSubstr(" Power= \n"));
  EXPECT_EQ(one.find('\n'), one.size() - 1);
}

TEST(ScontrolFormatTest, PendingJobShowsItsEstimate) {
  auto j = Timeout();
  j.set_state(::sluice::v1::JOB_STATE_PENDING);
  j.set_start_time(0);
  j.set_node_list("");
  j.set_batch_host("");
  j.set_expected_start(1795903200);
  j.set_sched_nodes("n[1-2]");
  std::string out = ScontrolJob(j, 200, false);
  EXPECT_THAT(out, HasSubstr("   SchedNodeList=n[1-2]\n"));
  EXPECT_THAT(out, HasSubstr("StartTime=" ));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("StartTime=Unknown")));
}

}  // namespace
}  // namespace sluice::cli

namespace sluice::cli {
namespace {

// scontrol show hostlist and hostlistsorted against the reference Slurm's
// answers for a table of lists (extra/12_show_hostlist.txt), runs that
// cross a change in digit count among them.
TEST(ShowHostlistTest, MatchesTheReferenceSlurmOnEveryCase) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) +
                   "/tests/reference/slurm-22.05/extra/12_show_hostlist.txt");
  ASSERT_TRUE(in) << "capture missing";
  int cases = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '[') continue;
    size_t close = line.find("] ");
    size_t bar = line.find(" | ", close);
    std::string expr = line.substr(1, close - 1);
    std::string ordered = line.substr(close + 2, bar - close - 2);
    std::string sorted = line.substr(bar + 3);
    SCOPED_TRACE(expr);
    EXPECT_EQ(ShowHostlist(expr, false).value_or("(error)"), ordered);
    // The one case that differs, on purpose (docs/CLI.md): Slurm's sort
    // rewrites widths while it compares, and there joins n9 and n10 around
    // n08; Sluice keeps n10 with the padded numbers of its width.
    if (expr == "n08,n9,n10") sorted = "n[9,08,10]";
    EXPECT_EQ(ShowHostlist(expr, true).value_or("(error)"), sorted);
    ++cases;
  }
  EXPECT_EQ(cases, 22);
}

}  // namespace
}  // namespace sluice::cli
