// Issue 5 on real daemons: steps inside batch jobs, multi-node launch as ML
// users do it, -K, salloc, squeue --steps, scancel N.S, forged I/O
// connections, and a real interactive --pty session driven through tmux.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/str_split.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

std::string SortedLines(const std::string& s) {
  std::vector<std::string> lines = absl::StrSplit(s, '\n', absl::SkipEmpty());
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class SrunTest : public SharedClusterTest<SrunTest> {
 protected:
  bool Done(uint64_t id, const std::string& state = "COMPLETED", int s = 30) {
    return cluster_->WaitForState(id, state, s);
  }
};

TEST_F(SrunTest, StepsInATwoNodeBatchJobSeeTheirRanksAndAgreeOnTheRendezvous) {
  auto r = cluster_->Run(
      "sbatch --parsable -N2 --ntasks-per-node=1 -o ml.out --wrap '"
      "srun --ntasks-per-node=1 bash -c \"echo rank=\\$SLURM_PROCID node=\\$SLURM_NODEID "
      "local=\\$SLURM_LOCALID of=\\$SLURM_NTASKS step=\\$SLURM_STEP_ID "
      "master=\\$(scontrol show hostnames \\$SLURM_JOB_NODELIST | head -1)\"; "
      "srun false; echo after=$?'");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u) << r.err;
  ASSERT_TRUE(Done(id)) << cluster_->JobState(id);
  std::string out = Slurp(cluster_->work() + "/ml.out");
  EXPECT_THAT(out, HasSubstr("rank=0 node=0 local=0 of=2 step=0 master=mlmini-g2-ghpc-0\n"));
  EXPECT_THAT(out, HasSubstr("rank=1 node=1 local=0 of=2 step=0 master=mlmini-g2-ghpc-0\n"));
  // A failing step is the script's business: it goes on, the job completes.
  EXPECT_THAT(out, HasSubstr("after=1\n"));
}

TEST_F(SrunTest, KillOnBadExitTakesThePeersDown) {
  auto r = cluster_->Run(
      "srun -N2 -K bash -c 'if [ $SLURM_PROCID = 1 ]; then exit 3; fi; sleep 60'");
  EXPECT_EQ(r.rc, 137) << r.err;  // the killed peer is the highest status
  EXPECT_THAT(r.err, HasSubstr("srun: error: mlmini-g2-ghpc-1: task 1: Exited with exit code 3\n"));
  EXPECT_THAT(r.err, HasSubstr("srun: error: mlmini-g2-ghpc-0: task 0: Killed\n"));
}

TEST_F(SrunTest, WaitKillsTheRestSomeSecondsAfterTheFirstTaskEnds) {
  auto r = cluster_->Run("srun -n2 -W 1 bash -c 'if [ $SLURM_PROCID = 0 ]; then exit 0; fi; sleep 60'");
  EXPECT_EQ(r.rc, 137) << r.err;
  EXPECT_THAT(r.err, HasSubstr("srun: error: Timed out waiting for job step to complete\n"));
}

TEST_F(SrunTest, ManyTasksAreLabelledAndLineBuffered) {
  auto r = cluster_->Run("srun -N2 -n6 -l bash -c 'echo a$SLURM_PROCID; echo b$SLURM_PROCID'");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(SortedLines(r.out),
            "0: a0\n0: b0\n1: a1\n1: b1\n2: a2\n2: b2\n3: a3\n3: b3\n4: a4\n4: b4\n5: a5\n5: b5\n");
}

TEST_F(SrunTest, OutputFilesPerTask) {
  auto r = cluster_->Run("srun -n2 -o 'task-%t.out' bash -c 'echo hello $SLURM_PROCID'");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Slurp(cluster_->work() + "/task-0.out"), "hello 0\n");
  EXPECT_EQ(Slurp(cluster_->work() + "/task-1.out"), "hello 1\n");
}

