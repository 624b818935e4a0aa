// sacct against the reference Slurm's own answers (issue 12): the same
// jobs run on a cluster shaped like the reference, then every captured
// command of extra/12_sacct.txt is run and its output and exit code
// compared byte for byte. The reference's slurmdbd gives root the account
// "root" (its default association); Sluice has no associations yet, so
// root's jobs here ask for -A root.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

// Commands whose answer depends on what is not the same in both runs.
bool Skipped(const std::string& cmd) {
  // Slurm 22.05's sacct has no --me (later releases do; Sluice takes it).
  if (absl::StrContains(cmd, "--me")) return true;
  // Elapsed and CPU times are the jobs' own; ReqTRES/ReqMem hold the
  // node's whole memory in Slurm when no --mem was asked (not yet here).
  return absl::StrContains(cmd, "elapsed") || absl::StrContains(cmd, "ReqTRES");
}

TEST(GoldenSacctTest, NoHistoryPrintsTheHeaderOnly) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  auto r = c->Run("sacct");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, CapturedSection("12_sacct_empty", "stdout"));
  r = c->Run("sacct -a -X -j 1");  // -j reads all history: still nothing
  EXPECT_EQ(r.out, CapturedSection("12_sacct_empty", "stdout"));
}

TEST(GoldenSacctTest, RecordsAndViewsMatchTheReference) {
  SLUICE_REQUIRE(IsRoot() && EnsureUser("sluicebob"), "needs root to create users");
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/acap", 0777);
  ::chmod("/tmp/acap", 0777);
  const std::string o = " --parsable -o /dev/null -A root ";
  ASSERT_EQ(Parsable(c->Run("sbatch -J okjob" + o + "--wrap 'sleep 1'", "", "/tmp/acap")), 1u);
  c->Run("sbatch -J failjob" + o + "--wrap 'exit 3'", "", "/tmp/acap");
  c->Run("sbatch -J steps -N2 -n2" + o + "--wrap 'srun hostname; srun -n1 false; exit 0'", "",
         "/tmp/acap");
  c->Run("sbatch -J longjob" + o + "--wrap 'sleep 300'", "", "/tmp/acap");
  c->Run("sbatch -J heldjob -H" + o + "--wrap true", "", "/tmp/acap");
  // Held until bob's job has its ID: here the first task would start (and
  // take ID 7 for itself) before the next submission arrives.
  c->Run("sbatch -H -J arr -a 1-2" + o + "--wrap true", "", "/tmp/acap");
  ASSERT_EQ(Parsable(c->Run("sbatch --parsable -J bobjob -p short -o /dev/null --wrap 'sleep 2'",
                            "sluicebob", "/tmp/acap")),
            7u);
  c->Run("scontrol release 6");
  ASSERT_TRUE(c->WaitForState(4, "RUNNING", 30));
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] { return c->Run("squeue -h -t R,CG -o %i").out == "4\n"; }, 60));
  c->Run("scancel 4");
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->JobState(4) == "CANCELLED"; }, 30));
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h -t R,CG").out.empty(); }, 30));
  // sacct -s without -S shows what is in that state now: in the reference
  // the jobs had ended seconds before; here, wait for the clock to pass
  // the last end.
  int64_t last_end = ::time(nullptr);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return ::time(nullptr) > last_end; }, 5));
  std::string capture = CapturedSection("12_sacct", "stdout");
  int compared = 0;
  std::string cmd, want;
  auto check = [&] {
    if (cmd.empty() || Skipped(cmd)) return;
    SCOPED_TRACE(cmd);
    auto r = c->Run(cmd + " 2>&1; echo rc=$?", "", "/tmp/acap");
    // Both list the jobs by submission, but Slurm puts an array's tasks
    // after jobs submitted later (its database's order): as sets of lines
    // where more than one job is listed.
    EXPECT_EQ(SortedLines(r.out), SortedLines(want));
    if (absl::StrContains(cmd, "-j ")) EXPECT_EQ(r.out, want);
    ++compared;
  };
  ForEachCapturedCommand(capture, [&](const std::string& c, const std::string& w) {
    cmd = c;
    want = w;
    check();
  });
  EXPECT_EQ(compared, 36);
  // A step's record survives a controller restart, and -j N.S selects it.
  ASSERT_TRUE(c->KillCtld());
  ASSERT_TRUE(c->StartCtld());
  auto r = c->Run("sacct -n -P -j 3.1 -o jobid,jobname,state,exitcode");
  EXPECT_EQ(r.out, "3.1|false|FAILED|1:0\n");
}

// Usage as the stepd measured it: each srun task holds a 50 MB string,
// so the step's MaxRSS is at least that and its average too; the batch
// script's own peak is recorded; CPU times add up.
TEST(SacctUsageTest, MaxRssAndCpuComeFromTheSteps) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  uint64_t id = Parsable(c->Run(
      "sbatch --parsable -n2 -o /dev/null --wrap \"srun -n2 bash -c "
      "'x=\\$(head -c 50000000 /dev/zero | tr \\\\\\\\0 a); sleep 1'\""));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(c->WaitForState(id, "COMPLETED", 60)) << c->JobState(id);
  std::vector<std::string> rows;
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] {
        auto r = c->Run("sacct -n -P -j " + std::to_string(id) +
                        " -o jobid,maxrss,maxrsstask,averss,ntasks,totalcpu,maxrssnode");
        rows = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
        return rows.size() == 3 && absl::StrContains(rows[2], "K|");
      },
      30))
      << absl::StrJoin(rows, "\n");
  std::vector<std::string> batch = absl::StrSplit(rows[1], '|');
  std::vector<std::string> step = absl::StrSplit(rows[2], '|');
  ASSERT_EQ(step.size(), 7u);
  EXPECT_EQ(step[0], std::to_string(id) + ".0");
  uint64_t max_kb = 0, ave_kb = 0;
  ASSERT_TRUE(absl::SimpleAtoi(step[1].substr(0, step[1].size() - 1), &max_kb)) << step[1];
  ASSERT_TRUE(absl::SimpleAtoi(step[3].substr(0, step[3].size() - 1), &ave_kb)) << step[3];
  EXPECT_GE(max_kb, 48000u);
  EXPECT_GE(ave_kb, 48000u);
  EXPECT_TRUE(step[2] == "0" || step[2] == "1");
  EXPECT_EQ(step[4], "2");
  EXPECT_NE(step[5], "00:00:00");
  EXPECT_EQ(step[6], "n1");
  EXPECT_TRUE(absl::EndsWith(batch[1], "K")) << rows[1];
  // The job's line carries no usage of its own, but the CPU of all of it.
  std::vector<std::string> job = absl::StrSplit(rows[0], '|');
  EXPECT_EQ(job[1], "");
  EXPECT_NE(job[5], "00:00:00");
}

}  // namespace
}  // namespace sluice::testing
