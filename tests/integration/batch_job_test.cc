// The walking skeleton end to end: real daemons on loopback, real commands.
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <set>

#include "cli/ctld_client.h"
#include "common/slurm_conf.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

uint64_t SubmittedId(const CmdResult& r) {
  std::smatch m;
  std::regex re("Submitted batch job ([0-9]+)\n");
  if (!std::regex_match(r.out, m, re)) return 0;
  return std::stoull(m[1]);
}

class BatchJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = TestCluster::Start(opts_);
    ASSERT_NE(cluster_, nullptr) << "could not start a cluster";
  }
  ClusterOptions opts_;
  std::unique_ptr<TestCluster> cluster_;
};

// The seed document's batch script, with nvidia-smi replaced as the issue
// allows on machines without GPUs.
constexpr char kSeedScript[] = R"(#!/bin/bash

# Command line options go here
#SBATCH --partition=g2
#SBATCH --time=00:01:00
#SBATCH --nodes=1
#SBATCH --job-name=example
#SBATCH --output=example.out
#SBATCH --gpus-per-node=1

# Command(s) goes here
echo "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"
)";

TEST_F(BatchJobTest, SeedExampleJobRunsAndWritesExampleOut) {
  std::ofstream(cluster_->work() + "/myjob.sh") << kSeedScript;
  auto r = cluster_->Run("sbatch myjob.sh");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "");
  uint64_t id = SubmittedId(r);
  ASSERT_GT(id, 0u) << r.out;
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  EXPECT_EQ(Slurp(cluster_->work() + "/example.out"), "CUDA_VISIBLE_DEVICES=0\n");
  auto q = cluster_->Run("squeue -t all -j " + std::to_string(id) + " -o '%j %P %l %D %b'");
  EXPECT_EQ(q.out, "NAME PARTITION TIME_LIMIT NODES TRES_PER_NODE\n"
                   "example g2 1:00 1 gres:gpu:1\n");
}

// The controller reports what its scheduling passes cost (QueryCluster's
// scheduling figures, read by bench/run_read_load_bench.sh): the pass that
// started a submitted job was asked for by the submission and counted.
TEST_F(BatchJobTest, TheControllerCountsItsSchedulingPassesAndTheirWaits) {
  auto cfg = common::LoadSlurmConf(cluster_->conf());
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  cli::CtldClient client(*cfg);
  auto before = client.QueryCluster();
  ASSERT_TRUE(before.ok()) << before.status();
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --wrap true"));
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  EXPECT_EQ(cluster_->Run("squeue -h -o %i").rc, 0);  // a reader after the change
  auto after = client.QueryCluster();
  ASSERT_TRUE(after.ok()) << after.status();
  const auto& b = before->scheduling();
  const auto& a = after->scheduling();
  EXPECT_GT(a.passes(), b.passes());
  EXPECT_GT(a.asked_passes(), b.asked_passes());
  EXPECT_LE(a.asked_passes(), a.passes());
  EXPECT_GE(a.run_us_total(), a.run_us_max());
  EXPECT_GE(a.run_us_max(), a.run_us_last());
  EXPECT_GE(a.wait_us_total(), a.wait_us_max());
  // ... and the readers' job copies the strand was parked for.
  EXPECT_GT(a.copies(), b.copies());
  EXPECT_GT(a.copy_us_total(), b.copy_us_total());
}

// Whether, in one of `attempts` tries, a full read made no new readers'
// copy while the controller's clock moved by `seconds`: each try reads
// every job (answered from the copy) and the copies made so far
// (QueryCluster), polls until the clock has moved, and compares.
bool SomeTryKeptTheCopy(cli::CtldClient& client, int seconds, int attempts) {
  ::sluice::v1::QueryJobsRequest all;  // names no job: answered from the copy
  auto read = [&]() -> std::pair<int64_t, uint64_t> {
    auto r = client.QueryJobs(all);
    auto c = client.QueryCluster();
    EXPECT_TRUE(r.ok() && c.ok());
    if (!r.ok() || !c.ok()) return {0, 0};
    return {r->reply().now(), c->scheduling().copies()};
  };
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto [now0, copies0] = read();
    std::pair<int64_t, uint64_t> later;
    if (!TestCluster::WaitFor([&] { return (later = read()).first >= now0 + seconds; }, 10))
      return false;
    if (later.second == copies0) return true;
  }
  return false;
}