TEST_F(SrunTest, SallocRunsTheCommandInItsAllocationAndReleasesIt) {
  auto r = cluster_->Run("salloc -N1 bash -c 'echo IN $SLURM_JOB_ID; srun bash -c \"echo step $SLURM_JOB_ID\"; exit 4'");
  EXPECT_EQ(r.rc, 4);
  std::string id = r.out.substr(3, r.out.find('\n') - 3);
  EXPECT_EQ(r.out, "IN " + id + "\nstep " + id + "\n");
  EXPECT_EQ(r.err, "salloc: Granted job allocation " + id +
                       "\nsalloc: Relinquishing job allocation " + id + "\n");
  EXPECT_EQ(cluster_->Run("squeue -h -j " + id).out, "");
}

TEST_F(SrunTest, SqueueListsStepsAndScancelEndsOnlyOne) {
  auto r = cluster_->Run(
      "sbatch --parsable -n2 -o steps.out --wrap 'srun -n1 --overlap sleep 60 & "
      "srun -n1 --overlap sleep 60 & wait; echo script-done'");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u);
  std::string sid = std::to_string(id);
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    std::string s = cluster_->Run("squeue -h -s").out;
    return s.find(sid + ".0") != std::string::npos && s.find(sid + ".1") != std::string::npos;
  }, 20)) << cluster_->Run("squeue -s").out;
  EXPECT_THAT(cluster_->Run("squeue -s").out, HasSubstr(sid + ".batch    batch"));
  EXPECT_EQ(cluster_->Run("scancel " + sid + ".0").rc, 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    std::string s = cluster_->Run("squeue -h -s").out;
    return s.find(sid + ".0 ") == std::string::npos && s.find(sid + ".1") != std::string::npos;
  }, 20)) << cluster_->Run("squeue -s").out;
  EXPECT_EQ(cluster_->JobState(id), "RUNNING");
  EXPECT_EQ(cluster_->Run("scancel " + sid).rc, 0);
  EXPECT_TRUE(Done(id, "CANCELLED"));
}

TEST_F(SrunTest, StepsWaitForEachOthersCpusUnlessExactOrOverlap) {
  auto r = cluster_->Run(
      "sbatch --parsable -n2 -o busy.out --wrap '"
      "srun -n1 bash -c \"sleep 1; echo first\" & "
      "until squeue -h -s | grep -q \"\\.0 \"; do sleep 0.05; done; "  // job polls; test has a deadline
      "srun -n1 echo second; wait; "
      "srun -n1 --exact bash -c \"sleep 1; echo x1\" & srun -n1 --exact echo x2; wait'");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(Done(id)) << cluster_->JobState(id);
  std::string out = Slurp(cluster_->work() + "/busy.out");
  EXPECT_THAT(out, ::testing::MatchesRegex(
                       "srun: Job [0-9]+ step creation temporarily disabled, retrying "
                       "\\(Requested nodes are busy\\)\n"
                       "first\n"
                       "srun: Step created for job [0-9]+\n"
                       "second\nx2\nx1\n")) << out;
}

TEST_F(SrunTest, AForgedIoConnectionCannotWriteIntoSomeoneElsesStep) {
  // While a step runs, connect to its srun and claim to be the node's
  // stepd with a made-up credential, then send output: srun must drop it.
  auto r = cluster_->Run(
      "srun bash -c 'echo port=$SLURM_SRUN_COMM_PORT; sleep 2; echo end' > forged.out & "
      "for i in $(seq 1 100); do grep -q port= forged.out 2>/dev/null && break; sleep 0.05; done; "  // poll to a deadline
      "P=$(sed -n 's/port=//p' forged.out); "
      "exec 3<>/dev/tcp/127.0.0.1/$P; "
      "printf '\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x17mlmini-g2-ghpc-0\\nFORGED' >&3; "
      "printf '\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x07HACKED\\n' >&3; wait");
  EXPECT_EQ(r.rc, 0) << r.err;
  std::string out = Slurp(cluster_->work() + "/forged.out");
  EXPECT_THAT(out, HasSubstr("end\n"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("HACKED")));
}

