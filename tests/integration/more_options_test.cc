// Every option of Slurm 22.05's `sbatch --help` that Sluice's table had
// lacked, run on real daemons and compared with what the reference Slurm
// did with each on a cluster like this one
// (tests/reference/slurm-22.05/extra/11_sbatch_more_options.txt): the
// error text and exit code, or that the job ran, or that it waits with
// BadConstraints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

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