// A quiet queue keeps its readers' copy: a tick that changes no job does
// not make the next reader copy every job again (a deep queue used to be
// copied every second for nothing), and a reply from that copy carries
// the time it is answered, not the time the copy was made (squeue's TIME
// counts from it). Two seconds of the controller's clock: two ticks at
// least; an attempt is tried again if something else fell in between.
TEST_F(BatchJobTest, AQuietQueueKeepsItsCopyAndItsRepliesTheTime) {
  auto cfg = common::LoadSlurmConf(cluster_->conf());
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  cli::CtldClient client(*cfg);
  ASSERT_GT(Parsable(cluster_->Run("sbatch --parsable -H --wrap true")), 0u);
  EXPECT_TRUE(SomeTryKeptTheCopy(client, 2, 6))
      << "every attempt made a new copy while the queue was quiet";
}

// So does a busy one: a node running a job reports every 2 s, and the
// periodic pass (every 5 s) plans the held job again, but neither changes
// what a reader sees, so neither makes the next reader copy every job again
// (each used to). Three seconds: at least one report from the busy node.
// The copy is still renewed when a report does change a job: the job's end
// is seen.
TEST_F(BatchJobTest, HeartbeatsAndQuietPassesKeepTheReadersCopy) {
  auto cfg = common::LoadSlurmConf(cluster_->conf());
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  cli::CtldClient client(*cfg);
  uint64_t busy = Parsable(cluster_->Run("sbatch --parsable --wrap 'sleep 20'"));
  ASSERT_GT(busy, 0u);
  ASSERT_GT(Parsable(cluster_->Run("sbatch --parsable -H --wrap true")), 0u);
  ASSERT_TRUE(cluster_->WaitForState(busy, "RUNNING", 30)) << cluster_->JobState(busy);
  EXPECT_TRUE(SomeTryKeptTheCopy(client, 3, 3))
      << "every attempt made a new copy while nothing changed";
  ::sluice::v1::QueryJobsRequest all;
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    auto r = client.QueryJobs(all);
    if (!r.ok()) return false;
    for (const auto& j : r->reply().jobs())
      if (j.job_id() == busy) return j.state() == ::sluice::v1::JOB_STATE_COMPLETED;
    return false;
  }, 30)) << "the readers' copy never showed the job's end";
}

TEST_F(BatchJobTest, SqueueShowsTheJobRunningThenNot) {
  auto r = cluster_->Run("sbatch --parsable -J sleeper --wrap 'sleep 2'");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u) << r.err;
  std::string row;
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    row = cluster_->Run("squeue").out;
    return row.find(" R ") != std::string::npos;
  }, 20)) << row;
  EXPECT_THAT(row, MatchesRegex(
      "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST\\(REASON\\)\n"
      " +" + std::to_string(id) +
      "        g2  sleeper     root  R       0:0[0-9]      1 mlmini-g2-ghpc-0\n"));
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h").out.empty();
  }, 30));
  EXPECT_EQ(cluster_->JobState(id), "COMPLETED");
  EXPECT_EQ(cluster_->Run("squeue -h -t CD -o '%i %t %r'").out,
            std::to_string(id) + " CD None\n");
}