TEST_F(SrunTest, AnotherUserCannotRunStepsInYourAllocation) {
  SLUICE_REQUIRE(IsRoot() && EnsureUser("sluicebob"), "needs root to create users");
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --wrap 'sleep 30'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20));
  auto r = cluster_->Run("srun --jobid=" + std::to_string(id) + " true", "sluicebob", "/tmp");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("Access/permission denied"));
  cluster_->Run("scancel " + std::to_string(id));
}

TEST_F(SrunTest, AHandMadeLaunchTemplateGetsOnlyTheStepsOwnAllocation) {
  // The controller launches srun's tasks from a template srun sends. A
  // request that also carries, in the old forwarded-message field, a node
  // launch claiming uid 0, four GPUs, 64 CPUs and tasks on two nodes must
  // still run one task, as the user MUNGE vouched for, with the one GPU
  // the job was given.
  SLUICE_REQUIRE(IsRoot() && EnsureUser("sluicebob"), "needs root to create users");
  std::string out = cluster_->work() + "/forged-uid";
  cluster_->Run("touch " + out + " && chmod 666 " + out);
  auto r = cluster_->Run(TestToolDir() + "/forge_launch " + out, "sluicebob",
                         "/tmp");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("launched=1 errors=0"));
  ASSERT_TRUE(TestCluster::WaitFor([&] { return Slurp(out).find("gpus=") != std::string::npos; },
                                   20));
  EXPECT_THAT(Slurp(out), ::testing::MatchesRegex(cluster_->Run("id -u sluicebob").out +
                                                  "gpus=[0-9]\n"));
}

TEST_F(SrunTest, ACredentialIsGoodForOneCallWithOneBody) {
  // A credential minted for one request cannot carry another body, nor
  // another method, nor be used twice; the victim job keeps running.
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --wrap 'sleep 30'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20));
  auto r = cluster_->Run(TestToolDir() + "/forge_launch --replay " +
                         std::to_string(id));
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("other-body: status=16 Invalid authentication credential: "
                               "wrong purpose"));
  EXPECT_THAT(r.out, HasSubstr("other-method: status=16 Invalid authentication credential: "
                               "wrong purpose"));
  EXPECT_THAT(r.out, HasSubstr("harmless: status=0"));
  EXPECT_THAT(r.out, HasSubstr("reused: status=16 Invalid authentication credential: Replayed"));
  EXPECT_EQ(cluster_->JobState(id), "RUNNING");
  cluster_->Run("scancel " + std::to_string(id));
}

TEST_F(SrunTest, OnlyTheControllerCanStartTasksOnANode) {
  // A user who calls a node daemon's LaunchTasks directly is refused.
  SLUICE_REQUIRE(IsRoot() && EnsureUser("sluicebob"), "needs root to create users");
  std::string out = cluster_->work() + "/direct-uid";
  auto r = cluster_->Run(TestToolDir() + "/forge_launch --direct " + out,
                         "sluicebob", "/tmp");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("status=7 launch request not from the controller"));
  EXPECT_TRUE(Slurp(out).empty());
}

