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


// Thousands of nodes on one host (issue 14 point 6): each sluice-noded
// serves a run of nodes, which share its port in slurm.conf.
TEST(LocalClusterTest, NodesPerDaemonGroupsTheNodesAndTheirPorts) {
  EXPECT_THAT(local::NodeDaemonGroups({"a1", "a2", "a3", "a4", "a5"}, 2),
              ::testing::ElementsAre("a[1-2]", "a[3-4]", "a5"));
  EXPECT_THAT(local::NodeDaemonGroups({"a1", "a2"}, 1), ::testing::ElementsAre("a1", "a2"));
  local::UpOptions o;
  o.dir = "/d";
  o.nodes = 5;
  o.nodes_per_daemon = 2;
  std::string conf = local::RenderSlurmConf(o, 100, {101, 102, 103});
  EXPECT_THAT(conf, HasSubstr("NodeName=mlmini-g2-ghpc-[0-1] NodeAddr=127.0.0.1 "
                              "NodeHostname=localhost Port=101 "));
  EXPECT_THAT(conf, HasSubstr("NodeName=mlmini-g2-ghpc-[2-3] NodeAddr=127.0.0.1 "
                              "NodeHostname=localhost Port=102 "));
  EXPECT_THAT(conf, HasSubstr("NodeName=mlmini-g2-ghpc-4 NodeAddr=127.0.0.1 "
                              "NodeHostname=localhost Port=103 "));
  EXPECT_THAT(conf, HasSubstr("PartitionName=g2 Nodes=mlmini-g2-ghpc-[0-4] "));
}

// Simulated nodes speak the real protocol and run real jobs: each job and
// each task runs on the node it was given, and a daemon serving two nodes
// sends each call to the node it names.
TEST(LocalClusterTest, ADaemonServingSeveralNodesRunsEachNodesJobs) {
  ClusterOptions o;
  o.nodes = 4;
  o.nodes_per_daemon = 2;
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->Run("pgrep -c -f '[s]luice-noded -f " + c->dir() + "/'").out, "2\n");
  EXPECT_THAT(Slurp(c->dir() + "/log/noded-mlmini-g2-ghpc-[2-3].log"),
              HasSubstr("sluice-noded serving 2 nodes, listening on 1 address(es)"));
  auto r = c->Run("srun -N4 -l printenv SLURMD_NODENAME | sort");
  EXPECT_EQ(r.out,
            "0: mlmini-g2-ghpc-0\n1: mlmini-g2-ghpc-1\n2: mlmini-g2-ghpc-2\n3: mlmini-g2-ghpc-3\n")
      << r.err;
  uint64_t id = Parsable(c->Run(
      "sbatch --parsable -w mlmini-g2-ghpc-3 -o where.out --wrap 'echo $SLURMD_NODENAME; sleep 300'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(c->WaitForState(id, "RUNNING", 20));
  ASSERT_TRUE(TestCluster::WaitFor([&] { return !Slurp(c->work() + "/where.out").empty(); }, 10));
  EXPECT_EQ(Slurp(c->work() + "/where.out"), "mlmini-g2-ghpc-3\n");
  // Its sibling on the same daemon does not have it; the node that does
  // lists its processes.
  r = c->Run("scontrol listpids " + std::to_string(id) + " mlmini-g2-ghpc-2");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist on node mlmini-g2-ghpc-2"));
  r = c->Run("scontrol listpids " + std::to_string(id) + " mlmini-g2-ghpc-3");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" batch "));
  // A call that names no node, or one served elsewhere, is refused.
  r = c->Run(TestToolDir() + "/forge_launch --direct " + c->work() + "/forged.out");
  EXPECT_THAT(r.out, HasSubstr("status=3 this sluice-noded serves several nodes; name one"));
  r = c->Run("FORGE_NODE=mlmini-g2-ghpc-9 " + TestToolDir() + "/forge_launch --direct " +
             c->work() + "/forged.out");
  EXPECT_THAT(r.out, HasSubstr("status=5 node mlmini-g2-ghpc-9 is not served here"));
  // scancel reaches the right node through the shared port.
  EXPECT_EQ(c->Run("scancel " + std::to_string(id)).rc, 0);
  EXPECT_TRUE(c->WaitForState(id, "CANCELLED", 20)) << c->JobState(id);
  // The daemon holds one session for both its nodes: when it dies, both
  // go down within SlurmdTimeout (10 s), the other daemon's stay idle.
  auto pid = c->Run("pgrep -f '[s]luice-noded -f " + c->dir() + "/.*ghpc-\\[0-1\\]'").out;
  ASSERT_FALSE(pid.empty());
  ASSERT_EQ(kill(std::atoi(pid.c_str()), SIGKILL), 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return c->Run("sinfo -h -t down -o %N").out == "mlmini-g2-ghpc-[0-1]\n";
  }, 10 + 5)) << c->Run("sinfo").out;
  EXPECT_EQ(c->Run("sinfo -h -t idle -o %N").out, "mlmini-g2-ghpc-[2-3]\n");
}

}  // namespace
}  // namespace sluice::testing
