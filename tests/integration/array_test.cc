// Job arrays on real daemons: squeue/scontrol/scancel views and selectors
// (N, N_i, N_[a-b]) as Slurm 22.05 shows them (captures in
// tests/reference/slurm-22.05/extra/11_array_*), %A/%a file names, the
// SLURM_ARRAY_* variables, %throttle, sbatch --wait and bad specifications.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

class ArrayJobTest : public SharedClusterTest<ArrayJobTest> {
 protected:
  std::string Q(const std::string& args) { return cluster_->Run("squeue -h " + args).out; }
  // Every record's state, one word each, "" when the array is gone.
  std::vector<std::string> States(uint64_t id) {
    return absl::StrSplit(Q("-t all -r -j " + std::to_string(id) + " -o %T"), '\n',
                          absl::SkipEmpty());
  }
  bool AllEnded(uint64_t id, size_t tasks) {
    auto s = States(id);
    if (s.size() != tasks) return false;
    for (const auto& x : s)
      if (x != "COMPLETED" && x != "FAILED" && x != "CANCELLED") return false;
    return true;
  }
};

TEST_F(ArrayJobTest, TasksRunWithTheirVariablesAndFileNames) {
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable --array=0-2 --output=arr-%A_%a.out --wrap "
      "'echo task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID "
      "count=$SLURM_ARRAY_TASK_COUNT min=$SLURM_ARRAY_TASK_MIN max=$SLURM_ARRAY_TASK_MAX "
      "step=$SLURM_ARRAY_TASK_STEP'"));
  ASSERT_GT(id, 0u);
  uint64_t dflt = Parsable(cluster_->Run("sbatch --parsable --array=1-2 --wrap 'echo default-array-name'"));
  ASSERT_TRUE(TestCluster::WaitFor([&] { return AllEnded(id, 3) && AllEnded(dflt, 2); }, 60))
      << Q("-t all -r");
  for (int t = 0; t < 3; ++t) {
    std::string f = cluster_->work() + "/arr-" + std::to_string(id) + "_" + std::to_string(t) + ".out";
    EXPECT_EQ(Slurp(f), "task " + std::to_string(t) + " of " + std::to_string(id) +
                            " count=3 min=0 max=2 step=1\n") << f;
  }
  for (int t = 1; t <= 2; ++t)
    EXPECT_EQ(Slurp(cluster_->work() + "/slurm-" + std::to_string(dflt) + "_" + std::to_string(t) + ".out"),
              "default-array-name\n");
  // Started tasks are N_i in squeue's %i; %F is the array, %A each record's own ID.
  auto rows = Q("-t all -j " + std::to_string(id) + " -o '%i|%F|%K' -S i");
  EXPECT_THAT(rows, HasSubstr(std::to_string(id) + "_0|" + std::to_string(id) + "|0\n"));
  EXPECT_THAT(rows, HasSubstr(std::to_string(id) + "_2|" + std::to_string(id) + "|2\n"));
}

TEST_F(ArrayJobTest, WaitingTasksAreOneRecordShownAsSlurmShowsThem) {
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --hold --array=1-9:2 -o /dev/null --wrap true"));
  ASSERT_GT(id, 0u);
  std::string n = std::to_string(id);
  EXPECT_EQ(Q("-j " + n + " -o '%i|%A|%F|%K|%r'"),
            n + "_[1,3,5,7,9]|" + n + "|" + n + "|1,3,5,7,9|JobHeldUser\n");
  EXPECT_EQ(Q("-r -j " + n + " -o %i"), n + "_1\n" + n + "_3\n" + n + "_5\n" + n + "_7\n" + n + "_9\n");
  EXPECT_EQ(Q("-j " + n + "_7 -o %i"), n + "_7\n");
  auto show = cluster_->Run("scontrol show job " + n + "_3");
  EXPECT_THAT(show.out, HasSubstr("JobId=" + n + " ArrayJobId=" + n + " ArrayTaskId=3 JobName=wrap\n"));
  auto missing = cluster_->Run("scontrol show job " + n + "_4");
  EXPECT_EQ(missing.rc, 1);
  EXPECT_EQ(missing.err, "Job " + n + "_4 not found\n");
  // Cancelling some tasks leaves the others waiting in the array's record.
  EXPECT_EQ(cluster_->Run("scancel " + n + "_[1-3]").rc, 0);
  EXPECT_EQ(Q("-j " + n + " -o %i"), n + "_[5,7,9]\n");
  // Releasing one task splits it off; it runs on its own.
  EXPECT_EQ(cluster_->Run("scontrol release " + n + "_5").rc, 0);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return Q("-t CD -j " + n + " -o %i") == n + "_5\n"; }, 30))
      << Q("-t all -j " + n);
  EXPECT_EQ(Q("-j " + n + " -o %i"), n + "_[7,9]\n");
  EXPECT_EQ(cluster_->Run("scancel " + n).rc, 0);
  EXPECT_EQ(Q("-j " + n + " -o %i"), "");
}