TEST_F(BatchJobTest, ScancelEndsARunningJobCancelledAndKillsItsChildren) {
  auto r = cluster_->Run(
      "sbatch --parsable --wrap 'sleep 300 & echo $! > child.pid; wait'");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u) << r.err;
  std::string pidfile = cluster_->work() + "/child.pid";
  pid_t child = 0;
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    std::ifstream(pidfile) >> child;
    return child > 0;
  }, 20));
  ASSERT_EQ(kill(child, 0), 0);
  auto c = cluster_->Run("scancel " + std::to_string(id));
  EXPECT_EQ(c.rc, 0);
  EXPECT_EQ(c.out + c.err, "");
  ASSERT_TRUE(cluster_->WaitForState(id, "CANCELLED", 30)) << cluster_->JobState(id);
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    std::ifstream st("/proc/" + std::to_string(child) + "/stat");
    std::string s;
    std::getline(st, s);
    return s.empty() || s.find(") Z") != std::string::npos;
  }, 10)) << "child " << child << " survived";
  std::string out = Slurp(cluster_->work() + "/slurm-" + std::to_string(id) + ".out");
  EXPECT_THAT(out, MatchesRegex("slurmstepd-mlmini-g2-ghpc-0: error: \\*\\*\\* JOB " +
                                std::to_string(id) +
                                " ON mlmini-g2-ghpc-0 CANCELLED AT "
                                "[0-9-]+T[0-9:]+ \\*\\*\\*\n(.|\n)*"));
}

TEST_F(BatchJobTest, JobPastItsTimeLimitEndsTimeout) {
  auto r = cluster_->Run("sbatch --parsable -t 1 --wrap 'echo start; sleep 300'");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u) << r.err;
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20));
  ASSERT_TRUE(cluster_->WaitForState(id, "TIMEOUT", 100)) << cluster_->JobState(id);
  auto q = cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o '%t %r %l'");
  EXPECT_EQ(q.out, "TO TimeLimit 1:00\n");
  EXPECT_THAT(Slurp(cluster_->work() + "/slurm-" + std::to_string(id) + ".out"),
              MatchesRegex("start\nslurmstepd-mlmini-g2-ghpc-0: error: \\*\\*\\* JOB " +
                           std::to_string(id) +
                           " ON mlmini-g2-ghpc-0 CANCELLED AT [0-9T:-]+ DUE TO "
                           "TIME LIMIT \\*\\*\\*\n"));
}

class OneNodeTest : public BatchJobTest {
 protected:
  OneNodeTest() { opts_.nodes = 1; }
};

TEST_F(OneNodeTest, TwoGpuJobsOnOneNodeGetDisjointDevices) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 2; ++i) {
    auto r = cluster_->Run(
        "sbatch --parsable --gpus-per-node=1 -o gpu-%j.out --wrap "
        "'echo $CUDA_VISIBLE_DEVICES; sleep 3'");
    ids.push_back(Parsable(r));
    ASSERT_GT(ids.back(), 0u) << r.err;
  }
  // Both run at once on the single node.
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h -t R -o %i").out.size() >= 4;
  }, 20));
  std::set<std::string> seen;
  for (uint64_t id : ids) {
    ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30));
    seen.insert(Slurp(cluster_->work() + "/gpu-" + std::to_string(id) + ".out"));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0\n", "1\n"}));
}

TEST_F(BatchJobTest, JobRunsAsItsSubmitterWithTheirGroups) {
  SLUICE_REQUIRE(IsRoot(), "needs root to create users");
  ASSERT_TRUE(EnsureUser("sluicetest"));
  if (!getgrnam("sluicegrp")) {
    ASSERT_EQ(system("groupadd sluicegrp && usermod -aG sluicegrp sluicetest"), 0);
  }
  struct passwd* pw = getpwnam("sluicetest");
  struct group* gr = getgrnam("sluicegrp");
  auto r = cluster_->Run("sbatch --parsable -o mine.out --wrap 'id -u; id -G; echo $HOME'",
                         "sluicetest");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u) << r.err;
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  std::string out = Slurp(cluster_->work() + "/mine.out");
  EXPECT_THAT(out, HasSubstr(std::to_string(pw->pw_uid) + "\n"));
  EXPECT_THAT(out, HasSubstr(" " + std::to_string(gr->gr_gid)));
  struct stat st;
  ASSERT_EQ(stat((cluster_->work() + "/mine.out").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, pw->pw_uid);
  EXPECT_EQ(st.st_gid, pw->pw_gid);
  auto q = cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o %u");
  EXPECT_EQ(q.out, "sluicetest\n");
}

