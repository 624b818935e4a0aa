// Integration-test harness: a real Sluice cluster (private munged,
// sluice-ctld, sluice-noded per node) started with `sluice-local up` in a
// temporary directory on 127.0.0.1 with ephemeral ports, and the real
// commands run against it through a shell, optionally as another Unix user.
// Not thread-safe; one per test.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace sluice::testing {

struct CmdResult {
  int rc = -1;
  std::string out;
  std::string err;
};

// The cluster-wide lines a hand-written test slurm.conf needs: loopback
// controller, the private munged, state under the cluster's directory.
inline constexpr char kTestConfHeader[] = R"(SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=@PORT0@
AuthType=auth/munge
AuthInfo=socket=@DIR@/munge/munge.socket.2
StateSaveLocation=@DIR@/state
SlurmdSpoolDir=@DIR@/spool/%n
KillWait=5
)";

struct ClusterOptions {
  uint32_t nodes = 2;
  uint32_t gpus_per_node = 2;
  uint32_t cpus_per_node = 8;
  uint32_t kill_wait_s = 5;
  uint32_t nodes_per_daemon = 1;  // more: simulated nodes, several per sluice-noded
  std::string conf_text;  // when set: this slurm.conf (use @DIR@, @PORTn@)
  std::string cgroup_conf;  // with conf_text: cgroup.conf beside it
  std::string gpu_backend;  // "nvml" for the GPU tests; default fake
  // Executable files written into the cluster directory before it starts
  // (relative path -> content; "@DIR@" replaced), e.g. Prolog scripts.
  std::map<std::string, std::string> scripts;
};

class TestCluster {
 public:
  static std::unique_ptr<TestCluster> Start(const ClusterOptions& o = {});
  ~TestCluster();

  // Runs `cmd` with bash in `cwd` (default: the shared work dir) with a clean
  // environment plus SLURM_CONF and PATH (Sluice's commands first). As root
  // unless `user` names another account.
  CmdResult Run(const std::string& cmd, const std::string& user = "",
                const std::string& cwd = "") const;

  // squeue -h -t all -j ID -o %T, or "" when unknown.
  std::string JobState(uint64_t id) const;
  // Polls until pred() holds or the deadline passes.
  static bool WaitFor(const std::function<bool()>& pred, int seconds);
  bool WaitForState(uint64_t id, const std::string& state, int seconds) const;

  // Stops only the controller, the hard way (kill -9), or with `signal`
  // (SIGTERM: a clean shutdown); StartCtld starts it again.
  bool KillCtld(int signal = 9);
  bool StartCtld();
  // The node daemon serving `node` (0 when none), and starting a new one.
  pid_t NodedPid(const std::string& node) const;
  bool StartNoded(const std::string& node, const std::vector<std::string>& extra_args = {});
  // The spool directory of `node` (SlurmdSpoolDir=@DIR@/spool/%n).
  std::string Spool(const std::string& node) const { return dir_ + "/spool/" + node; }

  const std::string& dir() const { return dir_; }
  const std::string& work() const { return work_; }
  std::string conf() const { return dir_ + "/slurm.conf"; }

 private:
  std::string dir_;
  std::string work_;
};

// Creates the Unix user if missing (tests run as root); false if impossible.
bool EnsureUser(const std::string& name);

// The job ID `sbatch --parsable` printed, or 0 when it failed.
uint64_t Parsable(const CmdResult& r);
// True when `pid` has exited (gone, or a zombie).
bool ProcessGone(pid_t pid);
// Root, with the cgroup v1 cpuset, memory and devices controllers mounted.
bool HasV1Controllers();

// The commands (SLUICE_BIN_DIR) and test tools (SLUICE_TEST_BIN_DIR) where
// every user can run them: the build directory itself when others can
// reach it, else a copy under /tmp, refreshed when the build changes (a
// checkout in a private directory such as /root).
std::string CommandDir();
std::string TestToolDir();

// A prerequisite of the suite (root, users, cgroup controllers, tmux): the
// test fails when it is missing in CI (CI set), and skips elsewhere.
#define SLUICE_REQUIRE(cond, why)                                   \
  do {                                                              \
    if (!(cond)) {                                                  \
      if (getenv("CI")) FAIL() << "missing prerequisite: " << why;  \
      GTEST_SKIP() << why;                                          \
    }                                                               \
  } while (0)
std::string Slurp(const std::string& path);

// A capture of real Slurm in the project's extra/ folder (issue 11's own
// captures): its stdout or stderr section, without Slurm's plugin-loading
// and debug lines (Sluice has no plugins to load), and its command.
// CapturedSection also takes "golden/NAME" for the shared golden captures.
std::string CapturedSection(const std::string& name, const std::string& which);
std::string CapturedCommand(const std::string& name);
bool IsRoot();

// A fixture whose tests share one cluster of the default shape, started
// before the suite's first test and stopped after its last. `Suite` is the
// derived fixture, so each suite has a cluster of its own.
template <typename Suite>
class SharedClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = TestCluster::Start().release();
    ASSERT_NE(cluster_, nullptr);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static inline TestCluster* cluster_ = nullptr;
};

}  // namespace sluice::testing
