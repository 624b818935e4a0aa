#include "nodedaemon/core/job_supervisor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sluice::node {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class FakeLauncher : public Launcher {
 public:
  absl::StatusOr<pid_t> Launch(const LaunchSpec& spec) override {
    specs.push_back(spec);
    if (fail) return absl::FailedPreconditionError("could not open output file");
    return next_pid++;
  }
  void Signal(pid_t leader, int sig, bool tree) override {
    signals.push_back({leader, sig, tree});
  }
  void AppendAsUser(uid_t uid, gid_t, const std::string& path,
                    const std::string& text) override {
    appended.push_back({uid, path, text});
  }
  struct Sig {
    pid_t pid;
    int sig;
    bool tree;
  };
  struct Appended {
    uid_t uid;
    std::string path, text;
  };
  std::vector<LaunchSpec> specs;
  std::vector<Sig> signals;
  std::vector<Appended> appended;
  pid_t next_pid = 1000;
  bool fail = false;
};

class JobSupervisorTest : public ::testing::Test {
 protected:
  JobSupervisorTest() {
    char tmpl[] = "/tmp/sluice-spool-XXXXXX";
    spool_ = mkdtemp(tmpl);
    sup_ = std::make_unique<JobSupervisor>(
        SupervisorOptions{"n1", "vm", spool_, "/etc/slurm/slurm.conf"}, &launcher_);
  }
  ~JobSupervisorTest() override {
    EXPECT_EQ(system(("rm -rf " + spool_).c_str()), 0);
  }
  BatchJob Job(uint64_t id) {
    BatchJob j;
    j.id = id;
    j.uid = getuid();
    j.gid = getgid();
    j.user = "root";
    j.job_name = "combo";
    j.script = "#!/bin/sh\necho hi\n";
    j.work_dir = "/tmp";
    j.std_out = "/tmp/%x-%j-%N.out";
    j.std_err = "/tmp/%x-%j-%N.out";
    j.std_in = "/dev/null";
    return j;
  }
  std::string spool_;
  FakeLauncher launcher_;
  std::unique_ptr<JobSupervisor> sup_;
};

TEST_F(JobSupervisorTest, LaunchWritesTheScriptAndExpandsPatterns) {
  ASSERT_TRUE(sup_->Launch(Job(7), 0).ok());
  ASSERT_EQ(launcher_.specs.size(), 1u);
  const LaunchSpec& s = launcher_.specs[0];
  EXPECT_EQ(s.program, spool_ + "/job7/slurm_script");
  EXPECT_EQ(s.std_out, "/tmp/combo-7-vm.out");
  EXPECT_THAT(s.env, Contains("SLURM_CONF=/etc/slurm/slurm.conf"));
  EXPECT_EQ(access(s.program.c_str(), X_OK), 0);
  EXPECT_THAT(sup_->Running(), Contains(7u));
}

TEST_F(JobSupervisorTest, ExitIsQueuedUntilAcknowledged) {
  ASSERT_TRUE(sup_->Launch(Job(7), 0).ok());
  sup_->OnExit(1000, 3 << 8);  // exit(3)
  EXPECT_TRUE(sup_->Running().empty());
  ASSERT_EQ(sup_->Ended().size(), 1u);
  EXPECT_EQ(sup_->Ended()[0].exit_code, 3);
  // The rest of the job's process group is killed.
  ASSERT_FALSE(launcher_.signals.empty());
  EXPECT_EQ(launcher_.signals.back().pid, -1000);
  EXPECT_EQ(launcher_.signals.back().sig, SIGKILL);
  sup_->Ack({7});
  EXPECT_TRUE(sup_->Ended().empty());
}

TEST_F(JobSupervisorTest, CancelWritesSlurmsNoticeThenTerminatesTheTree) {
  ASSERT_TRUE(sup_->Launch(Job(76), 0).ok());
  EXPECT_TRUE(sup_->Signal(76, KillKind::kTimeout, 15, false, 1795900000));
  ASSERT_EQ(launcher_.appended.size(), 1u);
  EXPECT_EQ(launcher_.appended[0].path, "/tmp/combo-76-vm.out");
  EXPECT_THAT(launcher_.appended[0].text,
              HasSubstr("slurmstepd-n1: error: *** JOB 76 ON n1 CANCELLED AT "));
  EXPECT_THAT(launcher_.appended[0].text, HasSubstr(" DUE TO TIME LIMIT ***\n"));
  ASSERT_EQ(launcher_.signals.size(), 2u);
  EXPECT_EQ(launcher_.signals[1].sig, SIGTERM);
  EXPECT_TRUE(launcher_.signals[1].tree);
  sup_->Escalate(76);
  EXPECT_EQ(launcher_.signals.back().sig, SIGKILL);
}

TEST_F(JobSupervisorTest, PlainSignalGoesToTheShellOnlyWithBatch) {
  ASSERT_TRUE(sup_->Launch(Job(5), 0).ok());
  EXPECT_FALSE(sup_->Signal(5, KillKind::kSignal, SIGUSR1, true, 0));
  EXPECT_FALSE(launcher_.signals.back().tree);
  EXPECT_TRUE(launcher_.appended.empty());
}

TEST_F(JobSupervisorTest, LaunchFailureIsReportedAsEnded) {
  launcher_.fail = true;
  EXPECT_FALSE(sup_->Launch(Job(9), 0).ok());
  ASSERT_EQ(sup_->Ended().size(), 1u);
  EXPECT_TRUE(sup_->Ended()[0].launch_failed);
}

}  // namespace
}  // namespace sluice::node