// The script starts with each variable once: the node's SLURM_CONF
// replaces the submitter's instead of following it (getenv() takes the
// first), and the shell's own starting environment shows it.
TEST_F(BatchJobTest, TheScriptStartsWithEachVariableOnce) {
  auto r = cluster_->Run(
      R"(sbatch --parsable -o env.out --wrap "tr '\0' '\n' < /proc/\$\$/environ > e; )"
      R"(cut -d= -f1 e | sort | uniq -d; grep ^SLURM_CONF= e")");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u) << r.err;
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30));
  EXPECT_EQ(Slurp(cluster_->work() + "/env.out"), "SLURM_CONF=" + cluster_->conf() + "\n");
}

TEST_F(BatchJobTest, OtherUsersCannotCancelYourJob) {
  SLUICE_REQUIRE(IsRoot(), "needs root to create users");
  ASSERT_TRUE(EnsureUser("sluicetest"));
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable --hold -J rootheld --wrap true"));
  ASSERT_GT(id, 0u);
  auto r = cluster_->Run("scancel " + std::to_string(id), "sluicetest");
  EXPECT_EQ(r.rc, 210);
  EXPECT_EQ(r.err, "scancel: error: Kill job error on job id " + std::to_string(id) +
                       ": Access/permission denied\n");
  EXPECT_EQ(cluster_->JobState(id), "PENDING");
}

TEST_F(BatchJobTest, OutputPatternsAndErrorSplit) {
  auto r = cluster_->Run(
      "sbatch --parsable -J combo -o %x-%j.out -e %x-%j.err --wrap "
      "'echo to-out; echo to-err >&2'");
  uint64_t id = Parsable(r);
  ASSERT_GT(id, 0u) << r.err;
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30));
  std::string base = cluster_->work() + "/combo-" + std::to_string(id);
  EXPECT_EQ(Slurp(base + ".out"), "to-out\n");
  EXPECT_EQ(Slurp(base + ".err"), "to-err\n");
}

TEST_F(BatchJobTest, WaitReturnsTheJobsExitCodeAndAppendKeepsOutput) {
  std::ofstream(cluster_->work() + "/keep.out") << "before\n";
  auto r = cluster_->Run(
      "sbatch --wait --open-mode=append -o keep.out --export=NONE,FOO=bar "
      "--wrap 'echo after $FOO; exit 3'");
  EXPECT_EQ(r.rc, 3) << r.err;
  EXPECT_THAT(r.out, MatchesRegex("Submitted batch job [0-9]+\n"));
  EXPECT_EQ(Slurp(cluster_->work() + "/keep.out"), "before\nafter bar\n");
  EXPECT_EQ(cluster_->Run("sbatch --wait --wrap true").rc, 0);
  auto t = cluster_->Run("sbatch --test-only --wrap true");
  EXPECT_EQ(t.rc, 0) << t.err;  // an estimate, and nothing submitted
  EXPECT_EQ(cluster_->Run("squeue -h -t all -o %i | wc -l").out, "2\n");
}

