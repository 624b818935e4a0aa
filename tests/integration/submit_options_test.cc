// sbatch options acted on as Slurm 22.05 does, checked against what the
// reference Slurm printed for the same commands (issue 11): --test-only's
// estimate, every --begin form, and -N/-n/-c counts and their errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "common/users.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

class SubmitOptionsTest : public SharedClusterTest<SubmitOptionsTest> {};

TEST_F(SubmitOptionsTest, TestOnlyPrintsTheSchedulersEstimateAndSubmitsNothing) {
  auto r = cluster_->Run("sbatch --test-only -N 2 -n 4 --wrap true");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(r.err, m, std::regex(
      "sbatch: Job ([0-9]+) to start at 20[0-9-]+T[0-9:]+ using 4 processors on nodes "
      "mlmini-g2-ghpc-\\[0-1\\] in partition g2\n"))) << r.err;
  EXPECT_EQ(cluster_->Run("squeue -h -t all -j " + m[1].str()).out, "");
  EXPECT_EQ(cluster_->Run("sbatch --test-only -Q --wrap true").err, "");
  // Refusals keep Slurm's "allocation failure: " words (captured).
  auto part = cluster_->Run("sbatch --test-only -p nope --wrap true");
  EXPECT_EQ(part.rc, 1);
  EXPECT_EQ(part.err, "sbatch: error: invalid partition specified: nope\n"
                      "allocation failure: Invalid partition name specified\n");
  auto big = cluster_->Run("sbatch --test-only -n 400 --wrap true");
  EXPECT_EQ(big.rc, 1);
  EXPECT_EQ(big.err, "allocation failure: Requested node configuration is not available\n");
  auto arr = cluster_->Run("sbatch --test-only --array=abc --wrap true");
  EXPECT_EQ(arr.err, "allocation failure: Invalid job array specification\n");
  // A queue that is full: the estimate is when the running job's limit ends.
  uint64_t full = Parsable(cluster_->Run("sbatch --parsable -N 2 --exclusive -t 10 -o /dev/null --wrap 'sleep 60'"));
  ASSERT_TRUE(cluster_->WaitForState(full, "RUNNING", 20));
  auto later = cluster_->Run("sbatch --test-only --wrap true");
  auto start = cluster_->Run("scontrol show job " + std::to_string(full) + " | grep -o 'EndTime=[^ ]*'").out;
  EXPECT_THAT(later.err, HasSubstr(" to start at " + start.substr(8, 16)));  // same minute
  cluster_->Run("scancel " + std::to_string(full));
}

TEST_F(SubmitOptionsTest, BeginTakesEverySlurmFormAndNamesWhereABadOneStops) {
  for (const char* form : {"noon-tomorrow", "now+2hours", "4:30PM", "teatime", "11/30",
                           "2099-12-01T10:30", "midnight", "now+1week"}) {
    uint64_t id = Parsable(cluster_->Run(std::string("sbatch --parsable --hold -o /dev/null --begin=") +
                                         form + " --wrap true"));
    ASSERT_GT(id, 0u) << form;
    auto show = cluster_->Run("scontrol show job " + std::to_string(id)).out;
    EXPECT_THAT(show, ::testing::Not(HasSubstr("StartTime=Unknown"))) << form;
    std::string f = form;
    std::string want = f == "noon-tomorrow" ? "T12:00:00 EndTime"
                       : f == "4:30PM"      ? "T16:30:00 EndTime"
                       : f == "2099-12-01T10:30" ? "StartTime=2099-12-01T10:30:00"
                                                 : "StartTime=";
    EXPECT_THAT(show, HasSubstr(want)) << form;
    cluster_->Run("scancel " + std::to_string(id));
  }
  for (auto [form, pos] : {std::pair{"4pm", 1}, std::pair{"elevenses", 0},
                           std::pair{"tomorrow+1hour", 8}}) {
    auto r = cluster_->Run(std::string("sbatch --begin=") + form + " --wrap true");
    EXPECT_EQ(r.rc, 255);
    EXPECT_EQ(r.err, "Invalid time specification (pos=" + std::to_string(pos) + "): " + form +
                         "\nsbatch: error: Invalid --begin specification\n");
  }
}

