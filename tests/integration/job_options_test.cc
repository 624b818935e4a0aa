// The one option table on real daemons: srun and salloc take the job
// options sbatch takes and mean the same by them, -O/--overcommit shares a
// node's CPUs among more tasks, srun's --prolog/--epilog run on the submit
// host, salloc --no-shell keeps its allocation, and every help and usage
// text is Slurm's. Messages are the reference Slurm 22.05's for the same
// commands (captured with the reference setup/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "cli/job_help.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

class JobOptionsTest : public SharedClusterTest<JobOptionsTest> {};

TEST_F(JobOptionsTest, SrunAndSallocTakeTheJobOptionsSbatchTakes) {
  // --comment on an srun allocation, seen from inside it.
  auto r = cluster_->Run("srun --comment=from-srun bash -c 'squeue -h -j $SLURM_JOB_ID -o %k'");
  EXPECT_EQ(r.out, "from-srun\n") << r.err;
  // --uid (root only) runs the allocation as that user.
  ASSERT_TRUE(EnsureUser("sluicebob"));
  r = cluster_->Run("srun --uid=sluicebob id -un");
  EXPECT_EQ(r.out, "sluicebob\n") << r.err;
  r = cluster_->Run("salloc --uid=sluicebob id -un");
  EXPECT_EQ(r.out, "sluicebob\n") << r.err;
  r = cluster_->Run("srun --uid=sluicebob true", "sluicebob");
  EXPECT_EQ(r.rc, 255);
  EXPECT_EQ(r.err, "srun: error: --uid only permitted by root user\n");
  // --test-only: the estimate in srun's words; nothing is submitted.
  r = cluster_->Run("srun --test-only -n2 true");
  EXPECT_EQ(r.rc, 0);
  EXPECT_TRUE(std::regex_match(r.err, std::regex("srun: Job [0-9]+ to start at [0-9T:-]+ using 2 "
                                                 "processors on nodes \\S+ in partition g2\n")))
      << r.err;
  EXPECT_EQ(cluster_->Run("squeue -h -n true").out, "");
  // salloc has no --test-only (an option of another command is getopt's).
  r = cluster_->Run("salloc --test-only true");
  EXPECT_EQ(r.rc, 255);
  EXPECT_EQ(r.err, "salloc: unrecognized option '--test-only'\n"
                   "Try \"salloc --help\" for more information\n");
  // salloc --no-shell keeps the allocation for later steps.
  r = cluster_->Run("salloc --no-shell -N1");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("salloc: Granted job allocation "));
  r = cluster_->Run("squeue -h -n no-shell -o '%i %T'");
  ASSERT_THAT(r.out, HasSubstr(" RUNNING")) << r.out;
  std::string id = r.out.substr(0, r.out.find(' '));
  r = cluster_->Run("srun --jobid=" + id + " hostname");
  EXPECT_EQ(r.rc, 0) << r.err;
  cluster_->Run("scancel " + id);
  // -H: held until released, with Slurm's words.
  r = cluster_->Run("(srun -H -J heldrun true 2>held.err &); "
                    "for i in $(seq 100); do squeue -h -n heldrun -o %r | grep -q JobHeldUser && break; "
                    "sleep 0.1; done; scontrol release $(squeue -h -n heldrun -o %i); "
                    "for i in $(seq 100); do [ -n \"$(squeue -h -n heldrun)\" ] || break; sleep 0.1; done; "
                    "cat held.err");
  EXPECT_TRUE(std::regex_match(r.out, std::regex("srun: Job is in held state, pending scheduler release\n"
                                                 "srun: job [0-9]+ queued and waiting for resources\n"
                                                 "srun: job [0-9]+ has been allocated resources\n")))
      << r.out;
}

// -v shows --begin and --deadline as the times they name, as Slurm's dump
// does ("now+60" is a timestamp there).
TEST_F(JobOptionsTest, VerboseShowsBeginAndDeadlineAsTimes) {
  auto r = cluster_->Run("sbatch -v -H --begin=2031-01-02T10:00:00 --deadline=now+2hours --wrap true");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("sbatch: begin               : 2031-01-02T10:00:00\n"));
  EXPECT_TRUE(std::regex_search(r.err, std::regex("sbatch: deadline            : 20[0-9-]+T[0-9:]+\n")))
      << r.err;
  cluster_->Run("scancel -u root");
}

