// Issue 4 on real daemons: jobs confined and tracked by their sluice-stepd,
// surviving a node daemon killed with -9, OOM, node failure, GPU faults,
// Prolog/TaskProlog/Epilog, --signal and GPU telemetry in scontrol/sinfo.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <signal.h>
#include <dirent.h>
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/str_split.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

const std::string kConf = std::string("ClusterName=nd\n") + kTestConfHeader + R"(SlurmdTimeout=3
ReturnToService=1
UnkillableStepTimeout=10
HealthCheckProgram=@DIR@/health.sh
HealthCheckInterval=1
Prolog=@DIR@/prolog.sh
Epilog=@DIR@/epilog.sh
TaskProlog=@DIR@/task_prolog.sh
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=2 RealMemory=4000 Gres=gpu:2 State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT2@ CPUs=2 RealMemory=4000 Gres=gpu:2 State=UNKNOWN
PartitionName=g2 Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
)";

bool HasMemoryCgroup() {
  return Slurp("/proc/mounts").find(" cgroup ") != std::string::npos &&
         Slurp("/proc/mounts").find("memory") != std::string::npos && IsRoot();
}

// The stepd `noded` keeps started ahead of its next job (0: none yet).
pid_t StandbyStepdOf(pid_t noded) {
  DIR* d = opendir("/proc");
  if (!d) return 0;
  pid_t found = 0;
  while (struct dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (pid <= 0) continue;
    std::string base = "/proc/" + std::string(e->d_name);
    std::string cmd = Slurp(base + "/cmdline");
    if (cmd.find("sluice-stepd") == std::string::npos ||
        cmd.find("--standby") == std::string::npos || ProcessGone(pid))
      continue;
    std::string stat = Slurp(base + "/stat");
    auto rp = stat.rfind(')');
    int ppid = 0;
    if (rp != std::string::npos && sscanf(stat.c_str() + rp + 2, "%*c %d", &ppid) == 1 &&
        ppid == noded)
      found = pid;
  }
  closedir(d);
  return found;
}

void WriteScript(const std::string& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0755);
}

class NodeDaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ClusterOptions o;
    o.conf_text = kConf;
    o.cgroup_conf = "ConstrainCores=yes\nConstrainRAMSpace=yes\nConstrainDevices=yes\n";
    // Unhealthy while a file names the node; says why on its first line.
    o.scripts["health.sh"] =
        "#!/bin/sh\nf=@DIR@/unhealthy-$SLURMD_NODENAME\n"
        "if [ -e $f ]; then cat $f; exit 1; fi\nexit 0\n";
    cluster_ = TestCluster::Start(o).release();
    ASSERT_NE(cluster_, nullptr);
    const std::string d = cluster_->dir();
    // The Prolog fails on a node while a file names it; it and the Epilog
    // leave marks that show they ran, as root, with the job's identity.
    WriteScript(d + "/prolog.sh",
                "echo \"$SLURM_JOB_ID $SLURM_JOB_USER $(id -u)\" >> " + d +
                    "/prolog.log\n[ -e " + d + "/fail-prolog-$SLURMD_NODENAME ] && exit 1\n"
                    "exit 0\n");
    WriteScript(d + "/epilog.sh", "echo \"$SLURM_JOB_ID\" >> " + d + "/epilog.log\n");
    WriteScript(d + "/task_prolog.sh", "echo export FROM_TASK_PROLOG=yes\n");
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  uint64_t Submit(const std::string& args) {
    auto r = cluster_->Run("sbatch --parsable " + args);
    EXPECT_EQ(r.rc, 0) << r.err;
    return Parsable(r);
  }
  static TestCluster* cluster_;
};
TestCluster* NodeDaemonTest::cluster_ = nullptr;

TEST_F(NodeDaemonTest, ADaemonizedGrandchildLeavesNothingBehind) {
  uint64_t id = Submit(
      "-o gc.out --wrap '( setsid sh -c \"sleep 300 & echo \\$! > gc.pid\" & ); "
      "sleep 1; echo parent done'");  // the job's work; the test polls to a deadline
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  pid_t gc = 0;
  std::ifstream(cluster_->work() + "/gc.pid") >> gc;
  ASSERT_GT(gc, 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] { return ProcessGone(gc); }, 10));
  EXPECT_EQ(Slurp(cluster_->work() + "/gc.out"), "parent done\n");
}

