// Fair share from the association tree (issue 13 point 5) against
// extra/13_fairshare_usage (real Slurm 22.05 with PriorityCalcPeriod=1):
// sshare's views before any usage byte for byte; after alice used a whole
// node and bob two CPUs, every cell that does not depend on how long the
// jobs ran (usage ratios within 10 %); then sprio's views over three
// pending jobs byte for byte, once root's running job has been charged.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

constexpr char kConf[] =
    "AccountingStorageType=accounting_storage/slurmdbd\n"
    "AccountingStorageEnforce=associations,limits,qos\n"
    "AccountingStorageTRES=gres/gpu\n"
    "PriorityType=priority/multifactor\nPriorityWeightFairshare=10000\n"
    "PriorityWeightAge=0\nPriorityWeightJobSize=0\nPriorityWeightPartition=0\n"
    "PriorityWeightQOS=0\n";

// The capture's tree: accounts ml (3 shares) and cv (1); alice in ml, bob
// in ml with `bob_shares`, carol in cv. nullptr when anything fails.
std::unique_ptr<TestCluster> StartSharesCluster(const std::string& bob_shares) {
  for (const char* u : {"alice", "bob", "carol"})
    if (!EnsureUser(u)) return nullptr;
  auto c = StartRefCluster(kConf);
  if (!c) return nullptr;
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  for (const std::string& cmd : std::vector<std::string>{"sacctmgr -i add account ml fairshare=3", "sacctmgr -i add account cv fairshare=1",
                                "sacctmgr -i add user alice account=ml",
                                "sacctmgr -i add user bob account=ml fairshare=" + bob_shares,
                                "sacctmgr -i add user carol account=cv"})
    if (c->Run(cmd).rc != 0) return nullptr;
  return c;
}

// Cells by the widths of the dashes line; empty when `text` is no table.
std::vector<std::vector<std::string>> Cells(const std::string& text, std::vector<std::string>* heads) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  std::vector<std::vector<std::string>> out;
  if (lines.size() < 2 || !absl::StartsWith(lines[1], "-")) return out;
  std::vector<std::pair<size_t, size_t>> cols;
  size_t at = 0;
  for (absl::string_view d : absl::StrSplit(lines[1], ' ', absl::SkipEmpty())) {
    at = lines[1].find(std::string(d), at);
    cols.push_back({at, d.size()});
    at += d.size();
  }
  auto cut = [&](const std::string& l) {
    std::vector<std::string> row;
    for (auto [p, n] : cols) row.push_back(p < l.size() ? std::string(absl::StripAsciiWhitespace(l.substr(p, n))) : "");
    return row;
  };
  *heads = cut(lines[0]);
  for (size_t i = 2; i < lines.size(); ++i)
    if (!lines[i].empty() && !absl::StartsWith(lines[i], "rc=")) out.push_back(cut(lines[i]));
  return out;
}

// Same table, where usage figures may differ: RawUsage any number, the
// other usage columns within 10 % (or both "inf", or both blank).
bool SameShape(const std::string& got, const std::string& want, std::string* why) {
  std::vector<std::string> gh, wh;
  auto g = Cells(got, &gh), w = Cells(want, &wh);
  if (gh != wh || g.size() != w.size() || g.empty()) {
    *why = "different rows or columns";
    return false;
  }
  for (size_t r = 0; r < g.size(); ++r)
    for (size_t c = 0; c < gh.size(); ++c) {
      const std::string &a = g[r][c], &b = w[r][c];
      if (a == b) continue;
      const std::string& h = gh[c];
      double x = 0, y = 0;
      bool nums = absl::SimpleAtod(a, &x) && absl::SimpleAtod(b, &y);
      bool ok = nums && (h == "RawUsage" ||
                         ((h == "NormUsage" || h == "EffectvUsage" || h == "LevelFS") &&
                          std::fabs(x - y) <= 0.1 * std::max(std::fabs(x), std::fabs(y))));
      if (!ok) {
        *why = "row " + std::to_string(r) + " " + h + ": got '" + a + "' want '" + b + "'";
        return false;
      }
    }
  return true;
}

