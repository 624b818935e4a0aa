// Issue 13 point 7: the cluster guide's day as real Unix users. alice (ml),
// bob and carol (cv) each have a default partition (g2, short, g2); each
// submits without -p and lands there, is refused a partition they are not
// assigned to, meets a limit (refused or waiting with Slurm's reason), and
// cannot see or cancel another's job (PrivateData=jobs). Fair share is not
// there yet (issue 13 point 5).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

uint64_t IdOf(const CmdResult& r) {
  uint64_t id = 0;
  EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(r.out), &id)) << r.out << r.err;
  return id;
}

TEST(GuideDayTest, UsersMeetTheirPartitionsLimitsAndPrivacy) {
  for (const char* u : {"alice", "bob", "carol"}) ASSERT_TRUE(EnsureUser(u)) << u;
  auto c = StartRefCluster(
      "AccountingStorageType=accounting_storage/slurmdbd\n"
      "AccountingStorageEnforce=associations,limits,qos\n"
      "PrivateData=jobs\n");
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/dcap", 0777);
  ::chmod("/tmp/dcap", 0777);
  for (const char* cmd :
       {"sacctmgr -i add account ml,cv",
        "sacctmgr -i add user alice account=ml partition=g2 DefaultPartition=g2",
        "sacctmgr -i add user bob account=cv partition=short DefaultPartition=short",
        "sacctmgr -i add user carol account=cv partition=g2 DefaultPartition=g2",
        "sacctmgr -i modify user alice set MaxJobs=1",
        "sacctmgr -i modify user bob set MaxSubmitJobs=1",
        "sacctmgr -i modify user carol set MaxWall=60"})
    ASSERT_EQ(c->Run(cmd).rc, 0) << cmd;
  const std::string job = "sbatch --parsable -o /dev/null --wrap 'sleep 300'";
  auto as = [&](const std::string& user, const std::string& cmd) {
    return c->Run(cmd, user, "/tmp/dcap");
  };
  // Without -p: each job lands in its user's default partition.
  uint64_t a1 = IdOf(as("alice", job)), b1 = IdOf(as("bob", job)), c1 = IdOf(as("carol", job));
  EXPECT_EQ(c->Run("squeue -h -o %P -j " + std::to_string(a1)).out, "g2\n");
  EXPECT_EQ(c->Run("squeue -h -o %P -j " + std::to_string(b1)).out, "short\n");
  EXPECT_EQ(c->Run("squeue -h -o %P -j " + std::to_string(c1)).out, "g2\n");
  // A partition not theirs is refused.
  const std::string refused =
      "sbatch: error: Batch job submission failed: Invalid account or account/partition "
      "combination specified\n";
  EXPECT_EQ(as("alice", job + " -p short").err, refused);
  EXPECT_EQ(as("bob", job + " -p g2").err, refused);
  EXPECT_EQ(as("carol", job + " -p short").err, refused);
  // Limits: alice may run one job (the second waits), bob may have one
  // (the second is refused), carol's jobs may not ask for more than an hour.
  uint64_t a2 = IdOf(as("alice", job));
  auto b2 = as("bob", job);
  EXPECT_EQ(b2.rc, 1);
  EXPECT_EQ(b2.err,
            "sbatch: error: AssocMaxSubmitJobLimit\n"
            "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job "
            "submit limit, user's size and/or time limits)\n");
  uint64_t c2 = IdOf(as("carol", job + " -t 120"));
  auto reason = [&](uint64_t id) {
    return c->Run("squeue -h -o %r -j " + std::to_string(id)).out;
  };
  EXPECT_TRUE(TestCluster::WaitFor([&] { return reason(a2) == "AssocMaxJobsLimit\n"; }, 15))
      << reason(a2);
  EXPECT_TRUE(TestCluster::WaitFor(
      [&] { return reason(c2) == "AssocMaxWallDurationPerJobLimit\n"; }, 15))
      << reason(c2);
  // The cv account may hold three jobs not yet ended (bob's one, carol's
  // two): a fourth from either of them is refused.
  ASSERT_EQ(c->Run("sacctmgr -i modify account cv set GrpSubmitJobs=3").rc, 0);
  EXPECT_EQ(as("carol", job).err,
            "sbatch: error: AssocGrpSubmitJobsLimit\n"
            "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job "
            "submit limit, user's size and/or time limits)\n");
  // A DefaultQOS is what a job naming none runs under.
  ASSERT_EQ(c->Run("sacctmgr -i add qos long").rc, 0);
  ASSERT_EQ(c->Run("sacctmgr -i modify user alice set qos+=long DefaultQOS=long").rc, 0);
  EXPECT_EQ(c->Run("sacctmgr -n -P show assoc user=alice format=user,qos,defaultqos").out,
            "alice|long,normal|long\n");
  uint64_t a3 = IdOf(as("alice", job + " -H"));
  EXPECT_EQ(c->Run("squeue -h -o %q -j " + std::to_string(a3)).out, "long\n");
  // sacct names it and its id (normal is 1, long the next).
  EXPECT_EQ(c->Run("sacct -n -X -P -o qos,qosraw -j " + std::to_string(a3)).out, "long|2\n");
  ASSERT_EQ(c->Run("scancel " + std::to_string(a3)).rc, 0);
  // Nobody sees or cancels another's job.
  EXPECT_EQ(as("alice", "squeue -h --sort=i -t R,PD -o %i").out,
            std::to_string(a1) + "\n" + std::to_string(a2) + "\n");
  EXPECT_EQ(as("alice", "scontrol show job " + std::to_string(b1)).err,
            "slurm_load_jobs error: Invalid job id specified\n");
  auto cancel = as("bob", "scancel " + std::to_string(c1));
  EXPECT_NE(cancel.rc, 0);
  EXPECT_EQ(cancel.err, "scancel: error: Kill job error on job id " + std::to_string(c1) +
                            ": Access/permission denied\n");
  EXPECT_TRUE(TestCluster::WaitFor([&] { return c->JobState(c1) == "RUNNING"; }, 10));
  // When alice's first job ends, her second starts: the limit, not the
  // queue, held it.
  ASSERT_EQ(c->Run("scancel " + std::to_string(a1)).rc, 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] { return c->JobState(a2) == "RUNNING"; }, 30));
  c->Run("scancel -u alice; scancel -u bob; scancel -u carol");
}

}  // namespace
}  // namespace sluice::testing
