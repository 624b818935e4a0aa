// The quick-start cluster (`sluice-local up` with its own configuration)
// enforces what a production GPU site enforces, says so truthfully, and
// `sluice-local down` leaves no job behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <fstream>

#include "common/net.h"
#include "local/local_cluster.h"
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

// Ports are picked at random, so two picks can meet; each daemon must
// still get its own (issue 14 point 6: `up --nodes 128` failed one time in
// three on "Address already in use").
TEST(LocalClusterTest, EveryDaemonGetsADifferentPort) {
  std::vector<uint16_t> seq = {5, 5, 6, 0, 5, 6, 7};
  size_t i = 0;
  EXPECT_THAT(local::DistinctPorts(3, [&] { return seq[i++]; }), ::testing::ElementsAre(5, 6, 7));
}

// A start that fails half way stops what it started.
TEST(LocalClusterTest, AFailedUpLeavesNoDaemonRunning) {
  char tmpl[] = "/tmp/sluice-up-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  // The second node's port is held here, so its node daemon cannot listen.
  int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t len = sizeof a;
  getsockname(busy, reinterpret_cast<sockaddr*>(&a), &len);
  local::UpOptions o;
  o.dir = dir;
  o.nodes = 2;
  auto ports = local::DistinctPorts(2, common::PickFreeLoopbackPort);
  std::ofstream(dir + "/busy.conf") << local::RenderSlurmConf(o, ports[0], {ports[1], ntohs(a.sin_port)});
  int rc = std::system((CommandDir() + "/sluice-local up --dir " + dir + " --conf " + dir +
                        "/busy.conf > " + dir + "/up.out 2>&1").c_str());
  EXPECT_NE(rc, 0) << Slurp(dir + "/up.out");
  // It had started the controller and the node daemons (their logs are
  // there), and none of them, nor munged, is left.
  EXPECT_TRUE(std::ifstream(dir + "/log/ctld.log").good());
  EXPECT_TRUE(std::ifstream(dir + "/log/noded-mlmini-g2-ghpc-0.log").good());
  EXPECT_TRUE(TestCluster::WaitFor(
      // ("[/]" keeps pgrep's own shell from matching)
      [&] { return std::system(("pgrep -f '[/]" + dir.substr(1) + "/' > /dev/null").c_str()) != 0; }, 15))
      << "daemons of a failed up are still running";
  close(busy);
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

}  // namespace
}  // namespace sluice::testing