TEST_F(SubmitOptionsTest, CountsTakeSuffixesAndBadOnesGetSlurmsWords) {
  struct Case { const char* opt; int rc; const char* err; };
  for (const Case& c : std::initializer_list<Case>{
           {"-n abc", 1, "sbatch: error: Invalid numeric value \"abc\" for --ntasks.\n"},
           {"-n 0", 1, "sbatch: error: Invalid numeric value \"0\" for --ntasks.\n"},
           {"-c 0", 1, "sbatch: error: Invalid numeric value \"0\" for --cpus-per-task.\n"},
           {"--ntasks-per-node=x", 1,
            "sbatch: error: Invalid numeric value \"x\" for --ntasks-per-node.\n"},
           {"-N abc", 255, "sbatch: error: \"abc\" is not a valid node count\n"},
           {"-N 1k-2x", 255, "sbatch: error: \"2x\" is not a valid node count\n"},
           {"-N 3-1", 255, "sbatch: error: Maximum node count 1 is less than minimum node count 3\n"},
       }) {
    auto r = cluster_->Run(std::string("sbatch --hold ") + c.opt + " --wrap true");
    EXPECT_EQ(r.rc, c.rc) << c.opt;
    EXPECT_EQ(r.err, c.err) << c.opt;
  }
  // -N 2k is 2048 nodes, as in Slurm: accepted, and it never fits here.
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --hold -N 2k -o /dev/null --wrap true"));
  ASSERT_GT(id, 0u);
  EXPECT_EQ(cluster_->Run("squeue -h -j " + std::to_string(id) + " -o %D").out, "2048\n");
  cluster_->Run("scancel " + std::to_string(id));
}

TEST_F(SubmitOptionsTest, DeadlineAndTimeMinAsSlurmTakesThem) {
  struct Case { const char* opt; int rc; const char* err; };
  for (const Case& c : std::initializer_list<Case>{
           {"--deadline=now-1hour", 1,
            "sbatch: error: Batch job submission failed: Requested time limit is invalid "
            "(missing or exceeds some limit)\n"},
           {"--deadline=junk", 255,
            "Invalid time specification (pos=0): junk\nsbatch: error: Invalid --deadline "
            "specification\n"},
           {"--time-min=20 -t 10", 1,
            "sbatch: error: Batch job submission failed: Invalid time-min specification "
            "(exceeds job's time or other limits)\n"},
           {"--time-min=junk", 255, "sbatch: error: Invalid --time-min specification\n"},
       }) {
    auto r = cluster_->Run(std::string("sbatch ") + c.opt + " --wrap true");
    EXPECT_EQ(r.rc, c.rc) << c.opt;
    EXPECT_EQ(r.err, c.err) << c.opt;
  }
  // Ten minutes cannot end within one: DEADLINE at once, as the capture shows.
  uint64_t late = Parsable(cluster_->Run("sbatch --parsable --deadline=now+1minute -t 10 --wrap true"));
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h -t all -j " + std::to_string(late) + " -o '%T %r'").out ==
           "DEADLINE DeadLine\n";
  }, 20)) << cluster_->Run("squeue -h -t all -j " + std::to_string(late) + " -o '%T %r'").out;
  uint64_t held = Parsable(cluster_->Run(
      "sbatch --parsable --hold --deadline=2099-01-01T00:00:00 -t 10 --time-min=5 --wrap true"));
  auto show = cluster_->Run("scontrol show job " + std::to_string(held)).out;
  EXPECT_THAT(show, HasSubstr(" TimeLimit=00:10:00 TimeMin=00:05:00\n"));
  EXPECT_THAT(show, HasSubstr(" Deadline=2099-01-01T00:00:00\n"));
  cluster_->Run("scancel " + std::to_string(held));
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// --mail-type on real daemons: sluice-ctld runs MailProg as Slurm does
// ("MailProg -s SUBJECT USER"), with the subjects the reference Slurm gave
// its MailProg (tests/reference/slurm-22.05/extra/11_mail_prog.txt).
TEST(MailProgTest, CtldRunsMailProgWithSlurmsSubjects) {
  ClusterOptions o;
  o.conf_text = std::string("ClusterName=mail\n") + kTestConfHeader +
                "MailProg=@DIR@/mailprog.sh\n"
                "NodeName=n1 NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=8 RealMemory=4000\n"
                "PartitionName=g2 Nodes=n1 Default=YES MaxTime=INFINITE State=UP\n";
  o.scripts["mailprog.sh"] =
      "#!/bin/sh\n[ \"$1\" = -s ] && echo \"$2 -> $3 ($SLURM_JOB_MAIL_TYPE)\" >> @DIR@/mail.log\n";
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  uint64_t ok = Parsable(c->Run("sbatch --parsable --mail-type=ALL --mail-user=alice@example.com "
                                "-J mailjob -o /dev/null --wrap 'sleep 1'"));
  uint64_t bad = Parsable(c->Run("sbatch --parsable --mail-type=END,FAIL -J failjob -o /dev/null --wrap 'exit 3'"));
  ASSERT_TRUE(c->WaitForState(ok, "COMPLETED", 30));
  ASSERT_TRUE(c->WaitForState(bad, "FAILED", 30));
  std::string log;
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    log = Slurp(c->dir() + "/mail.log");
    return std::count(log.begin(), log.end(), '\n') >= 3;
  }, 20)) << log;
  std::string n = std::to_string(ok), b = std::to_string(bad);
  EXPECT_THAT(log, ::testing::MatchesRegex(
      "(.*\n)?Slurm Job_id=" + n + " Name=mailjob Began, Queued time 00:00:0[0-9] -> alice@example.com \\(Began\\)\n(.*\n)?"));
  EXPECT_THAT(log, ::testing::MatchesRegex(
      "(.*\n)?Slurm Job_id=" + n + " Name=mailjob Ended, Run time 00:00:0[0-9], COMPLETED, ExitCode 0 -> "
      "alice@example.com \\(Ended\\)\n(.*\n)?"));
  EXPECT_THAT(log, ::testing::MatchesRegex(
      "(.*\n)?Slurm Job_id=" + b + " Name=failjob Failed, Run time 00:00:0[0-9], FAILED, ExitCode 3 -> root "
      "\\(Failed\\)\n(.*\n)?"));
  EXPECT_EQ(c->Run("sbatch --mail-type=SOMETIMES --wrap true").err,
            "sbatch: error: --mail-type=SOMETIMES invalid\n");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// --uid/--gid as Slurm 22.05 takes them (captured with the reference