TEST_F(NodeDaemonTest, ExceedingMemEndsTheJobOutOfMemory) {
  SLUICE_REQUIRE(HasMemoryCgroup(), "no memory cgroup controller here");
  uint64_t id = Submit("--mem=40M -o oom.out --wrap 'dd if=/dev/zero of=/dev/null bs=300M count=1; echo after'");
  ASSERT_TRUE(cluster_->WaitForState(id, "OUT_OF_MEMORY", 30)) << cluster_->JobState(id);
  auto r = cluster_->Run("scontrol show job " + std::to_string(id) + " | grep -o 'ExitCode=[0-9:]*'");
  EXPECT_EQ(r.out, "ExitCode=0:125\n");
  EXPECT_THAT(Slurp(cluster_->work() + "/oom.out"),
              HasSubstr("slurmstepd: error: Detected 1 oom-kill event(s) in StepId=" +
                        std::to_string(id) + ".batch."));
}

TEST_F(NodeDaemonTest, AJobSurvivesKill9OfItsNodeDaemonAndCompletesWithFullOutput) {
  uint64_t id = Submit("-w n1 -o survive.out --wrap 'for i in 1 2 3 4 5 6; do echo $i; sleep 1; done; echo done'");
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20));
  pid_t noded = cluster_->NodedPid("n1");
  ASSERT_GT(noded, 0);
  kill(noded, SIGKILL);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return cluster_->NodedPid("n1") == 0; }, 10));
  ASSERT_TRUE(cluster_->StartNoded("n1"));
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  EXPECT_EQ(Slurp(cluster_->work() + "/survive.out"), "1\n2\n3\n4\n5\n6\ndone\n");
}

TEST_F(NodeDaemonTest, AStandbyStepdTakesTheNextStepAndGoesWithItsDaemon) {
  // A node daemon keeps one stepd started ahead of time: the next step
  // takes it (its tasks are that process's children) and another takes its
  // place; one that died is simply replaced; it exits with its daemon.
  pid_t noded = cluster_->NodedPid("n1");
  ASSERT_GT(noded, 0);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return StandbyStepdOf(noded) > 0; }, 10));
  pid_t first = StandbyStepdOf(noded);
  auto r = cluster_->Run("srun -w n1 sh -c 'echo $PPID'");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(first) + "\n");
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] { pid_t p = StandbyStepdOf(noded); return p > 0 && p != first; }, 10));
  pid_t second = StandbyStepdOf(noded);
  kill(second, SIGKILL);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return ProcessGone(second); }, 10));
  r = cluster_->Run("srun -w n1 echo still runs");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "still runs\n");
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] { pid_t p = StandbyStepdOf(noded); return p > 0 && p != second; }, 10));
  pid_t third = StandbyStepdOf(noded);
  kill(noded, SIGKILL);
  EXPECT_TRUE(TestCluster::WaitFor([&] { return ProcessGone(third); }, 10));
  ASSERT_TRUE(TestCluster::WaitFor([&] { return cluster_->NodedPid("n1") == 0; }, 10));
  ASSERT_TRUE(cluster_->StartNoded("n1"));
  ASSERT_TRUE(TestCluster::WaitFor([&] { return cluster_->Run("srun -I -w n1 true").rc == 0; }, 30));
}

TEST_F(NodeDaemonTest, ANodeThatStopsAnsweringGoesDownAndItsJobNodeFails) {
  uint64_t id = Submit("-w n2 --no-requeue --wrap 'sleep 60'");
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20));
  pid_t noded = cluster_->NodedPid("n2");
  ASSERT_GT(noded, 0);
  kill(noded, SIGSTOP);  // hung, not dead: no reports reach the controller
  bool down = TestCluster::WaitFor([&] {
    return cluster_->Run("sinfo -h -N -n n2 -o %t 2>/dev/null; scontrol show node n2").out.find(
               "Reason=Not responding") != std::string::npos;
  }, 3 + 10);
  std::string state = cluster_->JobState(id);
  kill(noded, SIGCONT);
  EXPECT_TRUE(down);
  EXPECT_TRUE(cluster_->WaitForState(id, "NODE_FAIL", 10)) << state;
  // ReturnToService=1: the node is back once it answers again.
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("sinfo -h -N -n n2 -o %t").out.find("idle") != std::string::npos ||
           cluster_->Run("sinfo -h -N -o '%N %t'").out.find("n2 idle") != std::string::npos;
  }, 15));
}

