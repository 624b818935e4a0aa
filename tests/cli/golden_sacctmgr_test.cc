// sacctmgr against real Slurm 22.05's (with slurmdbd) answers in
// extra/13_sacctmgr.txt (issue 13): listings (default, format= with
// widths, -n, -P, -p, tree, where, withassoc), additions and their
// refusals, modifications and deletions, as root and as an operator, byte
// for byte, stdout and stderr together (all 63 commands). The
// associations survive a controller restart.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "absl/strings/match.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

TEST(GoldenSacctmgrTest, ListAddModifyDeleteAsSlurm) {
  for (const char* u : {"alice", "bob", "carol"}) ASSERT_TRUE(EnsureUser(u)) << u;
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  int compared = 0;
  std::string before;
  ForEachCapturedCommand(CapturedSection("13_sacctmgr", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string user = line.substr(1, line.find(']') - 1);
    std::string cmd = line.substr(line.find(']') + 2);
    if (absl::StrContains(cmd, " modify ") && before.empty()) {
      // What was added is in the store: a restarted controller lists the same.
      before = c->Run("sacctmgr -P show assoc format=account,user,partition").out;
      ASSERT_TRUE(c->KillCtld());
      ASSERT_TRUE(c->StartCtld());
      EXPECT_EQ(c->Run("sacctmgr -P show assoc format=account,user,partition").out, before);
      EXPECT_TRUE(absl::StrContains(before, "ml|alice|short")) << before;
    }
    // Sluice's extension (docs/ADMIN.md): Slurm refuses it ("Unknown
    // option"); here carol would be added, and the capture's next command
    // adds her the Slurm way.
    if (absl::StrContains(cmd, "DefaultPartition")) return;
    auto r = c->Run("cd /tmp/dcap && " + cmd + " 2>&1; echo rc=$?", user == "root" ? "" : user);
    EXPECT_EQ(r.out, want) << "[" << user << "] " << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 63);
  EXPECT_FALSE(before.empty());
}

// DefaultPartition, Sluice's extension: set with the user, shown with
// format=DefaultPartition. Without -i, sacctmgr shows what it would add and
// asks; anything but y discards it.
TEST(GoldenSacctmgrTest, DefaultPartitionAndConfirmation) {
  for (const char* u : {"alice", "carol"}) ASSERT_TRUE(EnsureUser(u)) << u;
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->Run("sacctmgr -i add account ml").rc, 0);
  auto r = c->Run("sacctmgr -i add user carol account=ml partition=short DefaultPartition=short");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "  Default Partition = short\n")) << r.out;
  EXPECT_EQ(c->Run("sacctmgr -n -P show user carol format=user,defaultaccount,defaultpartition").out,
            "carol|ml|short\n");
  r = c->Run("echo n | sacctmgr add user alice account=ml");
  EXPECT_EQ(r.out,
            " Adding User(s)\n  alice\n Associations =\n"
            "  U = alice     A = ml         C = refcluster\n Non Default Settings\n"
            "Would you like to commit changes? (You have 30 seconds to decide)\n(N/y): n\n"
            " Changes Discarded\n");
  EXPECT_EQ(c->Run("sacctmgr -n show user alice").out, "");
  r = c->Run("echo y | sacctmgr add user alice account=ml");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(c->Run("sacctmgr -n -P show user alice").out, "alice|ml|None\n");
  EXPECT_EQ(c->Run("sacctmgr -i modify user carol set DefaultPartition=g2").out,
            " Modified users...\n  carol\n");
  EXPECT_EQ(c->Run("sacctmgr -n -P show user carol format=defaultpartition").out, "g2\n");
  ASSERT_EQ(c->Run("sacctmgr -i modify user carol set DefaultPartition=short").rc, 0);
  // The guide's rule: a job naming no partition goes to its user's default
  // one, for sbatch, srun and salloc alike; a user without one gets the
  // cluster's Default=YES partition.
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  r = c->Run("sbatch --parsable -H -o /dev/null --wrap true", "carol", "/tmp/dcap");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(c->Run("squeue -h -o %P -j " + r.out.substr(0, r.out.size() - 1)).out, "short\n");
  EXPECT_EQ(c->Run("srun printenv SLURM_JOB_PARTITION", "carol", "/tmp/dcap").out, "short\n");
  EXPECT_EQ(c->Run("salloc printenv SLURM_JOB_PARTITION", "carol", "/tmp/dcap").out, "short\n");
  EXPECT_EQ(c->Run("srun printenv SLURM_JOB_PARTITION", "alice", "/tmp/dcap").out, "g2\n");
  EXPECT_EQ(c->Run("srun -p g2 printenv SLURM_JOB_PARTITION", "carol", "/tmp/dcap").out, "g2\n");
  // Only root, SlurmUser and operators change anything.
  r = c->Run("sacctmgr -i add account x", "carol");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, " Problem adding accounts: Access/permission denied\n");
  EXPECT_EQ(c->Run("sacctmgr -n -P show account x").out, "");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// AccountingStorageEnforce=associations against extra/13_enforce: alice
