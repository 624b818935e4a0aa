// Every option of Slurm 22.05's `sbatch --help` that Sluice's table had
// lacked, run on real daemons and compared with what the reference Slurm
// did with each on a cluster like this one
// (tests/reference/slurm-22.05/extra/11_sbatch_more_options.txt): the
// error text and exit code, or that the job ran, or that it waits with
// BadConstraints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

class MoreOptionsTest : public SharedClusterTest<MoreOptionsTest> {};

TEST_F(MoreOptionsTest, EachDoesWhatTheReferenceSlurmDid) {
  std::ofstream(cluster_->work() + "/nf") << "mlmini-g2-ghpc-1\n";
  std::string capture = Slurp(std::string(SLUICE_REFERENCE_DIR) + "/extra/11_sbatch_more_options.txt");
  ASSERT_FALSE(capture.empty()) << "capture missing";
  int cases = 0;
  for (absl::string_view line : absl::StrSplit(capture, '\n')) {
    if (line.empty() || line[0] != '[') continue;
    std::string opt(line.substr(1, line.find("] rc=") - 1));
    int rc = std::stoi(std::string(line.substr(line.find("] rc=") + 5)));
    std::string rest(line.substr(line.find(": ") + 2));
    // The capture's node file named the reference node n2.
    if (opt == "--nodefile=nf (n2)") opt = "--nodefile=nf";
    SCOPED_TRACE(opt);
    auto r = cluster_->Run("sbatch --parsable -o /dev/null " + opt + " --wrap true");
    EXPECT_EQ(r.rc, rc) << r.err;
    // Slurm's "error:" lines, each ending in '|' in the capture.
    std::string want_err;
    for (absl::string_view part : absl::StrSplit(rest, '|'))
      if (absl::StartsWith(part, "sbatch: ")) absl::StrAppend(&want_err, part, "\n");
    EXPECT_EQ(r.err, want_err);
    ++cases;
    if (rc != 0) continue;
    uint64_t id = Parsable(r);
    ASSERT_GT(id, 0u);
    if (absl::StrContains(rest, "PENDING BadConstraints")) {
      EXPECT_TRUE(TestCluster::WaitFor([&] {
        return cluster_->Run("squeue -h -j " + std::to_string(id) + " -o '%T %r'").out ==
               "PENDING BadConstraints\n";
      }, 10));
      cluster_->Run("scancel " + std::to_string(id));
    } else {
      EXPECT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
      if (opt == "--nodefile=nf") {
        EXPECT_EQ(cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o %N").out,
                  "mlmini-g2-ghpc-1\n");
      }
    }
  }
  EXPECT_EQ(cases, 47);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// Odd and bad values for sbatch, srun and salloc options, each run through
// the reference Slurm and captured (extra/11_job_option_values.txt): the
// same output (job IDs aside) and exit code here.
TEST_F(MoreOptionsTest, OptionValuesAreReadAsTheReferenceSlurmReadThem) {
  std::string capture = Slurp(std::string(SLUICE_REFERENCE_DIR) + "/extra/11_job_option_values.txt");
  ASSERT_FALSE(capture.empty()) << "capture missing";
  int cases = 0;
  for (absl::string_view line : absl::StrSplit(capture, '\n')) {
    if (line.empty() || line[0] != '[') continue;
    size_t close = line.find("] rc=");
    std::string cmd(line.substr(1, close - 1));
    int rc = std::stoi(std::string(line.substr(close + 5)));
    std::string want;
    for (absl::string_view part : absl::StrSplit(line.substr(line.find(": ") + 2), '|'))
      if (!part.empty()) absl::StrAppend(&want, part, "\n");
    SCOPED_TRACE(cmd);
    auto r = cluster_->Run("DISPLAY= " + cmd + " </dev/null 2>&1");
    // The one field that differs by nature: the job ID.
    std::string got = std::regex_replace(
        r.out, std::regex("(Submitted batch job|job allocation) [0-9]+"), "$1 ID");
    EXPECT_EQ(got, want);
    EXPECT_EQ(r.rc, rc);
    ++cases;
  }
  EXPECT_EQ(cases, 54);
  cluster_->Run("scancel -u root");
}

}  // namespace
}  // namespace sluice::testing
