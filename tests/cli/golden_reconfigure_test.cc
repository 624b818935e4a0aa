// scontrol reconfigure: Slurm's replies (extra/12_scontrol_reconfigure),
// then a changed slurm.conf taking effect while a job runs: a partition
// added and one removed, a node added and one removed; the running job
// carries on and ends normally; a node that holds a job cannot leave.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

TEST(GoldenReconfigureTest, AChangedConfigTakesEffectAndRunningJobsSurvive) {
  ASSERT_TRUE(EnsureUser("sluicebob"));
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("12_scontrol_reconfigure", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string user = line.substr(1, line.find(']') - 1);
    std::string cmd = line.substr(line.find(']') + 2);
    auto r = c->Run(cmd + " 2>&1; echo rc=$?", user == "root" ? "" : user);
    EXPECT_EQ(r.out, want) << "[" << user << "] " << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 4);

  auto job = c->Run("sbatch --parsable -w n1 -o /dev/null --wrap 'sleep 300'");
  ASSERT_EQ(job.rc, 0) << job.err;
  uint64_t id = std::stoull(job.out);
  ASSERT_TRUE(c->WaitForState(id, "RUNNING", 30));

  const std::string original = Slurp(c->conf());
  std::string conf = original;
  // short goes, extra comes; n4 goes, n5 comes (no daemon: it stays down).
  conf = std::regex_replace(conf, std::regex("PartitionName=short[^\n]*\n"), "");
  conf = std::regex_replace(conf, std::regex("NodeName=n4 [^\n]*\n"), "");
  conf = absl::StrReplaceAll(conf, {{"PartitionName=g2 Nodes=n[1-4]", "PartitionName=g2 Nodes=n[1-3]"}});
  conf += "NodeName=n5 NodeHostName=localhost NodeAddr=127.0.0.1 Port=1 CPUs=8 RealMemory=4000 State=UNKNOWN\n"
          "PartitionName=extra Nodes=n[1-2],n5 MaxTime=1:00:00 State=UP\n";
  ASSERT_NE(conf, original);
  std::ofstream(c->conf()) << conf;
  auto r = c->Run("scontrol reconfigure");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string sinfo = c->Run("sinfo -h -o '%P %l %N'").out;
  EXPECT_TRUE(absl::StrContains(sinfo, "g2* infinite n[1-3]")) << sinfo;
  EXPECT_TRUE(absl::StrContains(sinfo, "extra 1:00:00 n[1-2,5]")) << sinfo;
  EXPECT_FALSE(absl::StrContains(sinfo, "short")) << sinfo;
  EXPECT_EQ(c->Run("scontrol show node n4").out, "Node n4 not found\n");  // (stdout, as Slurm)
  EXPECT_EQ(c->JobState(id), "RUNNING");
  // The new partition takes jobs; the old one is gone.
  auto extra = c->Run("sbatch --parsable -p extra -w n2 -o /dev/null --wrap true");
  ASSERT_EQ(extra.rc, 0) << extra.err;
  EXPECT_TRUE(c->WaitForState(std::stoull(extra.out), "COMPLETED", 30));
  EXPECT_EQ(c->Run("sbatch -p short --wrap true").err,
            "sbatch: error: invalid partition specified: short\n"
            "sbatch: error: Batch job submission failed: Invalid partition name specified\n");
  // A node holding a job cannot leave; nothing changes then.
  std::ofstream(c->conf()) << absl::StrReplaceAll(
      std::regex_replace(conf, std::regex("NodeName=n1 [^\n]*\n"), ""),
      {{"Nodes=n[1-3]", "Nodes=n[2-3]"}, {"Nodes=n[1-2],n5", "Nodes=n2,n5"}});
  r = c->Run("scontrol reconfigure");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "slurm_reconfigure error: Nodes n1 have jobs: drain them and let the jobs end "
                   "first\n");
  EXPECT_EQ(c->Run("sinfo -h -o '%P %l %N'").out, sinfo);
  std::ofstream(c->conf()) << conf;
  // The running job ends as it would have.
  EXPECT_EQ(c->Run("scancel " + std::to_string(id)).rc, 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] { return c->JobState(id) == "CANCELLED"; }, 30));
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// scontrol update PartitionName= outlives a controller restart (Slurm
// keeps it in its state files) until slurm.conf is read again by a
// reconfigure, whose values then stand, as in Slurm.
TEST(PartitionUpdateTest, AChangeOutlivesARestartUntilAReconfigure) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  const std::string before = c->Run("sinfo -h -o '%P %a %l %N'").out;
  ASSERT_EQ(before, "g2* up infinite n[1-4]\nshort up 30:00 n[1-2]\n");
  ASSERT_EQ(c->Run("scontrol update PartitionName=short State=DOWN MaxTime=45 Nodes=n[2-3]").rc, 0);
  ASSERT_EQ(c->Run("scontrol update PartitionName=short Default=YES").rc, 0);
  const std::string changed = "g2 up infinite n[1-4]\nshort* down 45:00 n[2-3]\n";
  EXPECT_EQ(c->Run("sinfo -h -o '%P %a %l %N'").out, changed);
  ASSERT_TRUE(c->KillCtld());
  ASSERT_TRUE(c->StartCtld());
  EXPECT_EQ(c->Run("sinfo -h -o '%P %a %l %N'").out, changed);
  EXPECT_EQ(c->Run("scontrol reconfigure").rc, 0);
  EXPECT_EQ(c->Run("sinfo -h -o '%P %a %l %N'").out, before);
  ASSERT_TRUE(c->KillCtld());
  ASSERT_TRUE(c->StartCtld());
  EXPECT_EQ(c->Run("sinfo -h -o '%P %a %l %N'").out, before);
}

}  // namespace
}  // namespace sluice::testing
