// The node daemon's job bookkeeping against a fake stepd control and a real
// temporary spool directory.
#include "nodedaemon/core/job_supervisor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

namespace sluice::node {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FakeStepds : public StepdControl {
 public:
  absl::StatusOr<pid_t> Start(const std::string& dir) override {
    started.push_back(dir);
    if (fail) return absl::InternalError("fork: no memory");
    alive.insert(next_pid);
    return next_pid++;
  }
  absl::StatusOr<std::string> Send(const std::string& dir,
                                   const std::string& line) override {
    if (deaf.count(dir)) return absl::UnavailableError(dir + "/stepd.sock: No such file or directory");
    sent.push_back(dir + ": " + line);
    return std::string("ok");
  }
  bool Alive(pid_t pid) override { return alive.count(pid) > 0; }
  std::vector<std::string> started, sent;
  std::set<std::string> deaf;  // stepds not listening yet
  std::set<pid_t> alive;
  pid_t next_pid = 1000;
  bool fail = false;
};

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class JobSupervisorTest : public ::testing::Test {
 protected:
  JobSupervisorTest() {
    char tmpl[] = "/tmp/sluice-sup-XXXXXX";
    spool_ = mkdtemp(tmpl);
  }
  ~JobSupervisorTest() override { EXPECT_EQ(system(("rm -rf " + spool_).c_str()), 0); }
  SupervisorOptions Opts() {
    SupervisorOptions o;
    o.node_name = "n1";
    o.hostname = "host";
    o.spool_dir = spool_;
    o.conf_path = "/etc/slurm/slurm.conf";
    o.cpu_count = 4;
    o.all_gpus = {0, 1};
    o.prolog = "/etc/slurm/prolog";
    return o;
  }
  BatchJob Job(uint64_t id, uint32_t cpus = 1) {
    BatchJob j;
    j.id = id;
    j.uid = getuid();
    j.gid = getgid();
    j.user = "me";
    j.script = "#!/bin/sh\necho hi\n";
    j.env = {"A=1"};
    j.cpus = cpus;
    j.gpus = {1};
    return j;
  }
  std::string spool_;
  FakeStepds stepds_;
};

TEST_F(JobSupervisorTest, LaunchWritesTheJobFilesAndStartsAStepd) {
  JobSupervisor sup(Opts(), &stepds_);
  auto pid = sup.Launch(Job(7, 2));
  ASSERT_TRUE(pid.ok()) << pid.status();
  std::string dir = spool_ + "/job7";
  EXPECT_THAT(stepds_.started, ElementsAre(dir));
  EXPECT_EQ(Slurp(dir + "/slurm_script"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(Slurp(dir + "/stepd.pid"), "1000");
  auto spec = DecodeStepSpec(Slurp(dir + "/spec"));
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->job.id, 7u);
  EXPECT_THAT(spec->job.env, ElementsAre("A=1"));
  EXPECT_THAT(spec->cpu_ids, ElementsAre(0, 1));
  EXPECT_THAT(spec->all_gpus, ElementsAre(0, 1));
  EXPECT_EQ(spec->prolog, "/etc/slurm/prolog");
  EXPECT_THAT(sup.Running(), ElementsAre(7));
  EXPECT_EQ(sup.GpuOwners().at(1), 7u);
}

TEST_F(JobSupervisorTest, CoLocatedJobsGetDifferentCpus) {
  JobSupervisor sup(Opts(), &stepds_);
  ASSERT_TRUE(sup.Launch(Job(1, 2)).ok());
  ASSERT_TRUE(sup.Launch(Job(2, 2)).ok());
  auto spec = DecodeStepSpec(Slurp(spool_ + "/job2/spec"));
  ASSERT_TRUE(spec.ok());
  EXPECT_THAT(spec->cpu_ids, ElementsAre(2, 3));
}

// A multi-node job's other nodes run no batch script: the controller's
// list of jobs placed here makes the node hold (and report) CPUs for them,
// apart from its own jobs', until the job leaves the list.
TEST_F(JobSupervisorTest, JobsPlacedHereWithoutTheirScriptHoldCpus) {
  JobSupervisor sup(Opts(), &stepds_);
  ASSERT_TRUE(sup.Launch(Job(1, 2)).ok());  // batch job 1 here: CPUs 0-1
  EXPECT_TRUE(sup.Reconcile({{1, 2}, {9, 2}}));
  EXPECT_THAT(sup.JobCpus().at(9), ElementsAre(2, 3));
  EXPECT_THAT(sup.JobCpus().at(1), ElementsAre(0, 1));
  EXPECT_FALSE(sup.Reconcile({{1, 2}, {9, 2}}));  // nothing new: the same CPUs
  EXPECT_THAT(sup.JobCpus().at(9), ElementsAre(2, 3));
  EXPECT_TRUE(sup.Reconcile({{1, 2}}));          // job 9 ended
  EXPECT_EQ(sup.JobCpus().count(9), 0u);
}

TEST_F(JobSupervisorTest, SignalsBecomeStepdCommands) {
  JobSupervisor sup(Opts(), &stepds_);
  ASSERT_TRUE(sup.Launch(Job(3)).ok());
  sup.Signal(3, KillKind::kSignal, 10, SignalScope::kAll, 30, 0);
  sup.Signal(3, KillKind::kSignal, 12, SignalScope::kBatchShell, 30, 0);
  sup.Signal(3, KillKind::kTimeout, 15, SignalScope::kAll, 5, 1700000000);
  sup.Kill(3);
  sup.Signal(99, KillKind::kCancel, 15, SignalScope::kAll, 5, 0);  // unknown: ignored
  std::string d = spool_ + "/job3: ";
  EXPECT_THAT(stepds_.sent,
              ElementsAre(d + "signal 10 all", d + "signal 12 batch",
                          d + "terminate timeout 5 1700000000", d + "kill"));
}

// A stepd just started may not have opened its socket when a suspend or a
// cancel comes: the commands wait, in order, instead of being lost.
TEST_F(JobSupervisorTest, CommandsWaitForAStepdThatDoesNotListenYet) {
  JobSupervisor sup(Opts(), &stepds_);
  ASSERT_TRUE(sup.Launch(Job(3)).ok());
  ASSERT_TRUE(sup.Launch(Job(4)).ok());
  std::string d3 = spool_ + "/job3", d4 = spool_ + "/job4";
  stepds_.deaf = {d3, d4};
  sup.Signal(3, KillKind::kSignal, SIGSTOP, SignalScope::kAll, 30, 0);
  sup.Signal(3, KillKind::kSignal, SIGCONT, SignalScope::kAll, 30, 0);
  sup.Signal(4, KillKind::kCancel, 15, SignalScope::kAll, 5, 1700000000);
  EXPECT_TRUE(stepds_.sent.empty());
  ASSERT_TRUE(sup.HasPending());
  sup.FlushPending();  // still deaf: kept
  EXPECT_TRUE(stepds_.sent.empty());
  stepds_.deaf.erase(d3);
  stepds_.sent.clear();
  sup.Signal(3, KillKind::kSignal, SIGUSR1, SignalScope::kAll, 30, 0);  // behind the others
  EXPECT_TRUE(stepds_.sent.empty());
  sup.FlushPending();
  EXPECT_THAT(stepds_.sent, ElementsAre(d3 + ": signal 19 all", d3 + ": signal 18 all",
                                        d3 + ": signal 10 all"));
  EXPECT_TRUE(sup.HasPending());  // job 4's cancel
  sup.OnStepdExit(4);             // it ended anyway: nothing left to say to it
  EXPECT_FALSE(sup.HasPending());
}

TEST_F(JobSupervisorTest, StepdExitReportsItsResultOrLoss) {
  JobSupervisor sup(Opts(), &stepds_);
  ASSERT_TRUE(sup.Launch(Job(4)).ok());
  ASSERT_TRUE(sup.Launch(Job(5)).ok());
  StepResult r;
  r.exit_code = 0;
  r.oom = true;
  ASSERT_TRUE(WriteFileAtomic(spool_ + "/job4/status", EncodeStepResult(r), 0644).ok());
  sup.OnStepdExit(4);
  sup.OnStepdExit(5);  // no status file
  ASSERT_EQ(sup.Ended().size(), 2u);
  EXPECT_TRUE(sup.Ended()[0].result.oom);
  EXPECT_TRUE(sup.Ended()[1].result.lost);
  EXPECT_TRUE(sup.Running().empty());
  sup.Ack({4, 5});
  EXPECT_TRUE(sup.Ended().empty());
  EXPECT_NE(access((spool_ + "/job4").c_str(), F_OK), 0);
}

TEST_F(JobSupervisorTest, RecoverFindsRunningEndedAndLostJobs) {
  {
    JobSupervisor before(Opts(), &stepds_);
    for (uint64_t id : {10, 11, 12}) ASSERT_TRUE(before.Launch(Job(id)).ok());
  }
  StepResult done;
  done.exit_code = 3;
  ASSERT_TRUE(WriteFileAtomic(spool_ + "/job11/status", EncodeStepResult(done), 0644).ok());
  stepds_.alive.erase(1001);  // job 11's stepd finished
  stepds_.alive.erase(1002);  // job 12's vanished without a result
  JobSupervisor after(Opts(), &stepds_);
  auto watch = after.Recover();
  ASSERT_EQ(watch.size(), 1u);
  EXPECT_EQ(watch[0].first, 10u);
  EXPECT_EQ(watch[0].second, 1000);
  EXPECT_THAT(after.Running(), ElementsAre(10));
  ASSERT_EQ(after.Ended().size(), 2u);
  EXPECT_EQ(after.Ended()[0].id, 11u);
  EXPECT_EQ(after.Ended()[0].result.exit_code, 3);
  EXPECT_EQ(after.Ended()[1].id, 12u);
  EXPECT_TRUE(after.Ended()[1].result.lost);
}

TEST_F(JobSupervisorTest, AStepdThatCannotStartEndsTheJobAsALaunchFailure) {
  stepds_.fail = true;
  JobSupervisor sup(Opts(), &stepds_);
  auto pid = sup.Launch(Job(8));
  ASSERT_FALSE(pid.ok());
  ASSERT_EQ(sup.Ended().size(), 1u);
  EXPECT_TRUE(sup.Ended()[0].result.launch_failed);
  EXPECT_THAT(sup.Ended()[0].result.message, HasSubstr("fork"));
}

TEST(StepFilesTest, SpecAndResultRoundTripWithAwkwardValues) {
  StepSpec s;
  s.job.id = 42;
  s.job.env = {"A=line1\nline2", "B=tab\there", "C=="};
  s.job.std_out = "/tmp/out %j.txt";
  s.cpu_ids = {0, 3};
  auto back = DecodeStepSpec(EncodeStepSpec(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->job.env, s.job.env);
  EXPECT_EQ(back->job.std_out, s.job.std_out);
  EXPECT_THAT(back->cpu_ids, ElementsAre(0, 3));
  StepResult r;
  r.signal = 9;
  r.unkillable = true;
  r.message = "x\ny";
  auto rb = DecodeStepResult(EncodeStepResult(r));
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->signal, 9);
  EXPECT_TRUE(rb->unkillable);
  EXPECT_EQ(rb->message, "x\ny");
  EXPECT_FALSE(rb->usage.known);
  r.usage = {true, 65000, 1, 129000, 2, 250000, 1200};
  rb = DecodeStepResult(EncodeStepResult(r));
  ASSERT_TRUE(rb.ok());
  EXPECT_TRUE(rb->usage.known);
  EXPECT_EQ(rb->usage.max_rss_kb, 65000u);
  EXPECT_EQ(rb->usage.max_rss_task, 1u);
  EXPECT_EQ(rb->usage.sum_rss_kb, 129000u);
  EXPECT_EQ(rb->usage.tasks, 2u);
  EXPECT_EQ(rb->usage.user_usec, 250000);
  EXPECT_EQ(rb->usage.sys_usec, 1200);
  EXPECT_FALSE(DecodeStepSpec("garbage").ok());
  EXPECT_FALSE(DecodeStepResult("").ok());
}

}  // namespace
}  // namespace sluice::node