// setup): root only, checked by sbatch and, whatever the client, by the
// controller; the job runs as that user with root's group unless --gid.
class AsUserTest : public SharedClusterTest<AsUserTest> {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(IsRoot()) << "run as root: these tests submit as other users";
    ASSERT_TRUE(EnsureUser("sluicealice") && EnsureUser("sluicebob"));
    SharedClusterTest::SetUpTestSuite();
  }
};

TEST_F(AsUserTest, RootSubmitsForAnotherUserAndNobodyElseMay) {
  auto id = Parsable(cluster_->Run("sbatch --parsable --uid=sluicebob -o /tmp/sluice-uid-%j.out --wrap 'id -un; id -g'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  EXPECT_EQ(Slurp("/tmp/sluice-uid-" + std::to_string(id) + ".out"), "sluicebob\n0\n");
  EXPECT_EQ(cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o %u").out, "sluicebob\n");
  auto gid = Parsable(cluster_->Run(
      "sbatch --parsable --uid=sluicebob --gid=sluicealice -o /tmp/sluice-gid-%j.out --wrap 'id -gn'"));
  ASSERT_TRUE(cluster_->WaitForState(gid, "COMPLETED", 30));
  EXPECT_EQ(Slurp("/tmp/sluice-gid-" + std::to_string(gid) + ".out"), "sluicealice\n");
  auto r = cluster_->Run("sbatch --uid=root --wrap true", "sluicealice", "/tmp");
  EXPECT_EQ(r.rc, 255);
  EXPECT_EQ(r.err, "sbatch: error: --uid only permitted by root user\n");
  r = cluster_->Run("sbatch --gid=root --wrap true", "sluicealice", "/tmp");
  EXPECT_EQ(r.err, "sbatch: error: --gid only permitted by root user\n");
  r = cluster_->Run("sbatch --uid=nosuchuser --wrap true");
  EXPECT_EQ(r.rc, 255);
  EXPECT_EQ(r.err, "sbatch: error: Invalid --uid specification\n");
  r = cluster_->Run("sbatch --gid=nosuchgroup --wrap true");
  EXPECT_EQ(r.err, "sbatch: error: Invalid --gid specification\n");
}

// --get-user-env (root): the user's login environment fills in what
// sbatch's own environment lacks, as the reference Slurm showed for the
// same command (HOME stays sbatch's; USER, SHELL, LOGNAME come from su -).
TEST_F(AsUserTest, GetUserEnvFillsInTheLoginEnvironment) {
  auto id = Parsable(cluster_->Run(
      "env -i PATH=$PATH SLURM_CONF=$SLURM_CONF HOME=/root sbatch --parsable --uid=sluicebob "
      "--get-user-env -o /tmp/sluice-gue-%j.out --wrap "
      "'echo HOME=$HOME USER=$USER SHELL=$SHELL LOGNAME=$LOGNAME'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  EXPECT_THAT(Slurp("/tmp/sluice-gue-" + std::to_string(id) + ".out"),
              ::testing::MatchesRegex("HOME=/root USER=sluicebob SHELL=/[a-z/]+ LOGNAME=sluicebob\n"));
  auto r = cluster_->Run("sbatch --get-user-env=junk --wrap true");
  EXPECT_EQ(r.rc, 255);
  EXPECT_EQ(r.err, "sbatch: error: Invalid --get-user-env specification\n");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

TEST_F(SubmitOptionsTest, DistributionCyclicDealsTasksRoundRobin) {
  auto r = cluster_->Run("srun -N 2 -n 4 -m cyclic -l bash -c 'echo $SLURMD_NODENAME $SLURM_DISTRIBUTION' | sort");
  EXPECT_EQ(r.out, "0: mlmini-g2-ghpc-0 cyclic\n1: mlmini-g2-ghpc-1 cyclic\n"
                   "2: mlmini-g2-ghpc-0 cyclic\n3: mlmini-g2-ghpc-1 cyclic\n") << r.err;
  r = cluster_->Run("srun -N 2 -n 4 -l bash -c 'echo $SLURMD_NODENAME' | sort");
  EXPECT_EQ(r.out, "0: mlmini-g2-ghpc-0\n1: mlmini-g2-ghpc-0\n2: mlmini-g2-ghpc-1\n3: mlmini-g2-ghpc-1\n");
  // sbatch -m: the job's steps inherit it through SLURM_DISTRIBUTION.
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable -N 2 -n 4 -m cyclic -o dist-%j.out --wrap "
      "'echo $SLURM_DISTRIBUTION; srun -l bash -c \"echo \\$SLURMD_NODENAME\" | sort'"));
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  EXPECT_EQ(Slurp(cluster_->work() + "/dist-" + std::to_string(id) + ".out"),
            "cyclic\n0: mlmini-g2-ghpc-0\n1: mlmini-g2-ghpc-1\n2: mlmini-g2-ghpc-0\n3: mlmini-g2-ghpc-1\n");
}

// srun and salloc complain about bad options in Slurm's words and with its
// exit codes (captured from the reference Slurm).
TEST_F(SubmitOptionsTest, SrunAndSallocOptionErrorsAreSlurms) {
  struct Case { const char* opt; int rc; const char* err; };
  for (const char* cmd : {"srun", "salloc"}) {
    for (const Case& c : std::initializer_list<Case>{
             {"-n abc", 1, "error: Invalid numeric value \"abc\" for --ntasks.\n"},
             {"-c 0", 1, "error: Invalid numeric value \"0\" for --cpus-per-task.\n"},
             {"-N abc", 255, "error: \"abc\" is not a valid node count\n"},
             {"-t junk", 255, "error: Invalid --time specification\n"},
             {"--mem=junk", 255, "error: Invalid --mem specification\n"},
             {"-m junk", 255, "error: Invalid --distribution specification\n"},
         }) {
      auto r = cluster_->Run(std::string(cmd) + " " + c.opt + " true");
      EXPECT_EQ(r.rc, c.rc) << cmd << " " << c.opt;
      EXPECT_EQ(r.err, std::string(cmd) + ": " + c.err) << cmd << " " << c.opt;
    }
  }
  auto r = cluster_->Run("sbatch -m junk --wrap true");
  EXPECT_EQ(r.rc, 255);
  EXPECT_EQ(r.err, "sbatch: error: Invalid --distribution specification\n");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

TEST_F(SubmitOptionsTest, MincpusSpreadJobAndExportFile) {
  // --mincpus: the node gives at least that many CPUs.
  auto r = cluster_->Run("srun --mincpus=3 bash -c 'echo $SLURM_CPUS_ON_NODE'");
  EXPECT_EQ(r.out, "3\n") << r.err;
  r = cluster_->Run("sbatch --mincpus=100 --wrap true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: CPU count per node can not be satisfied\n"
                   "sbatch: error: Batch job submission failed: Requested node configuration is not available\n");
  // --spread-job: as many nodes as tasks, up to the partition's.
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --hold -n 4 --spread-job --wrap true"));
  EXPECT_EQ(cluster_->Run("squeue -h -j " + std::to_string(id) + " -o %D").out, "2\n");
  cluster_->Run("scancel " + std::to_string(id));
  // --export-file: NUL-separated NAME=value entries join (and win over) the
  // exported environment.
  std::string f = cluster_->work() + "/envfile";
  std::string text = std::string("FOO=from file\0BAR=two\nlines\0", 28);
  std::ofstream(f, std::ios::binary) << text;
  id = Parsable(cluster_->Run("FOO=mine sbatch --parsable --export=ALL --export-file=" + f +
                              " -o envf-%j.out --wrap 'echo \"$FOO\"; echo \"$BAR\"'"));
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30));
  EXPECT_EQ(Slurp(cluster_->work() + "/envf-" + std::to_string(id) + ".out"), "from file\ntwo\nlines\n");
  r = cluster_->Run("sbatch --export-file=/nonexistent --wrap true");
  EXPECT_EQ(r.rc, 1);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// srun's input variables (srun(1)) act as their options, below the command
// line; sbatch --export leaves SLURM_EXPORT_ENV for the job's steps.
TEST_F(SubmitOptionsTest, SrunInputVariablesActAsTheirOptions) {
  auto r = cluster_->Run("SLURM_NNODES=2 SLURM_NPROCS=2 SLURM_LABELIO=1 srun hostname >/dev/null; "
                         "SLURM_NNODES=2 SLURM_NPROCS=2 SLURM_LABELIO=1 srun bash -c 'echo $SLURMD_NODENAME' | sort");
  EXPECT_EQ(r.out, "0: mlmini-g2-ghpc-0\n1: mlmini-g2-ghpc-1\n") << r.err;
  r = cluster_->Run("SLURM_STDOUTMODE=env-%t.out srun -n 2 bash -c 'echo t$SLURM_PROCID'");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Slurp(cluster_->work() + "/env-1.out"), "t1\n");
  r = cluster_->Run("SLURM_STDOUTMODE=ignored.out srun -o cmdline.out echo wins");
  EXPECT_EQ(Slurp(cluster_->work() + "/cmdline.out"), "wins\n");
  r = cluster_->Run("SLURM_EXPORT_ENV=NONE FOO=bar srun bash -c 'echo ${FOO:-unset}'");
  EXPECT_EQ(r.out, "unset\n");
  r = cluster_->Run("SLURM_TIMELIMIT=junk srun true");
  EXPECT_EQ(r.rc, 255);
  EXPECT_EQ(r.err, "srun: error: Invalid --time specification\n");
  // salloc(1)'s SALLOC_* the same way.
  r = cluster_->Run("SALLOC_PARTITION=nope salloc true");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "salloc: error: invalid partition specified: nope\n"
                   "salloc: error: Job submit/allocate failed: Invalid partition name specified\n");
  r = cluster_->Run("SALLOC_PARTITION=nope salloc -p g2 bash -c 'echo $SLURM_JOB_PARTITION'");
  EXPECT_EQ(r.out, "g2\n");  // the command line wins
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable --export=ALL -o exp-%j.out --wrap 'echo $SLURM_EXPORT_ENV'"));
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30));
  EXPECT_EQ(Slurp(cluster_->work() + "/exp-" + std::to_string(id) + ".out"), "ALL\n");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// getopt_long takes any unambiguous prefix of a long option, as Slurm's
// commands do; an ambiguous one is refused.
TEST_F(SubmitOptionsTest, LongOptionsTakeUnambiguousPrefixes) {
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --part=g2 --job-n=abbrev --hol --wrap true"));
  ASSERT_GT(id, 0u);
  EXPECT_EQ(cluster_->Run("squeue -h -j " + std::to_string(id) + " -o '%P %j %r'").out,
            "g2 abbrev JobHeldUser\n");
  cluster_->Run("scancel " + std::to_string(id));
  auto r = cluster_->Run("srun --part=g2 --ntasks=1 echo ok");
  EXPECT_EQ(r.out, "ok\n") << r.err;
  r = cluster_->Run("sbatch --ti=5 --wrap true");  // --time, --time-min
  EXPECT_EQ(r.rc, 255);
  EXPECT_THAT(r.err, HasSubstr("is ambiguous"));
}

}  // namespace
}  // namespace sluice::testing