// may use partition short only, bob every partition, carol none; sbatch,
// srun and salloc refuse with Slurm's words; a job naming no account takes
// its user's default one.
TEST(GoldenEnforceTest, AssociationsDecideWhoSubmitsWhereAsSlurm) {
  for (const char* u : {"alice", "bob", "carol"}) ASSERT_TRUE(EnsureUser(u)) << u;
  auto c = StartRefCluster(
      "AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageEnforce=associations\n");
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  ASSERT_EQ(c->Run("sacctmgr -i add account ml").rc, 0);
  ASSERT_EQ(c->Run("sacctmgr -i add user alice account=ml partition=short").rc, 0);
  ASSERT_EQ(c->Run("sacctmgr -i add user bob account=ml").rc, 0);
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("13_enforce", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string user = line.substr(1, line.find(']') - 1);
    std::string cmd = line.substr(line.find(']') + 2);
    auto r = c->Run("cd /tmp/dcap && " + cmd + " 2>&1; echo rc=$?", user == "root" ? "" : user);
    EXPECT_EQ(r.out, want) << "[" << user << "] " << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 14);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// Partition access lists against extra/13_partition_access: AllowGroups
// refuses at submission in Slurm's words; scontrol show partition names
// the lists. AllowAccounts/DenyAccounts: Slurm accepts such a job and
// leaves it pending for ever ("Job's account not permitted to use this
// partition"); Sluice refuses it at once (docs/ADMIN.md), so those
// commands are checked here, not replayed; the same for AllowQos/DenyQos
// ("Job's QOS not permitted to use this partition").
TEST(GoldenPartitionAccessTest, AllowGroupsAndAccountsAsSlurm) {
  for (const char* u : {"alice", "bob", "carol"}) ASSERT_TRUE(EnsureUser(u)) << u;
  auto c = StartRefCluster(
      "AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageEnforce=associations\n"
      "PartitionName=grp Nodes=n[3-4] AllowGroups=alice,carol State=UP\n"
      "PartitionName=acct Nodes=n[3-4] AllowAccounts=ml State=UP\n"
      "PartitionName=deny Nodes=n[3-4] DenyAccounts=ml State=UP\n"
      "PartitionName=aq Nodes=n[3-4] AllowQos=normal State=UP\n"
      "PartitionName=dq Nodes=n[3-4] DenyQos=normal State=UP\n");
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  ASSERT_EQ(c->Run("sacctmgr -i add account ml,cv").rc, 0);
  ASSERT_EQ(c->Run("sacctmgr -i add user alice account=ml").rc, 0);
  ASSERT_EQ(c->Run("sacctmgr -i add user bob account=cv").rc, 0);
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("13_partition_access", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string user = line.substr(1, line.find(']') - 1);
    std::string cmd = line.substr(line.find(']') + 2);
    bool replayed = absl::StrContains(cmd, "-p grp --wrap") || absl::StrContains(cmd, "srun -p grp") ||
                    absl::StrContains(cmd, "show partition grp") ||
                    absl::StrContains(cmd, "show partition acct") ||
                    absl::StrContains(cmd, "show partition deny") ||
                    absl::StrContains(cmd, "show partition aq") ||
                    absl::StrContains(cmd, "show partition dq");
    if (!replayed) return;
    auto r = c->Run("cd /tmp/dcap && " + cmd + " 2>&1; echo rc=$?", user == "root" ? "" : user);
    EXPECT_EQ(r.out, want) << "[" << user << "] " << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 9);
  const std::string refused =
      "sbatch: error: Batch job submission failed: Invalid account or account/partition "
      "combination specified\n";
  EXPECT_EQ(c->Run("sbatch -H -o /dev/null -p acct --wrap true", "bob", "/tmp/dcap").err, refused);
  EXPECT_EQ(c->Run("sbatch -H -o /dev/null -p deny --wrap true", "alice", "/tmp/dcap").err, refused);
  EXPECT_EQ(c->Run("sbatch -H -o /dev/null -p acct --wrap true", "alice", "/tmp/dcap").rc, 0);
  EXPECT_EQ(c->Run("sbatch -H -o /dev/null -p deny --wrap true", "bob", "/tmp/dcap").rc, 0);
  // Of several partitions, those not permitted are dropped: bob's job can
  // only ever run in g2.
  auto r = c->Run("sbatch --parsable -H -o /dev/null -p grp,g2 --wrap true", "bob", "/tmp/dcap");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(c->Run("squeue -h -o %P -j " + r.out.substr(0, r.out.size() - 1)).out, "g2\n");
  // QOS lists: Slurm leaves such a job pending for ever ("Job's QOS not
  // permitted to use this partition"); Sluice refuses it at once.
  EXPECT_EQ(c->Run("sbatch -H -o /dev/null -p dq --wrap true", "alice", "/tmp/dcap").err,
            "sbatch: error: Batch job submission failed: Invalid qos specification\n");
  EXPECT_EQ(c->Run("sbatch -H -o /dev/null -p aq --wrap true", "alice", "/tmp/dcap").rc, 0);
  // Root passes every list.
  EXPECT_EQ(c->Run("sbatch -H -o /dev/null -p grp --wrap true", "", "/tmp/dcap").rc, 0);
}

}  // namespace
}  // namespace sluice::testing
