// Comparisons with the reference Slurm's own answers for scontrol ping,
// holding a running job and sinfo -t, captured for issue 12 with the
// reference setup/ (tests/reference/slurm-22.05/extra/12_*).
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/users.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

// scontrol ping, up and then down, against 12_scontrol_ping (the
// reference's SlurmctldHost is localhost, named by the host's own name).
TEST(GoldenPingTest, PingSaysUpAndDownAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  const std::string mine = common::ShortHostname();
  std::string want = absl::StrReplaceAll(CapturedSection("12_scontrol_ping", "stdout"),
                                         {{" at vm is ", " at " + mine + " is "}});
  std::vector<std::string> lines = absl::StrSplit(want, '\n');
  ASSERT_GE(lines.size(), 5u);
  auto r = c->Run("scontrol ping");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, lines[0] + "\n");
  ASSERT_TRUE(c->KillCtld());
  r = c->Run("scontrol ping");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, absl::StrJoin(std::vector<std::string>(lines.begin() + 1, lines.begin() + 5), "\n") + "\n");
}

// scontrol hold and release of a running job, against
// 12_scontrol_hold_running: accepted, the job keeps running with the
// reason shown, then none.
TEST(GoldenHoldTest, HoldingARunningJobIsAcceptedAsInSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  uint64_t id = Parsable(c->Run("sbatch --parsable -o /dev/null --wrap 'sleep 60'"));
  ASSERT_TRUE(c->WaitForState(id, "RUNNING", 30));
  std::string cmd = CapturedCommand("12_scontrol_hold_running");
  cmd = cmd.substr(cmd.find("then: ") + 6);
  cmd = absl::StrReplaceAll(cmd, {{" N", " " + std::to_string(id)}});
  auto r = c->Run(cmd);
  EXPECT_EQ(r.out, CapturedSection("12_scontrol_hold_running", "stdout"));
  EXPECT_EQ(r.err, "");
  c->Run("scancel " + std::to_string(id));
}

// sinfo -t/--states against 12_sinfo_states: one whole-node job on n1,
// then each command's output and exit code, byte for byte.
TEST(GoldenSinfoStatesTest, StatesFilterAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  uint64_t id = Parsable(c->Run("sbatch --parsable -N1 --exclusive -o /dev/null --wrap 'sleep 120'"));
  ASSERT_TRUE(c->WaitForState(id, "RUNNING", 30));
  std::string capture = CapturedSection("12_sinfo_states", "stdout");
  int cases = 0;
  std::string cmd, want;
  auto check = [&] {
    if (cmd.empty()) return;
    SCOPED_TRACE(cmd);
    auto r = c->Run(cmd + " 2>&1; echo rc=$?");
    // sinfo -N lists a node's partitions in an order Slurm itself does not
    // keep (config order in this capture, reverse order in 09_sinfo_N and
    // in the same reference a minute apart): compared as sets of lines.
    if (absl::StrContains(cmd, " -N "))
      EXPECT_EQ(SortedLines(r.out), SortedLines(want));
    else
      EXPECT_EQ(r.out, want);
    ++cases;
  };
  ForEachCapturedCommand(capture, [&](const std::string& c, const std::string& w) {
    cmd = c;
    want = w;
    check();
  });
  EXPECT_EQ(cases, 13);
  c->Run("scancel " + std::to_string(id));
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// squeue -i against 12_squeue_iterate: Slurm's refusals of a bad interval,
// and the listing again each round (the time above each header), a blank
// line between rounds; head ends it after the second round's first lines.
TEST(GoldenIterateTest, SqueueIteratesAsSlurm) {
  auto c = StartRefCluster("FirstJobId=4\n");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->Run("sbatch --parsable -H -o /dev/null --wrap true").out, "4\n");
  EXPECT_EQ(CompareCaptured(*c, "12_squeue_iterate"), 5);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// scontrol show step against 12_scontrol_show_step: a batch job running an
// srun step of two tasks; times, srun's host and pid are this run's.
TEST(GoldenShowStepTest, ShowStepAsSlurm) {
  auto c = StartRefCluster("FirstJobId=7\n");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->Run("sbatch --parsable -J stepjob -n 2 -o /dev/null --wrap 'srun -J mystep -n 2 sleep 60'").out,
            "7\n");
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] { return absl::StrContains(c->Run("squeue -h -s -j 7 -o %i").out, "7.0"); }, 30));
  auto mask = [](std::string s) {
    s = std::regex_replace(s, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}"), "TIME");
    s = std::regex_replace(s, std::regex("SrunHost:Pid=[a-z0-9.-]+:[0-9]+"), "SrunHost:Pid=HOST:PID");
    return std::regex_replace(s, std::regex("( +)0:0[0-9] "), "$1TIME ");  // squeue -s's TIME
  };
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("12_scontrol_show_step", "stdout"),
                         [&](const std::string& cmd, const std::string& want) {
    EXPECT_EQ(mask(c->Run(cmd + " 2>&1; echo rc=$?").out), mask(want)) << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 10);
  EXPECT_EQ(c->Run("scancel 7").rc, 0);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// Names that are no node, partition, account or QOS, against
