// sacct against the reference Slurm's own answers (issue 12): the same
// jobs run on a cluster shaped like the reference, then every captured
// command of extra/12_sacct.txt is run and its output and exit code
// compared byte for byte. The reference's slurmdbd gives root the account
// "root" (its default association); Sluice has no associations yet, so
// root's jobs here ask for -A root.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

// Commands whose answer depends on what is not the same in both runs.
bool Skipped(const std::string& cmd) {
  // Slurm 22.05's sacct has no --me (later releases do; Sluice takes it).
  if (absl::StrContains(cmd, "--me")) return true;
  // Elapsed and CPU times are the jobs' own.
  return absl::StrContains(cmd, "elapsed");
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
  EXPECT_EQ(compared, 37);
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

namespace sluice::testing {
namespace {

// Elapsed leaves a job's suspended time out, Suspended shows it, and
// SubmitLine is the command as typed, against 12_sacct_suspend: the same
// job suspended for 4 s while its step sleeps 9 s. The seconds compare
// within one (the two clocks tick apart); the rest byte for byte.
TEST(GoldenSacctSuspendTest, ElapsedLeavesSuspendedTimeOut) {
  auto c = StartRefCluster("FirstJobId=2\n");
  ASSERT_NE(c, nullptr);
  c->Run("mkdir -p /tmp/dcap");
  ASSERT_EQ(c->Run("cd /tmp/dcap && sbatch --parsable -J susp -o /dev/null --wrap 'srun -n1 sleep 9'").out,
            "2\n");
  // The step's task (the sleep itself) runs: a stop before it started
  // would not be part of its 9 s.
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] { return std::regex_search(c->Run("scontrol listpids 2.0").out,
                                     std::regex("\n[0-9]+ +2 +0 +0 +0")); }, 30));
  ASSERT_EQ(c->Run("scontrol suspend 2").rc, 0);
  // Stopped for 4 s by the controller's own clock. (At least 4: on a loaded
  // machine one poll, a sacct run, can take longer than a second and step
  // over 00:00:04.)
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    int hh = 0, mm = 0, ss = 0;
    std::string out = c->Run("sacct -j 2 -X -n -o Suspended").out;
    return std::sscanf(out.c_str(), " %d:%d:%d", &hh, &mm, &ss) == 3 && hh * 3600 + mm * 60 + ss >= 4;
  }, 30));
  ASSERT_EQ(c->Run("scontrol resume 2").rc, 0);
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->JobState(2) == "COMPLETED"; }, 60));
  std::string capture = CapturedSection("12_sacct_suspend", "stdout");
  int compared = 0;
  ForEachCapturedCommand(capture, [&](const std::string& cmd, const std::string& want) {
    std::string got = c->Run(cmd + " 2>&1; echo rc=$?").out;
    if (absl::StrContains(cmd, "Elapsed")) {
      // Each row: the same ID and state; Suspended 4 (to 6); Elapsed and
      // its raw form and CPU time within a second of the reference's.
      std::vector<std::string> g = absl::StrSplit(got, '\n'), w = absl::StrSplit(want, '\n');
      ASSERT_EQ(g.size(), w.size()) << got;
      for (size_t i = 0; i < g.size(); ++i) {
        std::vector<std::string> gf = absl::StrSplit(g[i], ' ', absl::SkipEmpty());
        std::vector<std::string> wf = absl::StrSplit(w[i], ' ', absl::SkipEmpty());
        ASSERT_EQ(gf.size(), wf.size()) << g[i];
        if (i < 2 || gf.size() != 6) {
          EXPECT_EQ(g[i], w[i]);
          continue;
        }
        EXPECT_EQ(gf[0], wf[0]);
        EXPECT_EQ(gf[1], wf[1]);
        EXPECT_TRUE(gf[3] == "00:00:04" || gf[3] == "00:00:05" || gf[3] == "00:00:06") << g[i];
        int64_t elapsed = std::stoll(gf[4]), want_elapsed = std::stoll(wf[4]);
        if (gf[0] == "2.0") {
          // The step is the 9 s sleep itself: its figure is the reference's.
          EXPECT_LE(std::abs(elapsed - want_elapsed), 1) << g[i];
        } else {
          // The job and its batch step also hold the time before srun's
          // step began and after it ended, which a loaded machine
          // stretches; their Elapsed is their own End - Start less the
          // Suspended time, and never less than the step's.
          auto times = c->Run("sacct -n -P -j " + gf[0] +
                              " -o Start,End,Suspended,ElapsedRaw | head -1").out;
          std::vector<std::string> t = absl::StrSplit(absl::StripAsciiWhitespace(times), '|');
          ASSERT_EQ(t.size(), 4u) << times;
          std::tm s{}, e{};
          ASSERT_NE(strptime(t[0].c_str(), "%Y-%m-%dT%H:%M:%S", &s), nullptr) << times;
          ASSERT_NE(strptime(t[1].c_str(), "%Y-%m-%dT%H:%M:%S", &e), nullptr) << times;
          int64_t wall = static_cast<int64_t>(timegm(&e) - timegm(&s));
          int hh = 0, mm = 0, ss = 0;
          ASSERT_EQ(std::sscanf(t[2].c_str(), "%d:%d:%d", &hh, &mm, &ss), 3) << times;
          int64_t suspended = hh * 3600 + mm * 60 + ss;
          EXPECT_LE(std::abs(wall - suspended - elapsed), 1) << g[i] << " / " << times;
          EXPECT_GE(elapsed, want_elapsed - 1) << g[i];
        }
        EXPECT_EQ(gf[2], absl::StrFormat("00:00:%02d", elapsed)) << g[i];
        EXPECT_EQ(gf[5], gf[4]) << g[i];  // one CPU
      }
    } else {
      EXPECT_EQ(got, want) << cmd;
    }
    ++compared;
  });
  EXPECT_EQ(compared, 3);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// MinCPU* and the virtual sizes: task 0 of a 2-task step burns CPU, task 1
