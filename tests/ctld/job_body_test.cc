// A job's body (its script and the submitter's environment) lives in the
// store, not in the controller's memory (issue 14 point 3): written with
// the job's first save, let go from memory, read back at each launch,
// deleted when no job in memory names it any more.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "ctld/core/controller.h"
#include "ctld/store/job_store.h"
#include "fake_node_client.h"
#include "registered_controller.h"

namespace sluice::ctld {
namespace {

using ::testing::Contains;
using testing::kT0;

Job WithBody(uint64_t id) {
  Job j;
  j.id = JobId(id);
  j.spec.user = "alice";
  j.spec.script = "#!/bin/sh\necho body-of-" + std::to_string(id) + "\n";
  j.spec.SetEnv({"HOME=/home/alice", "ODD=x\x1fy"});
  return j;
}

class TempDir {
 public:
  TempDir() { EXPECT_NE(mkdtemp(dir_), nullptr); }
  ~TempDir() { EXPECT_EQ(system((std::string("rm -rf ") + dir_).c_str()), 0); }
  std::string Path(const char* name) const { return std::string(dir_) + "/" + name; }

 private:
  char dir_[32] = "/tmp/sluice-body-XXXXXX";
};

TEST(JobBodyStoreTest, TheBodyIsStoredApartAndTheRecordNamesIt) {
  TempDir dir;
  {
    auto store = OpenSqliteJobStore(dir.Path("jobs.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    Job a = WithBody(42);
    ASSERT_TRUE((*store)->Save({&a}, 43).ok());
    EXPECT_EQ(EncodeJob(a, false).find("body-of"), std::string::npos);
  }
  auto store = OpenSqliteJobStore(dir.Path("jobs.db"));
  ASSERT_TRUE(store.ok());
  auto st = (*store)->Load(0);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->jobs.size(), 1u);
  const JobSpec& s = st->jobs[0].spec;
  EXPECT_FALSE(s.HoldsBody());
  EXPECT_EQ(s.body_id, 42u);
  auto body = (*store)->LoadBody(42);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->script, "#!/bin/sh\necho body-of-42\n");
  EXPECT_EQ(JobSpec::SplitEnv(body->env_block),
            (std::vector<std::string>{"HOME=/home/alice", "ODD=x\x1fy"}));
  EXPECT_TRUE(absl::IsNotFound((*store)->LoadBody(7).status()));
}

TEST(JobBodyStoreTest, DroppedBodiesGoWithTheNextWriteAndKeepBodiesSweeps) {
  TempDir dir;
  auto store = OpenSqliteJobStore(dir.Path("jobs.db"));
  ASSERT_TRUE(store.ok());
  JobStore& s = **store;
  Job a = WithBody(1), b = WithBody(2), c = WithBody(3);
  ASSERT_TRUE(s.Save({&a, &b, &c}, 4).ok());
  s.DropBodies({1});
  a.spec.ReleaseBody(1);
  ASSERT_TRUE(s.Save({&a}, 4).ok());  // a later write carries the delete
  EXPECT_TRUE(absl::IsNotFound(s.LoadBody(1).status()));
  EXPECT_TRUE(s.LoadBody(2).ok());
  ASSERT_TRUE(s.KeepBodies({3}).ok());
  EXPECT_TRUE(absl::IsNotFound(s.LoadBody(2).status()));
  EXPECT_EQ(s.LoadBody(3)->script, c.spec.script);
  // The hourly accounting purge also carries pending deletes.
  s.DropBodies({3});
  ASSERT_TRUE(s.Purge(0).ok());
  EXPECT_TRUE(absl::IsNotFound(s.LoadBody(3).status()));
}

// A record written before bodies were kept apart holds the script and the
// environment itself: it decodes with the body in memory, and the job's
// next save moves it out.
TEST(JobBodyStoreTest, ARecordFromBeforeKeepsItsBodyUntilItsNextSave) {
  Job old = WithBody(5);
  auto back = DecodeJob(EncodeJob(old, /*with_body=*/true));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->spec.HoldsBody());
  EXPECT_EQ(back->spec.body_id, 0u);
  EXPECT_EQ(back->spec.script, old.spec.script);
  auto store = MakeMemoryJobStore();
  ASSERT_TRUE(store->Save({&*back}, 6).ok());
  EXPECT_EQ(store->LoadBody(5)->env_block, old.spec.env_block);
  auto st = store->Load(0);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->jobs.at(0).spec.body_id, 5u);
  EXPECT_FALSE(st->jobs.at(0).spec.HoldsBody());
}

