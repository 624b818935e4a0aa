// The real launcher, as the current user (no privilege change needed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "nodedaemon/launch/launcher.h"
#include "nodedaemon/launch/programs.h"

namespace sluice::node {
namespace {

using ::testing::HasSubstr;

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ProcessExists(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(in, s);
  auto rp = s.rfind(')');
  return rp != std::string::npos && s[rp + 2] != 'Z';
}

class ProcessLauncherTest : public ::testing::Test {
 protected:
  ProcessLauncherTest() {
    char tmpl[] = "/tmp/sluice-launch-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~ProcessLauncherTest() override {
    EXPECT_EQ(system(("rm -rf " + dir_).c_str()), 0);
  }
  LaunchSpec Spec(const std::string& body) {
    std::string script = dir_ + "/script";
    std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
    chmod(script.c_str(), 0700);
    LaunchSpec s;
    s.uid = getuid();
    s.gid = getgid();
    s.program = script;
    s.env = {"PATH=/usr/bin:/bin", "FOO=bar"};
    s.cwd = dir_;
    s.std_in = "/dev/null";
    s.std_out = dir_ + "/out";
    s.std_err = dir_ + "/out";
    return s;
  }
  int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  }
  std::string dir_;
  std::unique_ptr<Launcher> launcher_ = MakeProcessLauncher();
};

TEST_F(ProcessLauncherTest, RunsWithEnvCwdAndOutputFile) {
  auto pid = launcher_->Launch(Spec("echo $FOO; pwd; echo err >&2; echo $SLURM_TASK_PID"));
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(WEXITSTATUS(Wait(*pid)), 0);
  std::string out = Slurp(dir_ + "/out");
  EXPECT_EQ(out, "bar\n" + dir_ + "\nerr\n" + std::to_string(*pid) + "\n");
}

TEST_F(ProcessLauncherTest, UnwritableOutputFailsTheLaunch) {
  auto s = Spec("true");
  s.std_out = "/nonexistent/dir/out.txt";
  s.std_err = s.std_out;
  auto pid = launcher_->Launch(s);
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.status().message(), HasSubstr("could not open output file"));
}

TEST_F(ProcessLauncherTest, DescendantsFindsChildrenThatLeftTheSession) {
  // A child that leaves the process group (setsid) is still found through
  // the parent chain while the leader lives.
  auto pid = launcher_->Launch(
      Spec("setsid sleep 300 & echo $! > child; sleep 300 & wait"));  // job script
  ASSERT_TRUE(pid.ok());
  std::string childfile = dir_ + "/child";
  pid_t child = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (child == 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream(childfile) >> child;
    if (child == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll to deadline
  }
  ASSERT_GT(child, 0);
  auto all = Descendants(getpid());
  EXPECT_THAT(all, ::testing::Contains(*pid));
  EXPECT_THAT(all, ::testing::Contains(child));
  for (pid_t p : all) kill(p, SIGKILL);
  Wait(*pid);
  EXPECT_TRUE(ProcessAlive(getpid()));
}

TEST_F(ProcessLauncherTest, TaskPrologChangesTheEnvironmentAndPrints) {
  std::string tp = dir_ + "/task_prolog";
  std::ofstream(tp) << "#!/bin/sh\necho export NEWVAR=hello\necho unset FOO\n"
                       "echo print from the prolog\necho junk line\n";
  chmod(tp.c_str(), 0755);
  auto s = Spec("echo \"new=$NEWVAR foo=${FOO:-unset}\"");
  s.task_prolog = tp;
  auto pid = launcher_->Launch(s);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(WEXITSTATUS(Wait(*pid)), 0);
  EXPECT_EQ(Slurp(dir_ + "/out"), "from the prolog\nnew=hello foo=unset\n");
}

TEST(TaskPrologOutputTest, ExportReplacesUnsetRemovesPrintCollects) {
  std::vector<std::string> env = {"A=1", "B=2"};
  std::string print;
  ApplyTaskPrologOutput("export A=3\nunset B\nprint hi there\nexport =bad\n", &env, &print);
  EXPECT_THAT(env, ::testing::ElementsAre("A=3"));
  EXPECT_EQ(print, "hi there\n");
}

TEST(RunProgramTest, CapturesOutputAndStatusAndEnforcesTheDeadline) {
  ProgramRun r;
  r.path = "/bin/sh";
  r.args = {"-c", "echo hello; exit 3"};
  auto o = RunProgram(r);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->output, "hello\n");
  EXPECT_EQ(WEXITSTATUS(o->wait_status), 3);
  EXPECT_FALSE(o->ok());
  r.args = {"-c", "sleep 30"};  // the program outlives its 1 s deadline: RunProgram polls and kills
  r.timeout_s = 1;
  o = RunProgram(r);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->timed_out);
}

TEST_F(ProcessLauncherTest, AppendAsUserAddsToTheEnd) {
  std::ofstream(dir_ + "/log") << "first\n";
  launcher_->AppendAsUser(getuid(), getgid(), dir_ + "/log", "second\n");
  EXPECT_EQ(Slurp(dir_ + "/log"), "first\nsecond\n");
  launcher_->AppendAsUser(getuid(), getgid(), dir_ + "/missing", "x");
  EXPECT_NE(access((dir_ + "/missing").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace sluice::node