// Liveness apart from telemetry: a node daemon whose next report is a
// minute away stays up on its open session (SlurmdTimeout is 3 s here), and
// once it hangs the controller's keepalive still finds it out, though no
// data crossed the connection for many pings.
TEST_F(NodeDaemonTest, AQuietNodeStaysUpOnItsSessionAndAHungOneIsStillSeen) {
  pid_t old = cluster_->NodedPid("n1");
  ASSERT_GT(old, 0);
  kill(old, SIGKILL);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return cluster_->NodedPid("n1") == 0; }, 10));
  ASSERT_TRUE(cluster_->StartNoded("n1", {"--heartbeat-ms", "60000"}));
  pid_t noded = cluster_->NodedPid("n1");
  ASSERT_GT(noded, 0);
  auto state = [&] { return cluster_->Run("sinfo -h -N -n n1 -o %t").out; };
  ASSERT_TRUE(TestCluster::WaitFor([&] { return state() == "idle\n"; }, 10)) << state();
  // Three SlurmdTimeouts without a report: still idle throughout.
  const auto since = std::chrono::steady_clock::now();
  std::string seen;
  TestCluster::WaitFor([&] {
    seen = state();
    return seen != "idle\n" || std::chrono::steady_clock::now() - since > std::chrono::seconds(9);
  }, 15);
  EXPECT_EQ(seen, "idle\n");
  kill(noded, SIGSTOP);
  bool down = TestCluster::WaitFor([&] {
    return cluster_->Run("scontrol show node n1").out.find("Reason=Not responding") !=
           std::string::npos;
  }, 3 + 10);
  kill(noded, SIGCONT);
  EXPECT_TRUE(down);
}

TEST_F(NodeDaemonTest, AnInjectedGpuFaultDrainsTheNodeAndTheNextGpuJobRunsElsewhere) {
  std::ofstream(cluster_->Spool("n1") + "/fake_gpu_faults") << "1 xid=79\n";
  bool drained = TestCluster::WaitFor([&] {
    return cluster_->Run("scontrol show node n1").out.find(
               "Reason=GPU 1 (GPU-fake0000-0000-0000-0000-000000000001): XID 79 (fallen off the bus)") !=
           std::string::npos;
  }, 15);
  EXPECT_TRUE(drained) << cluster_->Run("scontrol show node n1").out;
  uint64_t id = Submit("--gpus-per-node=1 --wrap 'sleep 1'");
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20) ||
              cluster_->WaitForState(id, "COMPLETED", 5));
  auto r = cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o %N");
  EXPECT_EQ(r.out, "n2\n");
  unlink((cluster_->Spool("n1") + "/fake_gpu_faults").c_str());
  EXPECT_EQ(cluster_->Run("scontrol update NodeName=n1 State=RESUME").rc, 0);
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 20));
}

TEST_F(NodeDaemonTest, AFailingPrologDrainsTheNodeAndRequeuesTheJobHeld) {
  std::ofstream(cluster_->dir() + "/fail-prolog-n2") << "";
  uint64_t id = Submit("-w n2 --wrap 'echo should not run'");
  bool requeued = TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h -j " + std::to_string(id) + " -o '%t %r'").out ==
           "PD launch failed requeued held\n";
  }, 20);
  EXPECT_TRUE(requeued) << cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o '%t %r'").out;
  EXPECT_THAT(cluster_->Run("sinfo -R -h").out, MatchesRegex("Prolog error +slurm .* n2\n"));
  EXPECT_THAT(cluster_->Run("scontrol show job " + std::to_string(id)).out,
              HasSubstr("Reason=launch_failed_requeued_held"));
  unlink((cluster_->dir() + "/fail-prolog-n2").c_str());
  EXPECT_EQ(cluster_->Run("scontrol update NodeName=n2 State=RESUME").rc, 0);
  EXPECT_EQ(cluster_->Run("scontrol release " + std::to_string(id)).rc, 0);
  EXPECT_TRUE(cluster_->WaitForState(id, "COMPLETED", 20)) << cluster_->JobState(id);
}

