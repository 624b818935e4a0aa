// Options that used to be accepted and dropped, on real daemons: each is
// acted on or refused with Slurm's words (docs/CLI.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

class OptionsTest : public SharedClusterTest<OptionsTest> {
 protected:
};

TEST_F(OptionsTest, SbatchPassesScriptArgumentsAndKeepsTheComment) {
  std::ofstream(cluster_->work() + "/args.sh") << "#!/bin/bash\necho \"n=$# 1=$1 2=$2\"\n";
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable --comment='for the record' -o args.out args.sh one 'two three'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30));
  EXPECT_EQ(Slurp(cluster_->work() + "/args.out"), "n=2 1=one 2=two three\n");
  EXPECT_EQ(cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o %k").out,
            "for the record\n");
  auto r = cluster_->Run("sbatch --wrap true extra");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: Script arguments not permitted with --wrap option\n");
}

TEST_F(OptionsTest, SbatchQuietReservationsLicensesAndClusters) {
  auto r = cluster_->Run("sbatch -Q -o /dev/null --wrap true");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "");
  r = cluster_->Run("sbatch --reservation=maint --wrap true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: Batch job submission failed: Requested reservation is invalid\n");
  r = cluster_->Run("sbatch -L matlab:1 --wrap true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: Batch job submission failed: Invalid license specification\n");
  r = cluster_->Run("sbatch -M elsewhere --wrap true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: No cluster 'elsewhere' known by database.\n");
  r = cluster_->Run("sbatch --propagate --wrap true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: --propagate is not supported by this Sluice release\n");
}

TEST_F(OptionsTest, SrunChecksItsJobIdAndMpiType) {
  auto r = cluster_->Run("srun --jobid=abc true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "srun: error: Invalid numeric value \"abc\" for --jobid.\n");
  r = cluster_->Run("srun --mpi=pmix true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("Couldn't find the specified plugin name for mpi/pmix"));
  EXPECT_EQ(cluster_->Run("srun --mpi=none echo ok").out, "ok\n");
}

TEST_F(OptionsTest, SqueueSortsAndFiltersByAccount) {
  uint64_t a = Parsable(cluster_->Run("sbatch --parsable -H -A ml -J zed --wrap true"));
  uint64_t b = Parsable(cluster_->Run("sbatch --parsable -H -A ml -J alpha --wrap true"));
  uint64_t c = Parsable(cluster_->Run("sbatch --parsable -H -A phys -J mid --wrap true"));
  ASSERT_GT(c, 0u);
  EXPECT_EQ(cluster_->Run("squeue -h -A ml -S j -o %j").out, "alpha\nzed\n");
  EXPECT_EQ(cluster_->Run("squeue -h -A ml,phys -S -i -o %i").out,
            std::to_string(c) + "\n" + std::to_string(b) + "\n" + std::to_string(a) + "\n");
  EXPECT_EQ(cluster_->Run("squeue -h -q normal -o %i").out, "");
  auto r = cluster_->Run("squeue -S '%'");
  EXPECT_EQ(r.rc, 1);
  cluster_->Run("scancel " + std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c));
}

// Everything up to the line containing `end`, inclusive.
std::string Upto(const std::string& text, const std::string& end) {
  size_t at = text.find(end);
  return at == std::string::npos ? text : text.substr(0, text.find('\n', at) + 1);
}

