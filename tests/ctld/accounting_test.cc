// Accounting records (issue 12): the step log and usage survive the codec,
// the store purges by end time and scans by user/ID off the writer's
// connection, and sacct's selection follows Slurm's window rules.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "common/slurm_conf.h"
#include "ctld/core/accounting.h"
#include "ctld/store/job_store.h"

namespace sluice::ctld {
namespace {

Job Ended(uint64_t id, uint32_t uid, int64_t submit, int64_t end, JobState st) {
  Job j;
  j.id = JobId(id);
  j.spec.uid = uid;
  j.spec.name = "j" + std::to_string(id);
  j.submit_time = j.eligible_time = submit;
  j.start_time = submit + 1;
  j.end_time = end;
  j.state = st;
  j.alloc = {{"n1", 1, 0, {}}};
  return j;
}

TEST(AccountingCodecTest, StepLogUsageAndCancellerRoundTrip) {
  Job j = Ended(5, 1001, 100, 200, JobState::kCancelled);
  j.cancelled_by = 0;
  j.next_step_id = 2;
  StepRecord s;
  s.id = 1;
  s.name = "odd\x1dname\nx";
  s.start_time = 150;
  s.end_time = 160;
  s.state = JobState::kFailed;
  s.exit_code = 3;
  s.node_list = "n[1-2]";
  s.nnodes = 2;
  s.ntasks = 4;
  s.ncpus = 4;
  s.usage = {true, 1024, 512, 4096, 2048, "n2", "n1", 3, 1, 250000, 1000};
  j.step_log = {s};
  j.batch_usage = {true, 10, 10, 20, 20, "n1", "n1", 0, 0, 5, 6};
  auto back = DecodeJob(EncodeJob(j));
  ASSERT_TRUE(back.ok()) << back.status();
  s.name = "odd?name\nx";  // a separator in a name is replaced
  EXPECT_EQ(back->step_log, std::vector<StepRecord>{s});
  EXPECT_EQ(back->batch_usage, j.batch_usage);
  EXPECT_EQ(back->cancelled_by, 0);
  EXPECT_EQ(back->next_step_id, 2u);
}

TEST(AccountingUsageTest, NodesMergeIntoTheStepsUsage) {
  StepUsage u;
  MergeUsage(u, {}, "n1");  // nothing measured: nothing known
  EXPECT_FALSE(u.known);
  MergeUsage(u, {true, 1000, 0, 1500, 2, 10, 1}, "n1");
  MergeUsage(u, {true, 3000, 3, 3000, 1, 5, 2}, "n2");
  EXPECT_TRUE(u.known);
  EXPECT_EQ(u.max_rss_kb, 3000u);
  EXPECT_EQ(u.max_rss_node, "n2");
  EXPECT_EQ(u.max_rss_task, 3u);
  EXPECT_EQ(u.tasks, 3u);
  EXPECT_EQ(u.ave_rss_kb, 1500u);  // (1500 + 3000) / 3
  EXPECT_EQ(u.user_usec, 15);
  EXPECT_EQ(u.sys_usec, 3);
}

TEST(AccountingSelectTest, WindowStatesUsersAndJobsAsSlurm) {
  Job done = Ended(1, 1001, 100, 200, JobState::kCompleted);
  Job held;
  held.id = JobId(2);
  held.spec.hold = true;
  held.submit_time = held.eligible_time = 150;
  Job running = Ended(3, 1002, 100, 0, JobState::kRunning);
  AcctFilter f;
  f.start = 190;
  f.end = 300;
  EXPECT_TRUE(AcctSelected(done, f));     // ended inside the window
  EXPECT_FALSE(AcctSelected(held, f));    // never eligible: Unknown
  EXPECT_TRUE(AcctSelected(running, f));
  f.start = 201;
  EXPECT_FALSE(AcctSelected(done, f));    // ended before it
  // -s with no -S: only what is in that state now.
  f.start = f.end = 300;
  f.states = {JobState::kCompleted};
  EXPECT_FALSE(AcctSelected(done, f));
  f.states = {JobState::kRunning};
  EXPECT_TRUE(AcctSelected(running, f));
  // -j without -S: the whole history, held jobs included.
  AcctFilter j;
  j.windowed = false;
  j.jobs = {{2, -1}};
  EXPECT_TRUE(AcctSelected(held, j));
  EXPECT_FALSE(AcctSelected(done, j));
  AcctFilter u;
  u.windowed = false;
  u.uids = {1002};
  EXPECT_FALSE(AcctSelected(done, u));
  EXPECT_TRUE(AcctSelected(running, u));
  // An array task by N_i, the array by N.
  Job task = Ended(9, 1001, 100, 200, JobState::kCompleted);
  task.array_job_id = 7;
  task.array_task_id = 2;
  AcctFilter a;
  a.windowed = false;
  a.jobs = {{7, 2}};
  EXPECT_TRUE(AcctSelected(task, a));
  a.jobs = {{7, 1}};
  EXPECT_FALSE(AcctSelected(task, a));
  a.jobs = {{7, -1}};
  EXPECT_TRUE(AcctSelected(task, a));
}

TEST(AccountingStoreTest, ScansByUserAndIdAndPurgesByEndTime) {
  char dir[] = "/tmp/sluice-acct-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/jobs.db";
  auto store = OpenSqliteJobStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  Job a = Ended(1, 1001, 100, 200, JobState::kCompleted);
  Job b = Ended(2, 1002, 100, 5000, JobState::kFailed);
  Job c = Ended(3, 1001, 100, 0, JobState::kRunning);
  Job t = Ended(4, 1001, 100, 5000, JobState::kCompleted);
  t.array_job_id = 3;
  t.array_task_id = 1;
  ASSERT_TRUE((*store)->Save({&a, &b, &c, &t}, 5).ok());
  auto reader = OpenSqliteAcctReader(path);
  auto ids = [&](const AcctScan& q) {
    std::vector<uint64_t> out;
    auto jobs = reader->Scan(q);
    EXPECT_TRUE(jobs.ok()) << jobs.status();
    for (const auto& j : *jobs) out.push_back(j.id.value());
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(ids({{1001}, {}, 0}), (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(ids({{}, {}, 1000}), (std::vector<uint64_t>{2, 3, 4}));  // still running counts
  EXPECT_EQ(ids({{}, {3}, 0}), (std::vector<uint64_t>{3, 4}));       // the array's task too
  auto n = (*store)->Purge(1000);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(ids({}), (std::vector<uint64_t>{2, 3, 4}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::ctld

namespace sluice::ctld {
namespace {

TEST(AccountingRetentionTest, PurgeJobAfterTakesSlurmdbdUnits) {
  auto conf = [](const std::string& v) {
    return common::ParseSlurmConfText(
        "PurgeJobAfter=" + v + "\n", "/etc/slurm",
        [](const std::string&) -> absl::StatusOr<std::string> { return std::string(); });
  };
  auto h = conf("12hours");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->PurgeCutoff(100000), 100000 - 12 * 3600);
  auto d = conf("2days");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->PurgeCutoff(1000000), 1000000 - 2 * 86400);
  auto m = conf("1");  // months by default
  ASSERT_TRUE(m.ok());
  EXPECT_LT(m->PurgeCutoff(1800000000), 1800000000 - 27 * 86400);
  EXPECT_GT(m->PurgeCutoff(1800000000), 1800000000 - 32 * 86400);
  EXPECT_EQ(common::SlurmConfig{}.PurgeCutoff(5), 0);  // kept for ever
  EXPECT_FALSE(conf("soon").ok());
  EXPECT_FALSE(conf("3weeks").ok());
}

}  // namespace
}  // namespace sluice::ctld