// does not; both hold a 50 MB string for 3 s (bash keeps it: the sleep is
// not its last command) while the stepd samples their sizes every second
// (JobAcctGatherFrequency=1).
TEST(SacctUsageTest, MinCpuAndVirtualSizesComeFromTheTasks) {
  auto c = StartRefCluster("JobAcctGatherFrequency=task=1\n");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->Run("scontrol show config | grep JobAcctGatherFrequency").out,
            "JobAcctGatherFrequency  = task=1\n");
  uint64_t id = Parsable(c->Run(
      "sbatch --parsable -n2 -o /dev/null --wrap \"srun -n2 bash -c '"
      "if [ \\$SLURM_PROCID = 0 ]; then i=0; while [ \\$i -lt 200000 ]; do i=\\$((i+1)); done; fi; "
      "x=\\$(head -c 50000000 /dev/zero | tr \\\\\\\\0 a); sleep 3; echo \\${#x}'\""));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(c->WaitForState(id, "COMPLETED", 90)) << c->JobState(id);
  std::vector<std::string> step;
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] {
        auto r = c->Run("sacct -n -P -j " + std::to_string(id) +
                        ".0 -o jobid,mincpu,mincpunode,mincputask,totalcpu,maxvmsize,"
                        "maxvmsizenode,maxvmsizetask,avevmsize");
        step = absl::StrSplit(absl::StripTrailingAsciiWhitespace(r.out), '|');
        return step.size() == 9 && !step[1].empty();
      },
      30))
      << absl::StrJoin(step, "|");
  EXPECT_EQ(step[2], "n1");
  EXPECT_EQ(step[3], "1");  // the task that did not burn
  EXPECT_NE(step[1], step[4]);
  uint64_t max_vm = 0, ave_vm = 0;
  ASSERT_TRUE(absl::EndsWith(step[5], "K")) << step[5];
  ASSERT_TRUE(absl::SimpleAtoi(step[5].substr(0, step[5].size() - 1), &max_vm));
  ASSERT_TRUE(absl::SimpleAtoi(step[8].substr(0, step[8].size() - 1), &ave_vm)) << step[8];
  EXPECT_GE(max_vm, 48000u);
  EXPECT_GE(ave_vm, 48000u);
  EXPECT_LE(ave_vm, max_vm);
  EXPECT_EQ(step[6], "n1");
  EXPECT_TRUE(step[7] == "0" || step[7] == "1");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// The keys of a JSON document in order, with their nesting; values
// replaced by '*' (their types and contents differ by nature).
std::string JsonSkeleton(const std::string& text) {
  static const std::regex kKey("^( *)\"([^\"]+)\": (.*)$");
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::string l(line);
    std::smatch m;
    if (std::regex_match(l, m, kKey)) {
      std::string v = m[3].str();
      bool opens = !v.empty() && (v[0] == '{' || v[0] == '[');
      absl::StrAppend(&out, m[1].str(), m[2].str(), opens ? std::string(1, v[0]) : "", "\n");
    } else if (l.find_first_not_of(' ') != std::string::npos) {
      std::string t = l.substr(l.find_first_not_of(' '));
      bool structural = t[0] == '{' || t[0] == '}' || t[0] == '[' || t[0] == ']';
      absl::StrAppend(&out, l.substr(0, l.find_first_not_of(' ')), structural ? t.substr(0, 1) : "*",
                      "\n");
    }
  }
  return out;
}

// sacct --json has the shape of Slurm 22.05's (12_sacct_more's `sacct -j 1
// --json`: a job whose batch script slept a second): every key in its
// place, the step's TRES usage (requested and consumed max/min/average/
// total), CPU and statistics included.
TEST(GoldenSacctJsonTest, DocumentHasSlurmsShape) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(Parsable(c->Run("sbatch --parsable -J okjob -o /dev/null -A root --wrap 'sleep 1'")),
            1u);
  ASSERT_TRUE(c->WaitForState(1, "COMPLETED", 30));
  std::string want;
  ForEachCapturedCommand(CapturedSection("12_sacct_more", "stdout"),
                         [&](const std::string& cmd, const std::string& w) {
    if (cmd == "sacct -j 1 --json") want = w;
  });
  ASSERT_FALSE(want.empty());
  std::string got;
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    got = c->Run("sacct -j 1 --json; echo rc=$?").out;
    return absl::StrContains(got, "\"batch\"") && absl::StrContains(got, "\"COMPLETED\"");
  }, 30)) << got;
  EXPECT_EQ(JsonSkeleton(got), JsonSkeleton(want));
}

}  // namespace
}  // namespace sluice::testing