TEST_F(NodeDaemonTest, AJobCanOpenOnlyItsOwnGpuDevices) {
  SLUICE_REQUIRE(IsRoot() && Slurp("/proc/mounts").find("devices") != std::string::npos,
                 "needs root and the v1 devices controller");
  // Device nodes with NVIDIA's major number: opening one the job may use
  // fails with ENXIO (no driver here); one it may not use, with EPERM.
  const std::string d = cluster_->dir();
  ASSERT_EQ(system(("mknod -m 666 " + d + "/nv0 c 195 0 && mknod -m 666 " + d +
                    "/nv1 c 195 1").c_str()), 0);
  uint64_t id = Submit("-w n1 --gpus-per-node=1 -o dev.out --wrap 'echo $CUDA_VISIBLE_DEVICES; "
                       "for g in 0 1; do (exec 3<>" + d + "/nv$g) 2>&1 | sed \"s/.*: //\"; done'");
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 20)) << cluster_->JobState(id);
  std::string out = Slurp(cluster_->work() + "/dev.out");
  std::string mine = out.substr(0, out.find('\n'));
  std::string allowed = "No such device or address", denied = "Operation not permitted";
  EXPECT_EQ(out, mine + "\n" + (mine == "0" ? allowed : denied) + "\n" +
                     (mine == "1" ? allowed : denied) + "\n");
}

TEST_F(NodeDaemonTest, AFailingHealthCheckDrainsTheNodeUntilItPassesAgain) {
  std::ofstream(cluster_->dir() + "/unhealthy-n2") << "NHC: /scratch is full\n";
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("sinfo -R -h").out.find("NHC: /scratch is fu") != std::string::npos;
  }, 15)) << cluster_->Run("sinfo -R").out;
  EXPECT_THAT(cluster_->Run("scontrol show node n2").out, HasSubstr("Reason=NHC: /scratch is full"));
  unlink((cluster_->dir() + "/unhealthy-n2").c_str());
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("scontrol show node n2").out.find("Reason=") == std::string::npos;
  }, 15)) << cluster_->Run("scontrol show node n2").out;
}

TEST_F(NodeDaemonTest, PrologTaskPrologAndEpilogRunAroundTheJob) {
  uint64_t id = Submit("-o tp.out --wrap 'echo task_prolog=$FROM_TASK_PROLOG'");
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 20));
  EXPECT_EQ(Slurp(cluster_->work() + "/tp.out"), "task_prolog=yes\n");
  EXPECT_THAT(Slurp(cluster_->dir() + "/prolog.log"),
              HasSubstr(std::to_string(id) + " root 0\n"));
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return Slurp(cluster_->dir() + "/epilog.log").find(std::to_string(id) + "\n") !=
           std::string::npos;
  }, 10));
}

TEST_F(NodeDaemonTest, SignalOptionReachesTheBatchShellBeforeTheLimit) {
  uint64_t id = Submit("-t 1 --signal=B:USR1@58 -o sig.out --wrap "
                       "'trap \"echo got USR1; exit 0\" USR1; for i in $(seq 1 300); do sleep 0.1; done'");  // job; poll w/ deadline
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  EXPECT_EQ(Slurp(cluster_->work() + "/sig.out"), "got USR1\n");
}

TEST_F(NodeDaemonTest, TelemetryAndGpuUseShowInScontrolAndSinfo) {
  uint64_t id = Submit("-w n1 --gpus-per-node=1 --wrap 'sleep 30'");
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20));
  std::string job = "Job=" + std::to_string(id);
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("scontrol -d show node n1").out.find("GPU0: " + job + " Health=OK Util=") !=
           std::string::npos;
  }, 10)) << cluster_->Run("scontrol -d show node n1").out;
  EXPECT_THAT(cluster_->Run("scontrol -d show node n1").out,
              HasSubstr("   GresUsed=gpu:1(IDX:0)\n"));
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("sinfo -h -N -n n1 -O NodeList:6,GresUsed:16").out ==
           "n1    gpu:1(IDX:0)    \n";
  }, 10)) << cluster_->Run("sinfo -h -N -O NodeList:6,GresUsed:16").out;
  EXPECT_EQ(cluster_->Run("scancel " + std::to_string(id)).rc, 0);
}

