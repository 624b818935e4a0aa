#include <gtest/gtest.h>
#include <unistd.h>

#include "ctld/store/job_store.h"

namespace sluice::ctld {
namespace {

Job Sample() {
  Job j;
  j.id = JobId(42);
  j.spec.uid = 1001;
  j.spec.user = "alice";
  j.spec.name = "weird\nname=with\\escapes";
  j.spec.script = "#!/bin/sh\necho 'a=b'\n";
  j.spec.SetEnv({"A=1", "B=two\nlines", "C=x\x1fy", ""});
  j.spec.time_limit_min = -2;
  j.state = JobState::kCompleting;
  j.final_state = JobState::kTimeout;
  j.reason = JobReason::kTimeLimit;
  j.alloc = {{"n1", 2, 100, {0, 3}}, {"n2", 2, 100, {}}};
  j.exit_signal = 15;
  return j;
}

TEST(JobCodecTest, RoundTripsEveryField) {
  Job j = Sample();
  auto back = DecodeJob(EncodeJob(j));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->spec.name, j.spec.name);
  EXPECT_EQ(back->spec.script, j.spec.script);
  EXPECT_EQ(back->spec.Env(), j.spec.Env());
  EXPECT_EQ(back->spec.Env(), (std::vector<std::string>{"A=1", "B=two\nlines", "C=x\x1fy", ""}));
  EXPECT_EQ(back->spec.time_limit_min, -2);
  EXPECT_EQ(back->state, JobState::kCompleting);
  EXPECT_EQ(back->final_state, JobState::kTimeout);
  EXPECT_EQ(back->alloc, j.alloc);
  EXPECT_EQ(back->exit_signal, 15);
}

TEST(JobCodecTest, RejectsCorruptRecords) {
  EXPECT_FALSE(DecodeJob("garbage").ok());
  EXPECT_FALSE(DecodeJob("id=0\n").ok());
  EXPECT_FALSE(DecodeJob("id=1\nstate=99\n").ok());
  EXPECT_FALSE(DecodeJob("id=1\nalloc=n1/x/1/\n").ok());
}

TEST(SqliteJobStoreTest, PersistsAcrossReopenAndSkipsOldFinishedJobs) {
  char dir[] = "/tmp/sluice-store-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/jobs.db";
  {
    auto store = OpenSqliteJobStore(path);
    ASSERT_TRUE(store.ok()) << store.status();
    Job a = Sample();
    Job b = Sample();
    b.id = JobId(43);
    b.state = JobState::kCompleted;
    b.end_time = 100;
    ASSERT_TRUE((*store)->Save({&a, &b}, 44).ok());
  }
  auto store = OpenSqliteJobStore(path);
  ASSERT_TRUE(store.ok());
  auto st = (*store)->Load(50);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->next_job_id, 44u);
  EXPECT_EQ(st->jobs.size(), 2u);
  st = (*store)->Load(200);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->jobs.size(), 1u);
  EXPECT_EQ(st->jobs[0].id, JobId(42));
  EXPECT_EQ(st->next_job_id, 44u);
  EXPECT_EQ(system(("rm -rf " + std::string(dir)).c_str()), 0);
}

}  // namespace
}  // namespace sluice::ctld

namespace sluice::ctld {
namespace {

// An idle controller gives SQLite's page cache back (issue 14 point 3):
// after many jobs were written the cache holds pages, and releasing it
// frees them; the store still works afterwards.
TEST(SqliteJobStoreTest, ReleasesItsPageCacheOnRequest) {
  char dir[] = "/tmp/sluice-store-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  auto store = OpenSqliteJobStore(std::string(dir) + "/jobs.db");
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<Job> jobs(500, Sample());
  std::vector<const Job*> ptrs;
  for (size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].id = JobId(100 + i);
    ptrs.push_back(&jobs[i]);
  }
  ASSERT_TRUE((*store)->Save(ptrs, 700).ok());
  EXPECT_GT((*store)->ReleaseMemory(), 100'000u);
  EXPECT_EQ((*store)->ReleaseMemory(), 0u);
  ASSERT_TRUE((*store)->Save({ptrs[0]}, 700).ok());
  auto st = (*store)->Load(0);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->jobs.size(), 500u);
  EXPECT_EQ(system(("rm -rf " + std::string(dir)).c_str()), 0);
}

}  // namespace
}  // namespace sluice::ctld