class JobBodyTest : public testing::RegisteredControllerTest {
 protected:
  SubmitRequest Req(const std::string& array = "") {
    SubmitRequest r;
    r.name = "b";
    r.script = "#!/bin/sh\necho the-script\n";
    r.env = {"FROM_LOGIN=yes", "HOME=/home/alice"};
    r.work_dir = "/w";
    r.array = array;
    return r;
  }
  uint64_t Submit(const SubmitRequest& r) {
    SubmitOutcome out = ctl_.Submit(r, alice_, kT0);
    EXPECT_TRUE(out.error.empty()) << out.error;
    EXPECT_TRUE(ctl_.Sync().ok());
    return out.id.value();
  }
  void End(uint64_t id, int64_t now) {
    const Job& j = ctl_.jobs().at(id);
    NodeReport r;
    r.node = j.alloc.at(0).node;
    r.ended = {{JobId(id), 0, 0, false, ""}};
    ASSERT_TRUE(ctl_.OnNodeReport(r, root_, now).ok());
  }
};

TEST_F(JobBodyTest, AStoredJobHoldsNoBodyInMemoryAndLaunchesWithIt) {
  uint64_t id = Submit(Req());
  const Job& j = ctl_.jobs().at(id);
  EXPECT_FALSE(j.spec.HoldsBody());
  EXPECT_EQ(j.spec.body_id, id);
  ctl_.Schedule(kT0);
  ASSERT_EQ(nodes_.launched.size(), 1u);
  EXPECT_EQ(nodes_.launched[0].req.script, "#!/bin/sh\necho the-script\n");
  EXPECT_THAT(nodes_.launched[0].req.env, Contains("FROM_LOGIN=yes"));
  // Requeued, it launches again with the same body.
  ctl_.RequeueJobs({JobId(id)}, false, root_, kT0 + 1);
  End(id, kT0 + 2);
  for (int64_t t = kT0 + 3; t < kT0 + 400 && nodes_.launched.size() < 2; t += 10) {
    ctl_.Tick(t);
    ctl_.Schedule(t);
  }
  ASSERT_EQ(nodes_.launched.size(), 2u);
  EXPECT_EQ(nodes_.launched[1].req.script, nodes_.launched[0].req.script);
  EXPECT_THAT(nodes_.launched[1].req.env, Contains("FROM_LOGIN=yes"));
}

TEST_F(JobBodyTest, ArrayTasksShareTheArraysBodyUntilTheLastLeaves) {
  uint64_t arr = Submit(Req("0-2"));
  ctl_.Schedule(kT0);
  ASSERT_EQ(nodes_.launched.size(), 3u);
  std::vector<uint64_t> ids;
  for (const auto& l : nodes_.launched) {
    EXPECT_EQ(l.req.script, "#!/bin/sh\necho the-script\n");
    EXPECT_THAT(l.req.env, Contains("FROM_LOGIN=yes"));
    ids.push_back(l.req.id.value());
    EXPECT_EQ(ctl_.jobs().at(ids.back()).spec.body_id, arr);
  }
  // Two tasks end and leave memory (MinJobAge 300 s); the third, ended
  // later, is still in memory and names the body.
  End(ids[0], kT0 + 1);
  End(ids[1], kT0 + 1);
  End(ids[2], kT0 + 200);
  ctl_.Tick(kT0 + 1 + 305);
  ASSERT_EQ(ctl_.jobs().count(ids[0]) + ctl_.jobs().count(ids[1]), 0u);
  ASSERT_EQ(ctl_.jobs().count(ids[2]), 1u);
  EXPECT_TRUE(store_->LoadBody(arr).ok());
  ctl_.Tick(kT0 + 200 + 305);
  ASSERT_EQ(ctl_.jobs().count(ids[2]), 0u);
  EXPECT_TRUE(absl::IsNotFound(store_->LoadBody(arr).status()));
}

TEST_F(JobBodyTest, ARestartedControllerLaunchesFromTheStoredBody) {
  uint64_t id = Submit(Req());
  testing::FakeNodeClient nodes;
  Controller again(testing::QuietTwoNodeConfig(), store_.get(), &nodes, 0);
  ASSERT_TRUE(again.Recover(kT0 + 1).ok());
  NodeReport r;
  r.node = "n1";
  r.registering = true;
  ASSERT_TRUE(again.OnNodeReport(r, root_, kT0 + 1).ok());
  again.Schedule(kT0 + 1);
  ASSERT_EQ(nodes.launched.size(), 1u);
  EXPECT_EQ(nodes.launched[0].req.id.value(), id);
  EXPECT_EQ(nodes.launched[0].req.script, "#!/bin/sh\necho the-script\n");
}

TEST_F(JobBodyTest, AJobWhoseBodyIsGoneFailsToLaunch) {
  uint64_t id = Submit(Req());
  ASSERT_TRUE(store_->KeepBodies({}).ok());
  ctl_.Schedule(kT0);
  EXPECT_TRUE(nodes_.launched.empty());
  EXPECT_EQ(ctl_.jobs().at(id).state, JobState::kFailed);
  EXPECT_EQ(ctl_.jobs().at(id).reason, JobReason::kJobLaunchFailure);
}

}  // namespace
}  // namespace sluice::ctld