// 12_unknown_names: squeue -w refuses a name that is not a node (with
// Slurm's reading of a broken range); sinfo and the other filters list
// nothing (sinfo -n still prints each partition, with no nodes).
TEST(GoldenUnknownNamesTest, UnknownNamesAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(CompareCaptured(*c, "12_unknown_names"), 12);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// sinfo -S/--sort, SINFO_SORT, -T and -v against 12_sinfo_sort, the
// cluster idle. Masked: -v's listing time and Slurm's plugin-loading lines.
TEST(GoldenSinfoSortTest, SortReservationsAndVerboseAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  auto mask = [](std::string s) {
    s = std::regex_replace(s, std::regex("sinfo: select/[^\n]*\n"), "");
    return std::regex_replace(s, std::regex("\n[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}\n"),
                              "\nDATE\n");
  };
  // Slurm's -N lines of equal sort keys come in no fixed order (a node's
  // partitions swap between two calls): those compare as sets of lines,
  // and the node order itself where the nodes are the key.
  auto nodes = [](const std::string& s) {
    std::string out;
    for (absl::string_view l : absl::StrSplit(s, '\n')) out += std::string(l.substr(0, l.find(' '))) + " ";
    return out;
  };
  EXPECT_EQ(CompareCaptured(*c, "12_sinfo_sort",
                            [&](const std::string& cmd, const std::string& got,
                                const std::string& want) {
    if (absl::StrContains(cmd, " -N") && !absl::StrContains(cmd, "-v")) {
      EXPECT_EQ(SortedLines(got), SortedLines(want)) << cmd;
      if (absl::StrContains(cmd, "N -N")) EXPECT_EQ(nodes(got), nodes(want)) << cmd;
    } else {
      EXPECT_EQ(mask(got), mask(want)) << cmd;
    }
  }), 17);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// The rest of squeue 22.05's --help, against 12_squeue_more: on a lone
// cluster without licenses, reservations or hidden partitions, -L and -R
// list nothing and --array-unique, --federation, --local, --sibling and
// --hide change nothing.
TEST(GoldenSqueueMoreTest, LoneClusterOptionsAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->Run("sbatch --parsable -J one -H -o /dev/null --wrap true").out, "1\n");
  ASSERT_EQ(c->Run("sbatch --parsable -J arr -a 1-3 -H -o /dev/null --wrap true").out, "2\n");
  EXPECT_EQ(CompareCaptured(*c, "12_squeue_more"), 11);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// -M/--clusters (and SLURM_CLUSTERS) name the cluster above squeue's and
// sinfo's listings, and sinfo's lone-cluster options change nothing,
// against 12_clusters (sinfo -N's lines as a set: Slurm's order of a
// node's partitions is not fixed).
TEST(GoldenClustersTest, ClusterNamedAboveTheListingAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->Run("sbatch --parsable -J one -H -o /dev/null --wrap true").out, "1\n");
  EXPECT_EQ(CompareCaptured(*c, "12_clusters",
                            [](const std::string& cmd, const std::string& got,
                               const std::string& want) {
    if (absl::StrContains(cmd, " -N")) EXPECT_EQ(SortedLines(got), SortedLines(want)) << cmd;
    else EXPECT_EQ(got, want) << cmd;
  }), 10);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// Node lists as hostlist expressions in scontrol, against
// 12_show_node_hostlist: show node with a range or a list (unknown members
// passed over), update NodeName= over a range. Two differences, decided:
// an update naming an unknown node changes nothing here (all or nothing;
// Slurm drained the known one before refusing), and the reference's n3
// and n4 answered late after their resume ("idle*"), which is its timing.
TEST(GoldenNodeHostlistTest, NodeListsAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  bool refused = false;
  EXPECT_EQ(CompareCaptured(*c, "12_show_node_hostlist",
                            [&](const std::string& cmd, const std::string& got,
                                const std::string& raw) {
    std::string want = raw;
    // (Here every node answers: all four idle, on one line.)
    if (absl::StrContains(raw, "idle*") && !absl::StrContains(raw, "drain")) want = "n[1-4] idle\nrc=0\n";
    want = absl::StrReplaceAll(want, {{"*", ""}});
    if (refused && absl::StartsWith(cmd, "sinfo")) want = "n[1-4] idle\nrc=0\n";
    refused = absl::StrContains(cmd, "n[4,9]") && absl::StartsWith(cmd, "scontrol update");
    EXPECT_EQ(got, want) << cmd;
  }), 13);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// scontrol with no command reads commands from standard input, against
// extra/12_scontrol_interactive: the prompt and the echo of each line, the
// session keywords (oneliner, details, quiet, verbose, exit, quit), the
// exit code of the last command, and those keywords' refusals on the
// command line. Each case is run as the capture's script ran it (stdout and
// stderr apart). Not compared: help's text (docs/CLI.md).
TEST(GoldenInteractiveTest, CommandsFromStandardInputAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  const std::string mine = common::ShortHostname();
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("12_scontrol_interactive", "stdout"),
                         [&](const std::string& cmd, const std::string& want) {
    if (absl::StrContains(cmd, "help")) return;
    std::string wrapped = absl::StrCat(
        "d=$(mktemp -d); { ", cmd, "; } >$d/o 2>$d/e; rc=$?; echo '--- stdout'; cat $d/o; ",
        "echo '<EOF>'; echo '--- stderr'; cat $d/e; echo '<EOF>'; echo rc=$rc; rm -r $d");
    std::string got = c->Run(wrapped).out;
    EXPECT_EQ(got, absl::StrReplaceAll(want, {{" at vm is ", " at " + mine + " is "}})) << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 26);
}

}  // namespace
}  // namespace sluice::testing