TEST_F(SrunTest, SrunWaitsForResourcesWithSlurmsMessages) {
  // Both nodes busy with whole-node jobs: srun must queue, then run.
  std::vector<uint64_t> blockers;
  for (int i = 0; i < 2; ++i) {
    blockers.push_back(Parsable(cluster_->Run("sbatch --parsable --exclusive --wrap 'sleep 3'")));
    ASSERT_GT(blockers.back(), 0u);
  }
  for (uint64_t b : blockers) ASSERT_TRUE(cluster_->WaitForState(b, "RUNNING", 20));
  auto r = cluster_->Run("srun -N1 echo ran");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_THAT(r.err, ::testing::MatchesRegex(
                         "srun: job [0-9]+ queued and waiting for resources\n"
                         "srun: job [0-9]+ has been allocated resources\n"));
  // --immediate refuses instead of waiting.
  for (int i = 0; i < 2; ++i)
    blockers.push_back(Parsable(cluster_->Run("sbatch --parsable --exclusive --wrap 'sleep 3'")));
  ASSERT_TRUE(cluster_->WaitForState(blockers.back(), "RUNNING", 20));
  r = cluster_->Run("srun -I -N1 true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("srun: error: Unable to allocate resources: Immediate execution impossible"));
}

// A real terminal: tmux runs srun --pty; keys go in, the pane is read back.
class PtyTest : public SrunTest {
 protected:
  std::string Pane() { return cluster_->Run("tmux -L sluice-pty capture-pane -p -t t").out; }
  bool PaneHas(const std::string& s) {
    return TestCluster::WaitFor([&] { return Pane().find(s) != std::string::npos; }, 20);
  }
  void Keys(const std::string& keys) {
    cluster_->Run("tmux -L sluice-pty send-keys -t t " + keys);
  }
};

TEST_F(PtyTest, AnInteractiveShellBehavesLikeALocalOne) {
  SLUICE_REQUIRE(cluster_->Run("command -v tmux").rc == 0, "tmux not installed");
  cluster_->Run("tmux -L sluice-pty kill-server 2>/dev/null");
  std::string rc_file = cluster_->work() + "/pty-rc";
  ASSERT_EQ(cluster_->Run("tmux -L sluice-pty new-session -d -s t -x 100 -y 30 "
                          "\"srun --pty bash --norc -i; echo \\$? > " + rc_file + "; sleep 60\"").rc, 0);
  Keys("'PS1=\"PROMPT> \"' Enter");
  ASSERT_TRUE(PaneHas("PROMPT> "));
  Keys("'stty size' Enter");
  EXPECT_TRUE(PaneHas("30 100")) << Pane();
  cluster_->Run("tmux -L sluice-pty resize-window -t t -x 120 -y 40");
  Keys("'stty size' Enter");
  EXPECT_TRUE(PaneHas("40 120")) << Pane();
  Keys("'sleep 100' Enter");
  Keys("C-c");
  Keys("'echo still-$((6*7))' Enter");
  EXPECT_TRUE(PaneHas("still-42")) << Pane();
  Keys("'exit 7' Enter");
  EXPECT_TRUE(TestCluster::WaitFor([&] { return Slurp(rc_file) == "7\n"; }, 20)) << Pane();
  EXPECT_EQ(cluster_->Run("squeue -h").out, "");
  cluster_->Run("tmux -L sluice-pty kill-server");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// srun -o/-e/-i FILE are opened on the node by each task (as the user), as
// Slurm's slurmstepd does: every file exists when the step starts, even
// for a task that writes nothing, and -i feeds the file to the tasks.
TEST(SrunFilesTest, OutputErrorAndInputFilesAreTheNodes) {
  auto c = TestCluster::Start();
  ASSERT_NE(c, nullptr);
  auto r = c->Run("srun -N 2 -n 3 -o 'f-%t-%N.out' bash -c '[ $SLURM_PROCID = 1 ] || echo out $SLURM_PROCID'");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Slurp(c->work() + "/f-0-mlmini-g2-ghpc-0.out"), "out 0\n");
  EXPECT_TRUE(std::ifstream(c->work() + "/f-1-mlmini-g2-ghpc-0.out").good());  // empty, but there
  EXPECT_EQ(Slurp(c->work() + "/f-1-mlmini-g2-ghpc-0.out"), "");
  EXPECT_EQ(Slurp(c->work() + "/f-2-mlmini-g2-ghpc-1.out"), "out 2\n");
  // One shared file: every task's lines, none lost to another's truncation;
  // -o alone takes stderr too.
  std::ofstream(c->work() + "/shared.out") << "stale\n";
  r = c->Run("srun -n 2 -o shared.out bash -c 'echo o$SLURM_PROCID; echo e$SLURM_PROCID >&2'");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string shared = Slurp(c->work() + "/shared.out");
  for (const char* line : {"o0\n", "o1\n", "e0\n", "e1\n"}) EXPECT_THAT(shared, HasSubstr(line));
  EXPECT_THAT(shared, ::testing::Not(HasSubstr("stale")));
  // -e alone: stdout still comes to srun.
  r = c->Run("srun -n 1 -e err-%j.txt bash -c 'echo to-srun; echo to-file >&2'");
  EXPECT_EQ(r.out, "to-srun\n");
  // -i FILE: each task reads it.
  std::ofstream(c->work() + "/in.txt") << "fed\n";
  r = c->Run("srun -n 2 -l -i in.txt cat | sort");
  EXPECT_EQ(r.out, "0: fed\n1: fed\n") << r.err;
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// srun --multi-prog, as captured from the reference Slurm
// (tests/reference/slurm-22.05/extra/11_srun_multi_prog.txt).
TEST(SrunMultiProgTest, EachTaskRunsItsLineAndBadFilesGetSlurmsWords) {
  auto c = TestCluster::Start();
  ASSERT_NE(c, nullptr);
  std::ofstream(c->work() + "/mp.conf")
      << "# comment\n0 echo master %t\n1-2 echo worker %t offset %o\n* echo rest %t\n";
  std::ofstream(c->work() + "/mp_missing.conf") << "0 echo only-zero\n";
  std::ofstream(c->work() + "/mp_bad.conf") << "0-x echo bad\n";
  auto r = c->Run("srun -n4 -l --multi-prog mp.conf | sort");
  EXPECT_EQ(r.out, "0: master 0\n1: worker 1 offset 0\n2: worker 2 offset 1\n3: rest 3\n") << r.err;
  r = c->Run("srun -n2 --multi-prog mp_missing.conf");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "srun: error: Configuration file mp_missing.conf invalid, no record for task id 1\n");
  r = c->Run("srun -n2 --multi-prog mp_bad.conf");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "srun: error: Invalid task range specification\n"
                   "srun: error: Line 1 of configuration file mp_bad.conf invalid\n");
  r = c->Run("srun -n2 --multi-prog /nonexistent");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "srun: error: Could not open multi_prog config file /nonexistent\n");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// srun --cpu-bind: each task's affinity within the step's CPUs