TEST(GoldenFairShareTest, SshareAndSprioAsSlurm) {
  auto c = StartSharesCluster("2");
  ASSERT_NE(c, nullptr);
  int compared = 0, submitted = 0;
  ForEachCapturedCommand(CapturedSection("13_fairshare_usage", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string user = line.substr(1, line.find(']') - 1);
    // The capture's jobs ran 30 s; 10 s shows the same ranks and keeps a
    // job's start-up time (half a second under the sanitizers) well inside
    // the 10 % the usage ratios may differ by (4 s did not: bob's share
    // came out 0.238 against 0.200 in an AddressSanitizer build).
    std::string cmd = absl::StrReplaceAll(line.substr(line.find(']') + 2), {{"'sleep 30'", "'sleep 10'"}});
    auto run = [&] {
      return c->Run("cd /tmp/dcap && (" + cmd + ") 2>&1; echo rc=$?", user == "root" ? "" : user);
    };
    if (absl::StartsWith(cmd, "sbatch")) ++submitted;
    // After alice's and bob's jobs, wait for both to end (and be charged).
    if (submitted == 2 && absl::StartsWith(cmd, "sshare"))
      ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h").out.empty(); }, 30));
    auto r = run();
    if (submitted == 2 && absl::StartsWith(cmd, "sshare")) {
      std::string why;
      EXPECT_TRUE(SameShape(r.out, want, &why)) << cmd << ": " << why << "\n got:\n" << r.out << " want:\n" << want;
    } else {
      // sprio and squeue: once the pass after root's job was charged.
      if (absl::StartsWith(cmd, "sprio") || absl::StartsWith(cmd, "squeue"))
        TestCluster::WaitFor([&] { return (r = run()).out == want; }, 20);
      EXPECT_EQ(r.out, want) << "[" << user << "] " << cmd;
    }
    ++compared;
  });
  EXPECT_EQ(compared, 18);
  // The ranks where sprio found them: root's user, who ran the big job,
  // last; carol's idle account first.
  auto r = c->Run("sshare -n -P -a -o account,user,fairshare");
  EXPECT_EQ(r.out, "root||\n root|root|0.250000\n cv||\n  cv|carol|1.000000\n ml||\n"
                   "  ml|alice|0.500000\n  ml|bob|0.750000\n");
  // Usage survives a restart of the controller (saved at its shutdown, as
  // well as every 30 s and when jobs end).
  auto usage = [&] { return c->Run("sshare -n -P -a -o account,user,fairshare").out; };
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h").out.empty(); }, 20));
  const std::string before = usage();
  ASSERT_TRUE(c->KillCtld(SIGTERM));
  ASSERT_TRUE(c->StartCtld());
  EXPECT_EQ(usage(), before);
  // (RawUsage floors a decaying figure: alice's 8 CPUs x 10 s is about 80.)
  r = c->Run("sshare -n -P -U -u alice -o user,rawusage");
  std::vector<std::string> f = absl::StrSplit(absl::StripTrailingAsciiWhitespace(r.out), '|');
  int raw = 0;
  ASSERT_TRUE(f.size() == 2 && absl::SimpleAtoi(f[1], &raw)) << r.out;
  EXPECT_GE(raw, 40);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// sacctmgr's FairShare= against extra/13_fairshare_mgr: set on add and
// modify, shown in the Share column ("parent" too), a negative number the
// default, an empty one 0, a word refused with Slurm's three lines.
TEST(GoldenFairShareTest, SacctmgrSetsSharesAsSlurm) {
  ASSERT_TRUE(EnsureUser("alice"));
  auto c = StartRefCluster(kConf);
  ASSERT_NE(c, nullptr);
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("13_fairshare_mgr", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string cmd = line.substr(line.find(']') + 2);
    auto r = c->Run("(" + cmd + ") 2>&1; echo rc=$?");
    EXPECT_EQ(r.out, want) << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 14);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// Fair share reorders the queue (issue 13 point 7): alice has used a node,
// bob and carol nothing; with every node held, alice, bob and carol each
// submit a job needing the whole cluster, in that order. They start one at
// a time in fair-share order -- carol (an idle account), bob (an idle user
// of alice's account), alice -- not in submission order.
TEST(GoldenFairShareTest, FairShareReordersTheQueue) {
  auto c = StartSharesCluster("1");
  ASSERT_NE(c, nullptr);
  auto r = c->Run("cd /tmp/dcap && sbatch -o /dev/null -N1 --exclusive --wrap 'sleep 3'", "alice");
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h").out.empty(); }, 30));
  ASSERT_EQ(c->Run("cd /tmp/dcap && sbatch -o /dev/null -N4 --exclusive --wrap 'sleep 300'").rc, 0);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h -t R").out != ""; }, 20));
  const std::string dir = "/tmp/dcap/fs-order-" + std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0777);
  ::chmod(dir.c_str(), 0777);
  for (const char* u : {"alice", "bob", "carol"}) {
    r = c->Run("cd /tmp/dcap && sbatch -o /dev/null -N4 --exclusive --wrap 'date +%s%N > " + dir + "/" + u +
                   "; sleep 1'",
               u);
    ASSERT_EQ(r.rc, 0) << r.err;
  }
  // Their priorities as sprio shows them, then the start order.
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    return c->Run("sprio -h -o '%u %F'").out == "alice 5000\nbob 7500\ncarol 10000\n";
  }, 20)) << c->Run("sprio -l").out;
  ASSERT_EQ(c->Run("scancel -u root").rc, 0);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h").out.empty(); }, 60));
  auto started = [&](const char* u) {
    return c->Run(std::string("cat ") + dir + "/" + u).out;
  };
  const std::string a = started("alice"), b = started("bob"), k = started("carol");
  ASSERT_FALSE(a.empty() || b.empty() || k.empty());
  EXPECT_LT(std::stoll(k), std::stoll(b));
  EXPECT_LT(std::stoll(b), std::stoll(a));
  c->Run("rm -rf " + dir);
}

}  // namespace
}  // namespace sluice::testing
