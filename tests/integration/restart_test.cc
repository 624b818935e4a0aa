// The controller is killed with SIGKILL and restarted: nothing acknowledged
// is lost and job IDs keep going up.
#include <gtest/gtest.h>

#include "test_cluster.h"

namespace sluice::testing {
namespace {

TEST(RestartTest, PendingJobsSurviveKill9AndIdsContinueUpward) {
  auto cluster = TestCluster::Start();
  ASSERT_NE(cluster, nullptr);
  std::vector<uint64_t> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(Parsable(cluster->Run("sbatch --parsable --hold --wrap true")));
  uint64_t big = Parsable(cluster->Run("sbatch --parsable -N 5 --wrap true"));
  ASSERT_GT(big, held.back());
  auto before = cluster->Run("squeue -o '%i %t %r'").out;

  ASSERT_TRUE(cluster->KillCtld());
  EXPECT_NE(cluster->Run("squeue").rc, 0);
  ASSERT_TRUE(cluster->StartCtld());

  EXPECT_EQ(cluster->Run("squeue -o '%i %t %r'").out, before);
  uint64_t next = Parsable(cluster->Run("sbatch --parsable --hold --wrap true"));
  EXPECT_EQ(next, big + 1);
}

TEST(RestartTest, RunningJobFinishesNormallyAcrossAControllerRestart) {
  auto cluster = TestCluster::Start();
  ASSERT_NE(cluster, nullptr);
  uint64_t id = Parsable(cluster->Run("sbatch --parsable -o r.out --wrap 'sleep 3; echo done'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster->WaitForState(id, "RUNNING", 20));
  ASSERT_TRUE(cluster->KillCtld());
  ASSERT_TRUE(cluster->StartCtld());
  ASSERT_TRUE(cluster->WaitForState(id, "COMPLETED", 30)) << cluster->JobState(id);
  EXPECT_EQ(Slurp(cluster->work() + "/r.out"), "done\n");
}

}  // namespace
}  // namespace sluice::testing
