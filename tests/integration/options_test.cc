// Options that used to be accepted and dropped, on real daemons: each is
// acted on or refused with Slurm's words (docs/CLI.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

class OptionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = TestCluster::Start().release();
    ASSERT_NE(cluster_, nullptr);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static TestCluster* cluster_;
};
TestCluster* OptionsTest::cluster_ = nullptr;

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
  r = cluster_->Run("sbatch --time-min=5 --wrap true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: --time-min is not supported by this Sluice release\n");
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

}  // namespace
}  // namespace sluice::testing
