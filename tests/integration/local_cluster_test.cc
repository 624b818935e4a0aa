// The quick-start cluster (`sluice-local up` with its own configuration)
// enforces what a production GPU site enforces, says so truthfully, and
// `sluice-local down` leaves no job behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>

#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

TEST(LocalClusterTest, ConfinesCoresMemoryAndGpusAsAGpuSiteDoes) {
  SLUICE_REQUIRE(HasV1Controllers(), "needs root and the cpuset, memory, devices controllers");
  auto c = TestCluster::Start();  // sluice-local's own slurm.conf and cgroup.conf
  ASSERT_NE(c, nullptr);
  EXPECT_THAT(Slurp(c->dir() + "/cgroup.conf"),
              HasSubstr("ConstrainCores=yes\nConstrainRAMSpace=yes\nConstrainDevices=yes\n"));
  EXPECT_THAT(Slurp(c->dir() + "/log/noded-" + "mlmini-g2-ghpc-0.log"),
              HasSubstr("enforced: cores, memory, GPU devices"));
  // A --mem=64M job that allocates 600 MB ends OUT_OF_MEMORY.
  uint64_t id = Parsable(c->Run(
      "sbatch --parsable --mem=64M -o oom.out --wrap 'dd if=/dev/zero of=/dev/null bs=600M "
      "count=1; echo after'"));
  ASSERT_GT(id, 0u);
  EXPECT_TRUE(c->WaitForState(id, "OUT_OF_MEMORY", 30)) << c->JobState(id);
  // One CPU asked for, one CPU seen.
  id = Parsable(c->Run("sbatch --parsable -c 1 -o cpus.out --wrap 'nproc'"));
  ASSERT_TRUE(c->WaitForState(id, "COMPLETED", 30));
  EXPECT_EQ(Slurp(c->work() + "/cpus.out"), "1\n");
}

TEST(LocalClusterTest, DownEndsTheClustersRunningJobs) {
  auto c = TestCluster::Start();
  ASSERT_NE(c, nullptr);
  uint64_t id = Parsable(c->Run(
      "sbatch --parsable -o /dev/null --wrap 'sleep 300 & echo $! > bg.pid; sleep 300'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(c->WaitForState(id, "RUNNING", 20));
  std::string pidfile = c->work() + "/bg.pid";
  ASSERT_TRUE(TestCluster::WaitFor([&] { return !Slurp(pidfile).empty(); }, 10));
  pid_t bg = static_cast<pid_t>(std::atoi(Slurp(pidfile).c_str()));
  ASSERT_GT(bg, 0);
  auto r = c->Run(CommandDir() + "/sluice-local down --dir " + c->dir());
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(TestCluster::WaitFor([&] { return ProcessGone(bg); }, 15))
      << "the job's background process outlived sluice-local down";
  EXPECT_EQ(c->Run("pgrep -f 'sluice-stepd.*" + c->dir() + "/'").out, "");
}

}  // namespace
}  // namespace sluice::testing