// squeue's and sinfo's input variables stand for their options, below the
// command line.
TEST_F(OptionsTest, SqueueAndSinfoReadTheirInputVariables) {
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable -H -J envjob --wrap true"));
  auto r = cluster_->Run("SQUEUE_FORMAT='%j %T' squeue -h -n envjob");
  EXPECT_EQ(r.out, "envjob PENDING\n");
  r = cluster_->Run("SQUEUE_FORMAT='%j %T' squeue -h -n envjob -o %j");
  EXPECT_EQ(r.out, "envjob\n");  // the command line wins
  r = cluster_->Run("SQUEUE_STATES=R squeue -h -n envjob");
  EXPECT_EQ(r.out, "");
  r = cluster_->Run("SQUEUE_STATES=bogus squeue -h");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, ::testing::HasSubstr("Invalid job state specified: bogus"));
  r = cluster_->Run("SQUEUE_NAMES=envjob SQUEUE_USERS=root SQUEUE_FORMAT=%i squeue -h");
  EXPECT_EQ(r.out, std::to_string(id) + "\n");
  r = cluster_->Run("SINFO_FORMAT='%P %D' sinfo -h");
  EXPECT_EQ(r.out, "g2* 2\n");
  r = cluster_->Run("SINFO_PARTITION=nosuch SINFO_FORMAT=%P sinfo -h -p g2");
  EXPECT_EQ(r.out, "g2*\n");
  cluster_->Run("scancel " + std::to_string(id));
}

TEST_F(OptionsTest, VerboseDumpsTheDefinedOptionsAsSlurmDoes) {
  auto r = cluster_->Run("cd /tmp && sbatch -v --wrap hostname");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, CapturedSection("11_sbatch_v", "stderr"));
  // Canonical time, an error path made absolute against -D, flags as "set".
  r = cluster_->Run(
      "cd /tmp && sbatch -v -H --parsable --exclusive -N 1-2 -D /tmp -e e.err -J x "
      "--dependency=afterok:1 -A acct --comment=hi --nice --requeue -t 2-03:04:05 "
      "--mem-per-cpu=500 -p short,g2 --wrap true");
  EXPECT_EQ(Upto(r.err, "end of defined options"),
            Upto(CapturedSection("11_sbatch_v_many", "stderr"), "end of defined options"));
  r = cluster_->Run("srun -v -n2 -t 5 --mem=100M true");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Upto(r.err, "end of defined options"),
            Upto(CapturedSection("11_srun_v", "stderr"), "end of defined options"));
  // Then the lines tools parse, as the capture has them (its job ID and
  // node name mapped; Slurm's plugin-loading line and the queued/allocated
  // lines of its busier cluster left out).
  std::smatch id, node;
  ASSERT_TRUE(std::regex_search(r.err, id, std::regex("StepId=([0-9]+)"))) << r.err;
  ASSERT_TRUE(std::regex_search(r.err, node, std::regex("on host (\\S+),"))) << r.err;
  std::string want_v;
  for (absl::string_view l : absl::StrSplit(CapturedSection("11_srun_v", "stderr"), '\n'))
    if (!l.empty() && !absl::StrContains(l, "route/default") && !absl::StrContains(l, "job 10 "))
      absl::StrAppend(&want_v, l, "\n");
  want_v = absl::StrReplaceAll(want_v, {{"jobid 10:", "jobid " + id[1].str() + ":"},
                                        {"StepId=10.", "StepId=" + id[1].str() + "."},
                                        {"`n2'", "`" + node[1].str() + "'"},
                                        {"host n2,", "host " + node[1].str() + ","},
                                        {"Node n2,", "Node " + node[1].str() + ","},
                                        {": n2: ", ": " + node[1].str() + ": "}});
  EXPECT_EQ(r.err, want_v);
  // salloc's, through the same table.
  r = cluster_->Run("salloc -v -N1 -t 5 --mem=100M true");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Upto(r.err, "end of defined options"),
            Upto(CapturedSection("11_salloc_v", "stderr"), "end of defined options"));
  // squeue's settings dump goes to stdout, with the records line after it.
  r = cluster_->Run("squeue -v -h -u root -p g2 -t PD,R -o %i -S i -n x,y -w mlmini-g2-ghpc-0 "
                    "--start");
  std::string want = CapturedSection("11_squeue_v_opts", "stdout");
  want = absl::StrReplaceAll(want, {{"nodes       = n1", "nodes       = mlmini-g2-ghpc-0"}});
  EXPECT_EQ(Upto(r.out, "verbose     = "), Upto(want, "verbose     = "));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("-----------------------------\n\n\n"
                                              "last_update_time=[0-9]+ records=[0-9]+\n"));
}

}  // namespace
}  // namespace sluice::testing
