// scancel on real daemons, with two users: never more than asked. IDs with
// filters act only on the IDs matching every filter; N.S honours --signal;
// -A, -q, -i, -Q and --hurry act as in Slurm 22.05.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

class ScancelTest : public SharedClusterTest<ScancelTest> {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(IsRoot()) << "the scancel tests run jobs as other users: run them as root";
    ASSERT_TRUE(EnsureUser("sluicealice") && EnsureUser("sluicebob"));
    SharedClusterTest::SetUpTestSuite();
  }
  // A running `sleep` job of `user` (root when empty).
  uint64_t Sleeper(const std::string& user = "", const std::string& opts = "") {
    uint64_t id = Parsable(cluster_->Run(
        "sbatch --parsable -o /dev/null " + opts + " --wrap 'sleep 60'", user, "/tmp"));
    EXPECT_GT(id, 0u);
    EXPECT_TRUE(cluster_->WaitForState(id, "RUNNING", 20)) << id;
    return id;
  }
  std::string State(uint64_t id) { return cluster_->JobState(id); }
  void Cleanup(std::initializer_list<uint64_t> ids) {
    std::string cmd = "scancel";
    for (uint64_t id : ids) cmd += " " + std::to_string(id);
    cluster_->Run(cmd);
  }
};

TEST_F(ScancelTest, IdsWithAUserFilterCancelOnlyThoseOfThatUser) {
  uint64_t a1 = Sleeper("sluicealice"), a2 = Sleeper("sluicealice"), b1 = Sleeper("sluicebob");
  auto r = cluster_->Run("scancel -u sluicealice " + std::to_string(b1) + " " + std::to_string(a1));
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(cluster_->WaitForState(a1, "CANCELLED", 20));
  EXPECT_EQ(State(a2), "RUNNING");
  EXPECT_EQ(State(b1), "RUNNING");
  // A step ID with a filter is that step only, never all of alice's jobs.
  r = cluster_->Run("scancel -u sluicealice " + std::to_string(a2) + ".0");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(State(a2), "RUNNING");
  EXPECT_EQ(State(b1), "RUNNING");
  Cleanup({a2, b1});
}

TEST_F(ScancelTest, ASignalToAJobAndAStepKillsNeither) {
  // scancel -s USR1 J K.0: J (a batch job without steps) is not killed;
  // step K.0 gets USR1 and ends; K goes on.
  uint64_t j = Sleeper();
  uint64_t k = Parsable(cluster_->Run(
      "sbatch --parsable -o k.out --wrap 'srun sleep 60; echo after=$?; sleep 60'"));
  ASSERT_GT(k, 0u);
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] {
        return cluster_->Run("squeue -h -s -o %i").out.find(std::to_string(k) + ".0") !=
               std::string::npos;
      },
      20));
  auto r = cluster_->Run("scancel -s USR1 " + std::to_string(j) + " " + std::to_string(k) + ".0");
  EXPECT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] { return Slurp(cluster_->work() + "/k.out").find("after=") != std::string::npos; }, 20));
  EXPECT_EQ(State(j), "RUNNING");
  EXPECT_EQ(State(k), "RUNNING");
  Cleanup({j, k});
}

TEST_F(ScancelTest, AccountQosAndHurry) {
  uint64_t id = Sleeper("sluicealice", "-A ml");
  // No job has a QOS or a reservation on this cluster: nothing matches.
  EXPECT_EQ(cluster_->Run("scancel -q normal " + std::to_string(id)).rc, 0);
  EXPECT_EQ(cluster_->Run("scancel -R maint " + std::to_string(id)).rc, 0);
  EXPECT_EQ(cluster_->Run("scancel -A physics " + std::to_string(id)).rc, 0);
  EXPECT_EQ(State(id), "RUNNING");
  auto r = cluster_->Run("scancel -v -A physics -u sluicealice");
  EXPECT_THAT(r.err, HasSubstr("scancel: error: No active jobs match ALL job filters, including: "
                               "account=physics user_name=sluicealice"));
  EXPECT_EQ(State(id), "RUNNING");
  EXPECT_EQ(cluster_->Run("scancel --hurry -A ml " + std::to_string(id)).rc, 0);
  EXPECT_TRUE(cluster_->WaitForState(id, "CANCELLED", 20));
}

TEST_F(ScancelTest, InteractiveAsksForEachJob) {
  uint64_t id = Sleeper();
  std::string ids = std::to_string(id);
  auto r = cluster_->Run("echo n | scancel -i " + ids);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "Cancel job_id=" + ids + " name=wrap partition=g2 [y/n]? ");
  EXPECT_EQ(State(id), "RUNNING");
  r = cluster_->Run("printf 'maybe\\ny\\n' | scancel --interactive " + ids);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "Cancel job_id=" + ids + " name=wrap partition=g2 [y/n]? Cancel job_id=" +
                       ids + " name=wrap partition=g2 [y/n]? ");
  EXPECT_TRUE(cluster_->WaitForState(id, "CANCELLED", 20));
}

TEST_F(ScancelTest, QuietHidesTheErrorButNotTheExitCode) {
  auto r = cluster_->Run("scancel 999999.0");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "scancel: error: Kill job error on job step id 999999.0: Invalid job id specified\n");
  r = cluster_->Run("scancel -Q 999999.0");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "");
}

TEST_F(ScancelTest, AUserCannotCancelAnothersJobsByFilter) {
  uint64_t b = Sleeper("sluicebob");
  auto r = cluster_->Run("scancel -u sluicebob", "sluicealice", "/tmp");
  EXPECT_NE(r.rc, 0);
  EXPECT_THAT(r.err, HasSubstr("Access/permission denied"));
  r = cluster_->Run("scancel -s KILL --full " + std::to_string(b), "sluicealice", "/tmp");
  EXPECT_NE(r.rc, 0);
  EXPECT_EQ(State(b), "RUNNING");
  Cleanup({b});
}

TEST_F(ScancelTest, OnlyThisClustersNameIsKnown) {
  auto r = cluster_->Run("scancel -M elsewhere 5");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "scancel: error: No cluster 'elsewhere' known by database.\n");
}

}  // namespace
}  // namespace sluice::testing