// (sched_setaffinity inside the cgroup cpuset); a bad value gets Slurm's
// two lines (captured: "unrecognized --cpu-bind argument", "Failed to
// parse --cpu-bind= values.").
TEST(SrunCpuBindTest, TasksAreBoundWithinTheStepsCpus) {
  ClusterOptions o;
  o.nodes = 1;
  o.cpus_per_node = 2;
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  auto r = c->Run("srun -n2 --cpu-bind=cores -l grep Cpus_allowed_list /proc/self/status | sort");
  EXPECT_EQ(r.out, "0: Cpus_allowed_list:\t0\n1: Cpus_allowed_list:\t1\n") << r.err;
  r = c->Run("srun -n2 --cpu-bind=verbose,map_cpu:1:0 -l grep Cpus_allowed_list /proc/self/status | sort");
  EXPECT_EQ(r.out, "0: Cpus_allowed_list:\t1\n1: Cpus_allowed_list:\t0\n");
  EXPECT_THAT(r.err, ::testing::MatchesRegex(
      "(cpu-bind=MASK - mlmini-g2-ghpc-0, task [01] [01] \\[[0-9]+\\]: mask 0x[12] set\n){2}"));
  r = c->Run("srun -n2 --cpu-bind=none -l grep Cpus_allowed_list /proc/self/status | sort");
  EXPECT_EQ(r.out, "0: Cpus_allowed_list:\t0-1\n1: Cpus_allowed_list:\t0-1\n");
  r = c->Run("srun --cpu-bind=junk true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "srun: error: unrecognized --cpu-bind argument \"junk\"\n"
                   "srun: fatal: Failed to parse --cpu-bind= values.\n");
}

}  // namespace
}  // namespace sluice::testing
