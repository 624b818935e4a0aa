// scontrol show config against 09_scontrol_show_config: a cluster running
// the reference's own slurm.conf (its daemons' ports, paths and MUNGE
// socket replaced by the test cluster's) lists every key in Slurm's order
// and layout with the same values, bar those naming this run's paths,
// ports, times and job IDs.
#include <gtest/gtest.h>
#include <pwd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/users.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

// The reference's slurm.conf without what the test cluster must set itself.
std::string RefConfForTest() {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/tests/reference/slurm-22.05/etc/slurm.conf");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::set<std::string> own = {"slurmctldhost", "slurmctldport", "authtype", "authinfo",
                                     "statesavelocation", "slurmdspooldir", "killwait", "nodename",
                                     "partitionname"};
  std::string out = kTestConfHeader;
  for (absl::string_view line : absl::StrSplit(ss.str(), '\n')) {
    std::string key = absl::AsciiStrToLower(line.substr(0, line.find('=')));
    if (line.empty() || line[0] == '#' || own.count(key)) continue;
    absl::StrAppend(&out, line, "\n");
  }
  for (int i = 1; i <= 4; ++i)
    absl::StrAppend(&out, "NodeName=n", i, " NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT",
                    i, "@ CPUs=8 RealMemory=4000 Gres=gpu:4 State=UNKNOWN\n");
  out += "PartitionName=g2 Nodes=n[1-4] Default=YES MaxTime=INFINITE State=UP\n";
  return out;
}

TEST(GoldenConfigTest, ShowConfigListsSlurmsKeysInItsLayout) {
  // The capture's SlurmUser=slurm: Debian's Slurm packages make that user
  // (uid 64030 where it was captured); a clean machine may not have it.
  ASSERT_TRUE(EnsureUser("slurm"));
  const std::string slurm_uid = std::to_string(getpwnam("slurm")->pw_uid);
  ClusterOptions o;
  o.conf_text = RefConfForTest();
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  std::string want = CapturedSection("golden/09_scontrol_show_config", "stdout");
  auto r = c->Run("scontrol show config");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> got = absl::StrSplit(r.out, '\n');
  std::vector<std::string> exp = absl::StrSplit(want, '\n');
  ASSERT_EQ(got.size(), exp.size()) << r.out;
  // Values that name this run: its paths, ports, clock, job IDs, host.
  const std::set<std::string> run_specific = {
      "AuthInfo", "BOOT_TIME", "NEXT_JOB_ID", "SLURM_CONF", "SlurmctldHost[0]", "SlurmctldPort",
      "StateSaveLocation", "SlurmdSpoolDir", "KillWait"};
  int compared = 0;
  for (size_t i = 0; i < exp.size(); ++i) {
    SCOPED_TRACE(exp[i]);
    if (i == 0) {
      EXPECT_TRUE(absl::StartsWith(got[i], "Configuration data as of "));
      continue;
    }
    std::string key = exp[i].substr(0, exp[i].find(' '));
    EXPECT_EQ(got[i].substr(0, got[i].find(' ')), key);
    if (run_specific.count(key)) continue;
    if (absl::StartsWith(exp[i], "Slurmctld(primary) at ")) {
      EXPECT_EQ(got[i], "Slurmctld(primary) at " + common::ShortHostname() + " is UP");
      continue;
    }
    if (key == "SlurmUser") {
      EXPECT_EQ(got[i], absl::StrReplaceAll(exp[i], {{"(64030)", "(" + slurm_uid + ")"}}));
      ++compared;
      continue;
    }
    EXPECT_EQ(got[i], exp[i]);
    ++compared;
  }
  EXPECT_GT(compared, 180);
}

}  // namespace
}  // namespace sluice::testing