TEST_F(ArrayJobTest, ThrottleHoldsTasksBackWithJobArrayTaskLimit) {
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --array=1-4%1 -o /dev/null --wrap 'sleep 1'"));
  ASSERT_GT(id, 0u);
  std::string n = std::to_string(id);
  bool saw_limit = false;
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    std::string running = Q("-t R -j " + n + " -o %i");
    EXPECT_LE(std::count(running.begin(), running.end(), '\n'), 1) << running;
    saw_limit |= Q("-t PD -j " + n + " -o %r").find("JobArrayTaskLimit") != std::string::npos;
    return AllEnded(id, 4);
  }, 60)) << Q("-t all -r -j " + n);
  EXPECT_TRUE(saw_limit);
}

TEST_F(ArrayJobTest, SbatchWaitReturnsTheHighestExitCodeOfTheTasks) {
  auto r = cluster_->Run("sbatch --wait --array=1-3 -o /dev/null --wrap 'exit $SLURM_ARRAY_TASK_ID'");
  EXPECT_EQ(r.rc, 3) << r.err;
}

TEST_F(ArrayJobTest, BadSpecificationsGetSlurmsErrorAndSubmitNothing) {
  for (const char* spec : {"abc", "0-1001", "5-1", "1-5:0", "-1"}) {
    auto r = cluster_->Run(std::string("sbatch --array=") + spec + " --wrap true");
    EXPECT_EQ(r.rc, 1) << spec;
    EXPECT_EQ(r.err, "sbatch: error: Batch job submission failed: Invalid job array specification\n")
        << spec;
    EXPECT_EQ(r.out, "");
  }
  // Slurm takes an empty --array as no array at all.
  uint64_t plain = Parsable(cluster_->Run("sbatch --parsable --array= -o /dev/null --wrap true"));
  ASSERT_GT(plain, 0u);
  EXPECT_EQ(Q("-t all -j " + std::to_string(plain) + " -o %K"), "N/A\n");
}

// The same submissions as the reference capture, then squeue with the same
// format: identical output once each captured job ID is replaced by the ID
// Sluice gave the same submission (IDs only; no blanket digit rewriting).
TEST_F(ArrayJobTest, PendingArraysMatchTheReferenceCaptures) {
  cluster_->Run("scancel -u root");
  ASSERT_TRUE(TestCluster::WaitFor([&] { return Q("-o %i").empty(); }, 20)) << Q("");
  std::vector<std::pair<std::string, std::string>> ids;  // captured -> ours
  for (const char* name : {"11_array_submit_step", "11_array_submit_throttle",
                           "11_array_submit_list", "11_array_submit_zero_throttle"}) {
    std::string cmd = CapturedCommand(name);
    auto r = cluster_->Run(cmd);
    ASSERT_EQ(r.rc, 0) << cmd << r.err;
    std::string theirs = CapturedSection(name, "stdout");
    ids.push_back({theirs.substr(0, theirs.size() - 1), r.out.substr(0, r.out.size() - 1)});
  }
  auto ours = [&](std::string text) {
    // Longest first, so 22 is not rewritten inside 225; each ID is matched
    // as a whole word followed by '_' or '|' or a line end.
    for (const auto& [theirs, mine] : ids)
      for (const char* after : {"_", "|", "\n"})
        text = absl::StrReplaceAll(text, {{theirs + after, "@" + mine + after}});
    return absl::StrReplaceAll(text, {{"@", ""}});
  };
  for (const char* name : {"11_array_squeue_pending", "11_array_squeue_r"}) {
    std::string cmd = CapturedCommand(name);
    auto r = cluster_->Run(cmd);
    EXPECT_EQ(r.out, ours(CapturedSection(name, "stdout"))) << cmd;
  }
  cluster_->Run("scancel -u root");
}

}  // namespace
}  // namespace sluice::testing