// cgroup v2 (forced, on this machine's controller-less cgroup2 mount):
// tracking through the job's v2 cgroup and GPU device filtering by eBPF.
TEST(NodeDaemonCgroupV2Test, JobsAreTrackedAndLimitedToTheirGpusOnV2) {
  SLUICE_REQUIRE(IsRoot() && Slurp("/proc/mounts").find("cgroup2") != std::string::npos,
                 "needs root and a cgroup2 mount");
  ClusterOptions o;
  o.conf_text = std::string("ClusterName=v2\n") + kTestConfHeader +
                "NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=2 "
                "RealMemory=4000 Gres=gpu:2 State=UNKNOWN\n"
                "PartitionName=g2 Nodes=n1 Default=YES MaxTime=INFINITE State=UP\n";
  o.cgroup_conf = "CgroupPlugin=cgroup/v2\nConstrainDevices=yes\n";
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  EXPECT_THAT(Slurp(c->dir() + "/log/noded-n1.log"), HasSubstr("tracking jobs with cgroup/v2"));
  const std::string d = c->dir();
  ASSERT_EQ(system(("mknod -m 666 " + d + "/nv0 c 195 0 && mknod -m 666 " + d +
                    "/nv1 c 195 1").c_str()), 0);
  auto r = c->Run("sbatch --parsable --gpus-per-node=1 -o v2.out --wrap '"
                  "grep -c sluice /proc/self/cgroup; "
                  "( setsid sh -c \"sleep 300 & echo \\$! > v2gc.pid\" & ); "  // the job's daemon; the test polls to a deadline
                  "until [ -s v2gc.pid ]; do sleep 0.05; done; "  // the job waits for its daemon's pid
                  "for g in 0 1; do (exec 3<>" + d + "/nv$g) 2>&1 | sed \"s/.*: //\"; done'");
  ASSERT_EQ(r.rc, 0) << r.err;
  uint64_t id = Parsable(r);
  ASSERT_TRUE(c->WaitForState(id, "COMPLETED", 20)) << c->JobState(id);
  EXPECT_EQ(Slurp(c->work() + "/v2.out"),
            "1\nNo such device or address\nOperation not permitted\n");
  pid_t gc = 0;
  std::ifstream(c->work() + "/v2gc.pid") >> gc;
  ASSERT_GT(gc, 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] { return ProcessGone(gc); }, 10));
}


// A root node daemon turns on favordynmods on the host's cgroup2 mount (so
// moving a job's first task into its cgroups never waits for an RCU grace
// period, issue 14 point 4), and leaves it alone when slurm.conf says
// SlurmdParameters=no_cgroup_favordynmods.
TEST(NodeDaemonCgroupMovesTest, FavordynmodsIsOnAfterARootDaemonStartsUnlessTurnedOff) {
  SLUICE_REQUIRE(IsRoot() && Slurp("/proc/mounts").find(" cgroup2 ") != std::string::npos,
                 "needs root and a cgroup2 mount");
  auto start = [](const std::string& extra) {
    ClusterOptions o;
    o.conf_text = std::string("ClusterName=fdm\n") + kTestConfHeader + extra +
                  "NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=2 "
                  "RealMemory=4000 State=UNKNOWN\n"
                  "PartitionName=g2 Nodes=n1 Default=YES MaxTime=INFINITE State=UP\n";
    return TestCluster::Start(o);
  };
  {
    auto c = start("SlurmdParameters=no_cgroup_favordynmods\n");
    ASSERT_NE(c, nullptr);
    std::string log = Slurp(c->dir() + "/log/noded-n1.log");
    EXPECT_THAT(log, HasSubstr("tracking jobs with cgroup"));
    EXPECT_THAT(log, Not(HasSubstr("cgroup moves:")));
  }
  auto c = start("");
  ASSERT_NE(c, nullptr);
  std::string log = Slurp(c->dir() + "/log/noded-n1.log");
  bool on = false;
  for (absl::string_view line : absl::StrSplit(Slurp("/proc/mounts"), '\n'))
    on = on || (line.find(" cgroup2 ") != std::string::npos &&
                line.find("favordynmods") != std::string::npos);
  if (log.find("could not remount") == std::string::npos) {
    // Either this daemon remounted or an earlier one had (the kernel keeps it).
    EXPECT_TRUE(log.find("cgroup moves: remounted ") != std::string::npos ||
                log.find("favordynmods is already on at ") != std::string::npos)
        << log;
    EXPECT_TRUE(on) << Slurp("/proc/mounts");
  } else {
    // A kernel before 6.2 does not know the option: said, and nothing changed.
    EXPECT_THAT(log, HasSubstr("waits for an RCU grace period"));
    EXPECT_FALSE(on);
  }
}

}  // namespace
}  // namespace sluice::testing