// (The first job runs 6 s: the dependant must be seen pending before it
// ends, and on a loaded machine two sbatch and a squeue took over 2 s.)
TEST_F(BatchJobTest, DependenciesHoldJobsUntilTheirConditionAndSqueueSaysWhy) {
  uint64_t a = Parsable(cluster_->Run("sbatch --parsable -o a.out --wrap 'sleep 6; echo a'"));
  ASSERT_GT(a, 0u);
  std::string ida = std::to_string(a);
  uint64_t ok = Parsable(cluster_->Run("sbatch --parsable -d afterok:" + ida + " -o ok.out --wrap 'cat a.out'"));
  uint64_t notok = Parsable(cluster_->Run("sbatch --parsable -d afternotok:" + ida + " --wrap true"));
  ASSERT_GT(notok, 0u);
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h -j " + std::to_string(ok) + " -o '%t %r %E'").out ==
           "PD Dependency afterok:" + ida + "\n";
  }, 20));
  ASSERT_TRUE(cluster_->WaitForState(ok, "COMPLETED", 30)) << cluster_->JobState(ok);
  EXPECT_EQ(Slurp(cluster_->work() + "/ok.out"), "a\n");
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h -j " + std::to_string(notok) + " -o '%t %r'").out ==
           "PD DependencyNeverSatisfied\n";
  }, 20));
  auto bad = cluster_->Run("sbatch -d afterok:nope --wrap true");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(bad.err, "sbatch: error: Batch job submission failed: Job dependency problem\n");
  auto begin = Parsable(cluster_->Run("sbatch --parsable --begin=now+1hour --wrap true"));
  ASSERT_GT(begin, 0u);
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h -j " + std::to_string(begin) + " -o '%r'").out ==
           "BeginTime\n";
  }, 20));
}

TEST_F(BatchJobTest, PendingJobsShowStartEstimatesAndCanBeHeldAndReleased) {
  uint64_t big = Parsable(cluster_->Run("sbatch --parsable -N 2 -c 8 -t 5 --wrap 'sleep 60'"));
  ASSERT_GT(big, 0u);
  ASSERT_TRUE(cluster_->WaitForState(big, "RUNNING", 20));
  uint64_t next = Parsable(cluster_->Run("sbatch --parsable -c 8 -t 5 --wrap true"));
  std::string id = std::to_string(next);
  ASSERT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("scontrol show job " + id).out.find(
               "SchedNodeList=mlmini-g2-ghpc-0") != std::string::npos;
  }, 20)) << cluster_->Run("scontrol show job " + id).out;
  auto start = cluster_->Run("squeue --start -h");
  EXPECT_THAT(start.out, MatchesRegex(" +" + id +
                                      " +g2 +wrap +root PD [0-9]{4}-[0-9-]+T[0-9:]+ +1 "
                                      "mlmini-g2-ghpc-0 +\\(Resources\\)\n"));
  EXPECT_EQ(cluster_->Run("scontrol hold " + id).rc, 0);
  EXPECT_EQ(cluster_->Run("squeue -h -j " + id + " -o '%r %Q'").out, "JobHeldAdmin 0\n");
  EXPECT_EQ(cluster_->Run("scontrol release " + id).rc, 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return cluster_->Run("squeue -h -j " + id + " -o %r").out == "Resources\n";
  }, 20));
  cluster_->Run("scancel " + std::to_string(big) + " " + id);
}

TEST_F(BatchJobTest, UnwritableOutputDirFailsTheJobWithJobLaunchFailure) {
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable -o /nonexistent/dir/out.txt --wrap true"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "FAILED", 30));
  EXPECT_EQ(cluster_->Run("squeue -h -t all -j " + std::to_string(id) + " -o '%t %r'").out,
            "F JobLaunchFailure\n");
}

TEST_F(BatchJobTest, SinfoShowsNodesAllocatedWhileJobsRun) {
  EXPECT_EQ(cluster_->Run("sinfo").out,
            "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n"
            "g2*          up   infinite      2   idle mlmini-g2-ghpc-[0-1]\n");
  uint64_t id = Parsable(cluster_->Run("sbatch --parsable -c 8 --wrap 'sleep 30'"));
  ASSERT_TRUE(cluster_->WaitForState(id, "RUNNING", 20));
  EXPECT_EQ(cluster_->Run("sinfo -h").out,
            "g2*          up   infinite      1  alloc mlmini-g2-ghpc-0\n"
            "g2*          up   infinite      1   idle mlmini-g2-ghpc-1\n");
  cluster_->Run("scancel " + std::to_string(id));
}