TEST_F(JobOptionsTest, OvercommitSharesTheCpusOfOneTaskPerNode) {
  // 12 tasks on one 8-CPU node: refused without -O, run with it.
  auto r = cluster_->Run("srun -n 12 -N1 true");
  EXPECT_EQ(r.rc, 1);
  r = cluster_->Run("srun -O -n 12 -N1 -l hostname | wc -l");
  EXPECT_EQ(r.out, "12\n") << r.err;
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable -O -n 12 -N1 -o oc-%j.out "
      "--wrap 'echo $SLURM_OVERCOMMIT $SLURM_CPUS_ON_NODE; srun hostname | wc -l'"));
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30));
  EXPECT_EQ(Slurp(cluster_->work() + "/oc-" + std::to_string(id) + ".out"), "1 1\n12\n");
}

// --tmp against the nodes' TmpDisk: refused with Slurm's two lines where
// no node has enough (as the reference, whose nodes have none), placed on
// a node that has.
TEST(TmpDiskTest, TmpPicksANodeWithThatMuchTmpDisk) {
  ClusterOptions o;
  o.conf_text = std::string("ClusterName=tmp\n") + kTestConfHeader +
                "NodeName=n1 NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=4 RealMemory=4000\n"
                "NodeName=n2 NodeAddr=127.0.0.1 Port=@PORT2@ CPUs=4 RealMemory=4000 TmpDisk=1000\n"
                "PartitionName=g2 Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP\n";
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  auto r = c->Run("sbatch --tmp=10G --wrap true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: Temporary disk specification can not be satisfied\n"
                   "sbatch: error: Batch job submission failed: Requested node configuration is not "
                   "available\n");
  r = c->Run("srun --tmp=2000 true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "srun: error: Temporary disk specification can not be satisfied\n"
                   "srun: error: Unable to allocate resources: Requested node configuration is not "
                   "available\n");
  EXPECT_EQ(c->Run("srun --tmp=500 bash -c 'echo $SLURMD_NODENAME'").out, "n2\n");
  uint64_t id = Parsable(c->Run("sbatch --parsable -H --tmp=500 --wrap true"));
  EXPECT_THAT(c->Run("scontrol show job " + std::to_string(id)).out, HasSubstr("MinTmpDiskNode=500M"));
  EXPECT_THAT(c->Run("scontrol show node n2").out, HasSubstr("TmpDisk=1000"));
}

TEST_F(JobOptionsTest, SrunPrologAndEpilogRunOnTheSubmitHost) {
  auto r = cluster_->Run(
      "printf '#!/bin/sh\\necho prolog $SLURM_JOB_ID > pro.txt\\n' > pro.sh; "
      "printf '#!/bin/sh\\necho epilog $SLURM_JOB_ID > epi.txt\\n' > epi.sh; chmod +x pro.sh epi.sh; "
      "srun --prolog=./pro.sh --epilog=./epi.sh bash -c 'cat pro.txt; echo job $SLURM_JOB_ID'");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(r.out, m, std::regex("prolog ([0-9]+)\njob ([0-9]+)\n"))) << r.out;
  EXPECT_EQ(m[1], m[2]);  // before the step, with its job's ID
  EXPECT_EQ(Slurp(cluster_->work() + "/epi.txt"), "epilog " + std::string(m[1]) + "\n");
  r = cluster_->Run("srun --prolog=/bin/false echo never");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "srun: error: srun prolog failed rc = 1. Aborting step.\n");
  r = cluster_->Run("srun --epilog=/bin/false echo ran");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_EQ(r.err, "srun: error: srun epilog failed status=1\n");
}

// What each command prints is its text from the table's help module, which
// OptionTableTest.HelpAndUsageAreSlurmsText compares with the captures
// byte for byte.
TEST_F(JobOptionsTest, EveryHelpAndUsageTextIsSlurms) {
  for (cli::Command cmd : {cli::kSbatch, cli::kSrun, cli::kSalloc}) {
    for (const char* flag : {"--help", "-h", "--usage"}) {
      std::string line = std::string(cli::CommandName(cmd)) + " " + flag;
      SCOPED_TRACE(line);
      auto r = cluster_->Run(line);
      EXPECT_EQ(r.rc, 0);
      EXPECT_EQ(r.out, std::string(flag) == "--usage" ? cli::UsageText(cmd) : cli::HelpText(cmd));
      EXPECT_EQ(r.err, "");
    }
  }
  EXPECT_EQ(cluster_->Run("salloc --usage").out, CapturedSection("11_salloc_usage", "stdout"));
}

}  // namespace
}  // namespace sluice::testing
