// QOS and limits (issue 13 point 4) against extra/13_limits: the QOS
// listing and its changes, association limits, and jobs over each limit
// refused at submission or left pending with Slurm's reason.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

constexpr char kConf[] =
    "AccountingStorageType=accounting_storage/slurmdbd\n"
    "AccountingStorageEnforce=associations,limits,qos\n"
    "AccountingStorageTRES=gres/gpu\n"
    "PreemptType=preempt/qos\nPreemptMode=REQUEUE\n";

std::unique_ptr<TestCluster> StartLimitsCluster() {
  for (const char* u : {"alice", "bob", "carol"})
    if (!EnsureUser(u)) return nullptr;
  auto c = StartRefCluster(kConf);
  if (!c) return nullptr;
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  for (const char* cmd : {"sacctmgr -i add account ml", "sacctmgr -i add account cv",
                          "sacctmgr -i add user alice account=ml",
                          "sacctmgr -i add user bob account=ml",
                          "sacctmgr -i add user carol account=cv"})
    if (c->Run(cmd).rc != 0) return nullptr;
  return c;
}

std::string Sorted(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  std::sort(lines.begin(), lines.end());
  return absl::StrJoin(lines, "\n");
}

// Every captured command in order; returns how many were compared.
// Listings of pending reasons and of sacct wait for the scheduling pass
// (and the preempted job's end) that they show; sacct's lines come in job
// order (Slurm's in its database's).
int Replay(TestCluster& c) {
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("13_limits", "stdout"),
                         [&](const std::string& line, const std::string& want_raw) {
    std::string user = line.substr(1, line.find(']') - 1);
    std::string cmd = line.substr(line.find(']') + 2);
    const std::string& want = want_raw;
    const bool sacct = absl::StartsWith(cmd, "sacct ");
    auto run = [&] {
      return c.Run("cd /tmp/dcap && (" + cmd + ") 2>&1; echo rc=$?", user == "root" ? "" : user);
    };
    auto same = [&](const std::string& out) { return sacct ? Sorted(out) == Sorted(want) : out == want; };
    auto r = run();
    if (absl::StartsWith(cmd, "squeue") || absl::StrContains(cmd, "Reason=") || sacct)
      TestCluster::WaitFor([&] { return same((r = run()).out); }, 15);
    EXPECT_TRUE(same(r.out)) << "[" << user << "] " << cmd << "\n got:\n" << r.out << " want:\n" << want;
    ++compared;
  });
  return compared;
}

TEST(GoldenLimitsTest, QosLimitsAndPreemptionAsSlurm) {
  auto c = StartLimitsCluster();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Replay(*c), 57);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// PrivateData=jobs,usage,users,accounts against extra/13_private: a user
// sees only their own jobs (others' are "Invalid job id" to scontrol),
// records, user and associations, and may not list accounts; an Operator
// sees everything, and sshare shows a user only their own association.
TEST(GoldenPrivateDataTest, OthersRecordsAreHiddenAsSlurm) {
  for (const char* u : {"alice", "bob", "carol"}) ASSERT_TRUE(EnsureUser(u)) << u;
  auto c = StartRefCluster(
      "AccountingStorageType=accounting_storage/slurmdbd\n"
      "AccountingStorageEnforce=associations,limits,qos\n"
      "PrivateData=jobs,usage,users,accounts\n");
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  for (const char* cmd : {"sacctmgr -i add account ml,cv", "sacctmgr -i add user alice account=ml",
                          "sacctmgr -i add user bob account=ml",
                          "sacctmgr -i add user carol account=cv adminlevel=operator"})
    ASSERT_EQ(c->Run(cmd).rc, 0) << cmd;
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("13_private", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string user = line.substr(1, line.find(']') - 1);
    std::string cmd = line.substr(line.find(']') + 2);
    auto run = [&] {
      return c->Run("cd /tmp/dcap && (" + cmd + ") 2>&1; echo rc=$?", user == "root" ? "" : user);
    };
    auto r = run();
    if (absl::StartsWith(cmd, "squeue") || absl::StartsWith(cmd, "sacct "))
      TestCluster::WaitFor([&] { return (r = run()).out == want; }, 10);
    EXPECT_EQ(r.out, want) << "[" << user << "] " << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 26);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// SlurmctldParameters=rl_enable (Slurm 23.02's RPC rate limit; 22.05 has
// none, extra/13_ratelimit.txt): a user calling squeue in a tight loop is
// held back -- every call still answers, but twelve calls on a bucket of
// two refilled at five a second cannot take less than two seconds -- while
// root is never limited. (How little the others notice is measured by
// bench/run_rate_limit_bench.sh, not asserted here.)
TEST(RateLimitTest, ATightLoopIsHeldBackAndStillAnswered) {
  ASSERT_TRUE(EnsureUser("alice"));
  auto c = StartRefCluster("SlurmctldParameters=rl_enable,rl_bucket_size=2,rl_refill_rate=5\n");
  ASSERT_NE(c, nullptr);
  const std::string loop =
      "s=$(date +%s%N); ok=0; for i in $(seq 12); do squeue -h >/dev/null && ok=$((ok+1)); done; "
      "echo $ok $(( ($(date +%s%N) - s) / 1000000 ))";
  auto r = c->Run(loop, "alice");
  int ok = 0, ms = 0;
  ASSERT_EQ(sscanf(r.out.c_str(), "%d %d", &ok, &ms), 2) << r.out << r.err;
  EXPECT_EQ(ok, 12);
  EXPECT_GE(ms, 2000) << "alice was not held back";
  r = c->Run(loop);  // root: answered every time
  ASSERT_EQ(sscanf(r.out.c_str(), "%d %d", &ok, &ms), 2) << r.out << r.err;
  EXPECT_EQ(ok, 12);
}

}  // namespace
}  // namespace sluice::testing