// sluice-local also works for an ordinary user: the daemons run as that
// user, and only that user's jobs are accepted.
TEST(SluiceLocalTest, WorksForAnOrdinaryUser) {
  SLUICE_REQUIRE(IsRoot(), "needs root to create users");
  ASSERT_TRUE(EnsureUser("sluicetest"));
  char tmpl[] = "/tmp/sluice-user-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  ASSERT_EQ(system(("chown sluicetest " + dir).c_str()), 0);
  std::string bin = CommandDir();  // reachable by sluicetest wherever the checkout is
  std::string as_user = "runuser -u sluicetest -- env -i PATH=/usr/bin:/bin SLURM_CONF=" +
                        dir + "/c/slurm.conf ";
  auto sh = [&](const std::string& cmd) {
    return system(("cd " + dir + " && " + cmd + " >>" + dir + "/log 2>&1").c_str());
  };
  ASSERT_EQ(sh(as_user + bin + "/sluice-local up --dir " + dir + "/c"), 0)
      << Slurp(dir + "/log");
  EXPECT_EQ(sh(as_user + bin + "/sbatch -o mine.out --wrap 'id -un'"), 0);
  EXPECT_NE(sh("env SLURM_CONF=" + dir + "/c/slurm.conf " + bin + "/sbatch --wrap true"), 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] { return Slurp(dir + "/mine.out") == "sluicetest\n"; },
                                   30))
      << Slurp(dir + "/log");
  EXPECT_EQ(sh(as_user + bin + "/sluice-local down --dir " + dir + "/c"), 0);
  EXPECT_EQ(system(("rm -rf " + dir).c_str()), 0);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

const std::string kTwoPartitions = std::string("ClusterName=it\n") + kTestConfHeader + R"(NodeName=n1 NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=8 RealMemory=4000 Features=fast
NodeName=n2 NodeAddr=127.0.0.1 Port=@PORT2@ CPUs=8 RealMemory=4000 Features=slow
PartitionName=g2 Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=n1 MaxTime=30 State=UP
)";

TEST(SchedulingOptionsTest, PartitionsAndNodeFiltersOnRealDaemons) {
  ClusterOptions o;
  o.conf_text = kTwoPartitions;
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  auto id = [&](const std::string& args) {
    auto r = c->Run("sbatch --parsable " + args + " --wrap 'sleep 20'");
    return r.rc == 0 ? std::strtoull(r.out.c_str(), nullptr, 10) : 0;
  };
  uint64_t a = id("-p short,g2 -c 8 -t 10");
  uint64_t b = id("-p short,g2 -c 8 -t 10");
  ASSERT_TRUE(c->WaitForState(a, "RUNNING", 20));
  ASSERT_TRUE(c->WaitForState(b, "RUNNING", 20));
  EXPECT_EQ(c->Run("squeue -h -j " + std::to_string(a) + " -o '%P %N'").out, "short n1\n");
  EXPECT_EQ(c->Run("squeue -h -j " + std::to_string(b) + " -o '%P %N'").out, "g2 n2\n");
  c->Run("scancel " + std::to_string(a) + " " + std::to_string(b));
  ASSERT_TRUE(c->WaitForState(b, "CANCELLED", 30));
  uint64_t f = id("-C slow");
  uint64_t x = id("-x n2 --exclusive");
  uint64_t w = id("-w n2");
  for (uint64_t j : {f, x, w}) ASSERT_TRUE(c->WaitForState(j, "RUNNING", 20)) << j;
  EXPECT_EQ(c->Run("squeue -h -j " + std::to_string(f) + " -o %N").out, "n2\n");
  EXPECT_EQ(c->Run("squeue -h -j " + std::to_string(x) + " -o '%N %C'").out, "n1 8\n");
  EXPECT_EQ(c->Run("squeue -h -j " + std::to_string(w) + " -o %N").out, "n2\n");
  auto bad = c->Run("sbatch -C gpu --wrap true");
  EXPECT_EQ(bad.err,
            "sbatch: error: Batch job submission failed: Requested node configuration is "
            "not available\n");
  c->Run("scancel -u root");
}

}  // namespace
}  // namespace sluice::testing
