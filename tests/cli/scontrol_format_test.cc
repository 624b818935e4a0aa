#include "cli/scontrol_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
