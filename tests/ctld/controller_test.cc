#include "ctld/core/controller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctld/store/job_store.h"
#include "fake_node_client.h"
#include "test_config.h"

namespace sluice::ctld {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'800'000'000;

common::SlurmConfig Config() {
  common::SlurmConfig c = testing::TwoNodeConfig();
  c.slurmd_timeout_s = 300;  // these tests do not send heartbeats
  common::PartitionConf s;
  s.name = "short";
  s.nodes = {"n1"};
  s.max_time_min = 30;
  s.default_time_min = 10;
  c.partitions.push_back(s);
  return c;
}

class ControllerTest : public ::testing::Test {
 protected:
  ControllerTest()
      : store_(MakeMemoryJobStore()), ctl_(Config(), store_.get(), &nodes_, 0) {
    EXPECT_TRUE(ctl_.Recover(kT0).ok());
  }

  // Every state change went through the index: the pass sees every live job.
  void TearDown() override { EXPECT_TRUE(ctl_.job_index().LiveMatches(ctl_.jobs())); }

  void Register(const std::string& node) {
    NodeReport r;
    r.node = node;
    r.registering = true;
    ASSERT_TRUE(ctl_.OnNodeReport(r, root_, kT0).ok());
  }

  SubmitRequest Req() {
    SubmitRequest r;
    r.name = "job";
    r.script = "#!/bin/sh\ntrue\n";
    r.work_dir = "/tmp";
    return r;
  }

  const Job& J(uint64_t id) { return ctl_.jobs().at(id); }

  // As the server does: a submission is committed before it is answered
  // (and before it can start).
  SubmitOutcome Submit(const SubmitRequest& r, const common::Identity& who, int64_t now) {
    SubmitOutcome out = ctl_.Submit(r, who, now);
    EXPECT_TRUE(ctl_.Sync().ok());
    return out;
  }

  std::unique_ptr<JobStore> store_;
  testing::FakeNodeClient nodes_;
  Controller ctl_;
  common::Identity root_{0, 0};
  common::Identity alice_{1001, 1001};
};

TEST_F(ControllerTest, SubmittedJobStartsOnARegisteredNodeAtTheNextPass) {
  Register("n1");
  auto out = Submit(Req(), alice_, kT0);
  ASSERT_EQ(out.id, JobId(1));
  EXPECT_TRUE(ctl_.schedule_needed());
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(1).state, JobState::kRunning);
  ASSERT_EQ(nodes_.launched.size(), 1u);
  EXPECT_EQ(nodes_.launched[0].node.address, "127.0.0.1:7000");
  EXPECT_EQ(nodes_.launched[0].req.uid, 1001u);
  EXPECT_EQ(nodes_.launched[0].req.std_out, "/tmp/slurm-%j.out");
}

// A finished job requeued by scontrol is live again: the next pass, which
// walks only the jobs not finished, starts it.
TEST_F(ControllerTest, AFinishedJobRequeuedStartsAgain) {
  Register("n1");
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  NodeReport r;
  r.node = "n1";
  r.ended = {{JobId(1), 0, 0, false, ""}};
  ASSERT_TRUE(ctl_.OnNodeReport(r, root_, kT0 + 5).ok());
  ASSERT_EQ(J(1).state, JobState::kCompleted);
  EXPECT_TRUE(ctl_.job_index().LiveJobs().empty());
  auto out = ctl_.RequeueJobs({JobId(1)}, false, root_, kT0 + 6);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].error, "");
  ASSERT_EQ(J(1).state, JobState::kPending);
  ctl_.Schedule(kT0 + 200);  // past the requeue's begin delay
  EXPECT_EQ(J(1).state, JobState::kRunning);
  EXPECT_EQ(nodes_.launched.size(), 2u);
}

TEST_F(ControllerTest, NothingStartsOnNodesThatNeverRegistered) {
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(1).state, JobState::kPending);
  EXPECT_EQ(J(1).reason, JobReason::kResources);
}

TEST_F(ControllerTest, JobEndsWithItsExitStatus) {
  Register("n1");
  Submit(Req(), alice_, kT0);
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  NodeReport r;
  r.node = "n1";
  r.ended = {{JobId(1), 0, 0, false, ""}, {JobId(2), 3, 0, false, ""}};
  auto out = ctl_.OnNodeReport(r, root_, kT0 + 5);
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(out->acked, ElementsAre(JobId(1), JobId(2)));
  EXPECT_EQ(J(1).state, JobState::kCompleted);
  EXPECT_EQ(J(2).state, JobState::kFailed);
  EXPECT_EQ(J(2).reason, JobReason::kNonZeroExitCode);
  EXPECT_EQ(J(2).exit_code, 3);
  EXPECT_EQ(J(2).end_time, kT0 + 5);
}

TEST_F(ControllerTest, CancelOfRunningJobCompletesAfterTheNodeConfirms) {
  Register("n1");
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  auto res = ctl_.Cancel({JobId(1)}, 0, false, false, alice_, kT0 + 1);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_TRUE(res[0].error.empty());
  EXPECT_EQ(J(1).state, JobState::kCompleting);
  ASSERT_EQ(nodes_.signalled.size(), 1u);
  EXPECT_EQ(nodes_.signalled[0].req.kind, SignalKind::kCancel);
  EXPECT_EQ(nodes_.signalled[0].req.kill_wait_s, 5u);
  NodeReport r;
  r.node = "n1";
  r.ended = {{JobId(1), 0, 15, false, ""}};
  ASSERT_TRUE(ctl_.OnNodeReport(r, root_, kT0 + 2).ok());
  EXPECT_EQ(J(1).state, JobState::kCancelled);
  EXPECT_EQ(J(1).exit_signal, 15);
}

TEST_F(ControllerTest, OnlyTheOwnerOrRootMayCancel) {
  Submit(Req(), root_, kT0);
  auto res = ctl_.Cancel({JobId(1), JobId(9)}, 0, false, false, alice_, kT0);
  EXPECT_EQ(res[0].error, "Access/permission denied");
  EXPECT_EQ(res[0].code, 2002u);
  EXPECT_EQ(res[1].error, "Invalid job id specified");
  EXPECT_EQ(J(1).state, JobState::kPending);
  res = ctl_.Cancel({JobId(1)}, 0, false, false, root_, kT0);
  EXPECT_TRUE(res[0].error.empty());
  EXPECT_EQ(J(1).state, JobState::kCancelled);
  res = ctl_.Cancel({JobId(1)}, 0, false, false, root_, kT0);
  EXPECT_EQ(res[0].error, "Job/step already completing or completed");
}

TEST_F(ControllerTest, TimeLimitTerminatesAndEndsTimeout) {
  Register("n1");
  auto req = Req();
  req.time_limit_set = true;
  req.time_limit_min = 1;
  Submit(req, alice_, kT0);
  ctl_.Schedule(kT0);
  ctl_.Tick(kT0 + 59);
  EXPECT_EQ(J(1).state, JobState::kRunning);
  ctl_.Tick(kT0 + 60);
  EXPECT_EQ(J(1).state, JobState::kCompleting);
  ASSERT_EQ(nodes_.signalled.size(), 1u);
  EXPECT_EQ(nodes_.signalled[0].req.kind, SignalKind::kTimeout);
  NodeReport r;
  r.node = "n1";
  r.ended = {{JobId(1), 0, 15, false, ""}};
  ASSERT_TRUE(ctl_.OnNodeReport(r, root_, kT0 + 61).ok());
  EXPECT_EQ(J(1).state, JobState::kTimeout);
  EXPECT_EQ(J(1).reason, JobReason::kTimeLimit);
}

TEST_F(ControllerTest, RefusesWhatNoNodeCanSatisfyWithSlurmsWords) {
  auto req = Req();
  req.partition = "nosuch";
  auto out = Submit(req, alice_, kT0);
  EXPECT_EQ(out.id, JobId(0));
  EXPECT_THAT(out.notes, ElementsAre("invalid partition specified: nosuch"));
  EXPECT_EQ(out.error, "Invalid partition name specified");

  req = Req();
  req.cpus_per_task = 9;
  out = Submit(req, alice_, kT0);
  EXPECT_THAT(out.notes, ElementsAre("CPU count per node can not be satisfied"));
  EXPECT_EQ(out.error, "Requested node configuration is not available");
  // Like Slurm, the refused request used up an ID and shows as FAILED.
  EXPECT_EQ(J(1).state, JobState::kFailed);
  EXPECT_EQ(J(1).reason, JobReason::kBadConstraints);

  for (const char* gpn : {"abc", "-1", "3", "a100:1"}) {
    req = Req();
    req.gpus_per_node = gpn;
    out = Submit(req, alice_, kT0);
    EXPECT_EQ(out.error, "Requested node configuration is not available") << gpn;
  }
  req = Req();
  req.mem_mb = 100 * 1024;
  out = Submit(req, alice_, kT0);
  EXPECT_THAT(out.notes, ElementsAre("Memory specification can not be satisfied"));
  req = Req();
  req.gres = "foo:1";
  out = Submit(req, alice_, kT0);
  EXPECT_THAT(out.notes, ElementsAre("Invalid generic resource (gres) specification"));
  EXPECT_TRUE(out.error.empty());
  EXPECT_EQ(out.id, JobId(0));
}

TEST_F(ControllerTest, PartitionDefaultsAndLimitsGiveReasons) {
  Register("n1");
  Register("n2");
  auto req = Req();
  req.partition = "short";
  Submit(req, alice_, kT0);
  EXPECT_EQ(J(1).spec.time_limit_min, 10);  // DefaultTime
  req.time_limit_set = true;
  req.time_limit_min = 120;
  Submit(req, alice_, kT0);
  req = Req();
  req.hold = true;
  Submit(req, alice_, kT0);
  req = Req();
  req.min_nodes = 5;
  Submit(req, alice_, kT0);
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(1).state, JobState::kRunning);
  EXPECT_EQ(J(2).reason, JobReason::kPartitionTimeLimit);
  EXPECT_EQ(J(3).reason, JobReason::kJobHeldUser);
  EXPECT_EQ(J(3).priority, 0u);
  EXPECT_EQ(J(4).reason, JobReason::kPartitionConfig);
}

TEST_F(ControllerTest, BatchEnvironmentMatchesSlurm) {
  Register("n1");
  auto req = Req();
  req.name = "envdump.sh";
  req.gpus_per_node = "2";
  req.cpus_per_task = 2;
  req.submit_host = "vm";
  req.env = {"PATH=/usr/bin", "CUDA_VISIBLE_DEVICES=7", "SLURM_JOB_ID=99"};
  Submit(req, root_, kT0);
  ctl_.Schedule(kT0);
  const auto& env = nodes_.launched.at(0).req.env;
  for (const char* want :
       {"PATH=/usr/bin", "CUDA_VISIBLE_DEVICES=0,1", "GPU_DEVICE_ORDINAL=0,1",
        "SLURMD_NODENAME=n1", "SLURM_CLUSTER_NAME=test", "SLURM_CPUS_ON_NODE=2",
        "SLURM_CPUS_PER_TASK=2", "SLURM_GPUS_ON_NODE=2", "SLURM_GPUS_PER_NODE=2",
        "SLURM_GTIDS=0", "SLURM_JOBID=1", "SLURM_JOB_CPUS_PER_NODE=2",
        "SLURM_JOB_GPUS=0,1", "SLURM_JOB_ID=1", "SLURM_JOB_NAME=envdump.sh",
        "SLURM_JOB_NODELIST=n1", "SLURM_JOB_NUM_NODES=1",
        "SLURM_JOB_PARTITION=g2", "SLURM_JOB_UID=0", "SLURM_JOB_USER=root",
        "SLURM_NODELIST=n1", "SLURM_NODE_ALIASES=(null)", "SLURM_SUBMIT_DIR=/tmp",
        "SLURM_SUBMIT_HOST=vm", "SLURM_TASKS_PER_NODE=1",
        "SLURM_TOPOLOGY_ADDR_PATTERN=node"})
    EXPECT_THAT(env, Contains(want));
  EXPECT_THAT(env, ::testing::Not(Contains("CUDA_VISIBLE_DEVICES=7")));
  EXPECT_THAT(env, ::testing::Not(Contains("SLURM_JOB_ID=99")));
  EXPECT_THAT(env, ::testing::Not(Contains(HasSubstr("SLURM_NTASKS="))));
}

TEST_F(ControllerTest, RecoveryKeepsJobsAndNeverReusesIds) {
  ctl_.Submit(Req(), alice_, kT0);
  ctl_.Submit(Req(), alice_, kT0);
  EXPECT_TRUE(ctl_.has_unsynced());
  {
    // Before Sync nothing is durable.
    Controller early(Config(), store_.get(), &nodes_, 0);
    ASSERT_TRUE(early.Recover(kT0).ok());
    EXPECT_TRUE(early.jobs().empty());
  }
  ASSERT_TRUE(ctl_.Sync().ok());
  EXPECT_FALSE(ctl_.has_unsynced());
  Controller again(Config(), store_.get(), &nodes_, 0);
  ASSERT_TRUE(again.Recover(kT0 + 10).ok());
  EXPECT_EQ(again.jobs().size(), 2u);
  EXPECT_EQ(again.Submit(Req(), alice_, kT0 + 10).id, JobId(3));
}

// A store that refuses writes while `failing` is set (disk full, read-only).
class FlakyStore : public JobStore {
 public:
  absl::Status Save(const std::vector<const Job*>& jobs, uint64_t next) override {
    if (failing) return absl::UnavailableError("database or disk is full");
    return inner_->Save(jobs, next);
  }
  absl::Status SaveSetting(const std::string& name, const std::string& value) override {
    if (failing) return absl::UnavailableError("database or disk is full");
    return inner_->SaveSetting(name, value);
  }
  absl::StatusOr<StoredState> Load(int64_t after) override { return inner_->Load(after); }
  absl::StatusOr<int> Purge(int64_t before) override { return inner_->Purge(before); }
  absl::StatusOr<JobBody> LoadBody(uint64_t id) override { return inner_->LoadBody(id); }
  void DropBodies(const std::vector<uint64_t>& ids) override { inner_->DropBodies(ids); }
  absl::Status KeepBodies(const std::vector<uint64_t>& ids) override {
    return inner_->KeepBodies(ids);
  }
  bool failing = false;

 private:
  std::unique_ptr<JobStore> inner_ = MakeMemoryJobStore();
};

// Recovers and registers node n1.
bool StartWithOneNode(Controller& ctl) {
  NodeReport r;
  r.node = "n1";
  r.registering = true;
  return ctl.Recover(kT0).ok() && ctl.OnNodeReport(r, {0, 0}, kT0).ok();
}

TEST(ControllerStoreFailureTest, ASubmissionThatCannotBeStoredIsForgottenAndNeverRuns) {
  FlakyStore store;
  testing::FakeNodeClient nodes;
  Controller ctl(Config(), &store, &nodes, 0);
  ASSERT_TRUE(StartWithOneNode(ctl));
  store.failing = true;
  SubmitRequest req;
  req.script = "#!/bin/sh\n";
  req.work_dir = "/tmp";
  JobId id = ctl.Submit(req, {1001, 1001}, kT0).id;
  // A pass between acceptance and commit must not start it.
  ctl.Schedule(kT0);
  EXPECT_TRUE(nodes.launched.empty());
  EXPECT_FALSE(ctl.Sync().ok());
  EXPECT_EQ(ctl.jobs().count(id.value()), 0u);
  ctl.Schedule(kT0);
  EXPECT_TRUE(nodes.launched.empty());
  auto res = ctl.TakeStoreResult();
  ASSERT_TRUE(res.has_value());
  EXPECT_FALSE(res->ok());
}

TEST(ControllerStoreFailureTest, AStartThatCannotBeStoredIsNotLaunchedUntilTheStoreRecovers) {
  FlakyStore store;
  testing::FakeNodeClient nodes;
  Controller ctl(Config(), &store, &nodes, 0);
  ASSERT_TRUE(StartWithOneNode(ctl));
  SubmitRequest req;
  req.script = "#!/bin/sh\n";
  req.work_dir = "/tmp";
  JobId id = ctl.Submit(req, {1001, 1001}, kT0).id;
  ASSERT_TRUE(ctl.Sync().ok());
  store.failing = true;
  ctl.Schedule(kT0);
  EXPECT_TRUE(nodes.launched.empty());
  EXPECT_EQ(ctl.jobs().at(id.value()).state, JobState::kPending);
  EXPECT_EQ(ctl.unsaved_jobs(), 1u);
  ctl.Tick(kT0 + 1);  // still failing: nothing changes
  ctl.Schedule(kT0 + 1);
  EXPECT_TRUE(nodes.launched.empty());
  store.failing = false;
  ctl.Tick(kT0 + 2);
  EXPECT_EQ(ctl.unsaved_jobs(), 0u);
  EXPECT_TRUE(ctl.schedule_needed());
  ctl.Schedule(kT0 + 2);
  ASSERT_EQ(nodes.launched.size(), 1u);
  EXPECT_EQ(ctl.jobs().at(id.value()).state, JobState::kRunning);
}

TEST_F(ControllerTest, UnreachableNodeSendsTheJobBackToTheQueue) {
  Register("n1");
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  nodes_.launched[0].done(absl::UnavailableError("connect failed"));
  EXPECT_EQ(J(1).state, JobState::kPending);
  EXPECT_TRUE(J(1).alloc.empty());
  EXPECT_TRUE(ctl_.schedule_needed());
}

TEST_F(ControllerTest, LaunchFailureOnTheNodeFailsTheJob) {
  Register("n1");
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  nodes_.launched[0].done(absl::FailedPreconditionError("no such dir"));
  EXPECT_EQ(J(1).state, JobState::kFailed);
  EXPECT_EQ(J(1).reason, JobReason::kJobLaunchFailure);
}

TEST(UnprivilegedControllerTest, AcceptsOnlyItsOwnUsersJobs) {
  auto store = MakeMemoryJobStore();
  testing::FakeNodeClient nodes;
  Controller ctl(Config(), store.get(), &nodes, 1001);
  ASSERT_TRUE(ctl.Recover(kT0).ok());
  SubmitRequest r;
  r.script = "#!/bin/sh\n";
  auto out = ctl.Submit(r, {0, 0}, kT0);
  EXPECT_EQ(out.id, JobId(0));
  EXPECT_EQ(out.error, "Access/permission denied");
  EXPECT_EQ(ctl.Submit(r, {1001, 1001}, kT0).id, JobId(1));
}

TEST_F(ControllerTest, DrainedNodesTakeNoNewJobsAndResumeBringsThemBack) {
  Register("n1");
  Register("n2");
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(1).alloc[0].node, "n1");
  EXPECT_TRUE(absl::IsPermissionDenied(
      ctl_.UpdateNodes("n1", "drain", "maint", alice_, kT0)));
  EXPECT_FALSE(ctl_.UpdateNodes("n1", "drain", "", root_, kT0).ok());
  ASSERT_TRUE(ctl_.UpdateNodes("n[1-2]", "DRAIN", "maint", root_, kT0).ok());
  EXPECT_EQ(J(1).state, JobState::kRunning);  // running jobs carry on
  Submit(Req(), alice_, kT0);
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(2).state, JobState::kPending);
  EXPECT_EQ(ctl_.nodes()[0].reason, "maint");
  EXPECT_EQ(ctl_.nodes()[0].reason_user, "root");
  ASSERT_TRUE(ctl_.UpdateNodes("n2", "resume", "", root_, kT0).ok());
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(2).alloc.at(0).node, "n2");
  EXPECT_TRUE(ctl_.nodes()[1].reason.empty());
  EXPECT_FALSE(ctl_.UpdateNodes("ghost", "drain", "x", root_, kT0).ok());
  EXPECT_FALSE(ctl_.UpdateNodes("n1", "sleepy", "x", root_, kT0).ok());
}

TEST_F(ControllerTest, NodeReportsMustComeFromTheDaemonUser) {
  NodeReport r;
  r.node = "n1";
  EXPECT_TRUE(absl::IsPermissionDenied(ctl_.OnNodeReport(r, alice_, kT0).status()));
  r.node = "ghost";
  EXPECT_TRUE(absl::IsNotFound(ctl_.OnNodeReport(r, root_, kT0).status()));
}

TEST_F(ControllerTest, SilentNodeGoesDownAndItsJobsFail) {
  Register("n1");
  auto r = Req();
  r.requeue = 0;
  Submit(r, alice_, kT0);
  ctl_.Schedule(kT0);
  ctl_.Tick(kT0 + 301);
  EXPECT_EQ(J(1).state, JobState::kNodeFail);
  EXPECT_EQ(ctl_.nodes()[0].BaseState(), common::NodeBaseState::kDown);
}

TEST_F(ControllerTest, FinishedJobsArePurgedAfterMinJobAge) {
  Submit(Req(), alice_, kT0);
  ctl_.Cancel({JobId(1)}, 0, false, false, alice_, kT0);
  ctl_.Tick(kT0 + 300);
  EXPECT_EQ(ctl_.jobs().size(), 1u);
  ctl_.Tick(kT0 + 301);
  EXPECT_TRUE(ctl_.jobs().empty());
}

}  // namespace
}  // namespace sluice::ctld

namespace sluice::ctld {
namespace {

class DependencyControllerTest : public ControllerTest {
 protected:
  uint64_t SubmitWith(const std::string& dep, const std::string& name = "job") {
    auto r = Req();
    r.dependency = dep;
    r.name = name;
    auto out = Submit(r, alice_, kT0);
    EXPECT_TRUE(out.error.empty()) << out.error;
    return out.id.value();
  }
  void End(uint64_t id, int exit_code) {
    NodeReport r;
    r.node = "n1";
    r.ended = {{JobId(id), exit_code, 0, false, ""}};
    ASSERT_TRUE(ctl_.OnNodeReport(r, root_, kT0 + 1).ok());
  }
};

TEST_F(DependencyControllerTest, AfterOkWaitsThenRunsOrNeverRuns) {
  Register("n1");
  uint64_t a = SubmitWith("");
  uint64_t b = SubmitWith("afterok:" + std::to_string(a));
  uint64_t c = SubmitWith("afternotok:" + std::to_string(a));
  uint64_t d = SubmitWith("afterany:" + std::to_string(a));
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(a).state, JobState::kRunning);
  EXPECT_EQ(J(b).reason, JobReason::kDependency);
  EXPECT_EQ(J(c).reason, JobReason::kDependency);
  End(a, 0);
  ctl_.Schedule(kT0 + 1);
  EXPECT_EQ(J(b).state, JobState::kRunning);
  EXPECT_EQ(J(c).state, JobState::kPending);
  EXPECT_EQ(J(c).reason, JobReason::kDependencyNeverSatisfied);
  EXPECT_EQ(J(d).state, JobState::kRunning);
}

TEST_F(DependencyControllerTest, AfterWaitsForTheStartAndAfterCorrForSuccess) {
  Register("n1");
  auto held = Req();
  held.hold = true;
  uint64_t a = Submit(held, alice_, kT0).id.value();
  uint64_t after = SubmitWith("after:" + std::to_string(a));
  uint64_t corr = SubmitWith("aftercorr:" + std::to_string(a));
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(after).reason, JobReason::kDependency);
  ctl_.Release({JobId(a)}, alice_, kT0);
  ctl_.Schedule(kT0);  // a starts in this pass
  ctl_.Schedule(kT0);  // so `after` may start in the next
  EXPECT_EQ(J(a).state, JobState::kRunning);
  EXPECT_EQ(J(after).state, JobState::kRunning);
  EXPECT_EQ(J(corr).reason, JobReason::kDependency);
  End(a, 2);
  ctl_.Schedule(kT0 + 1);
  EXPECT_EQ(J(corr).reason, JobReason::kDependencyNeverSatisfied);
}

TEST_F(DependencyControllerTest, UnknownJobCountsAsSatisfiedAsInSlurm2205) {
  Register("n1");
  uint64_t a = SubmitWith("afterok:999999");
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(a).state, JobState::kRunning);
}

TEST_F(DependencyControllerTest, AnyOfWithQuestionMark) {
  Register("n1");
  auto held = Req();
  held.hold = true;
  uint64_t h = Submit(held, alice_, kT0).id.value();
  uint64_t a = SubmitWith("");
  ctl_.Schedule(kT0);
  uint64_t b = SubmitWith("afterok:" + std::to_string(h) + "?afterany:" + std::to_string(a));
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(b).reason, JobReason::kDependency);
  End(a, 1);
  ctl_.Schedule(kT0 + 1);
  EXPECT_EQ(J(b).state, JobState::kRunning);
}

TEST_F(DependencyControllerTest, SingletonRunsOneAtATimePerUserAndName) {
  Register("n1");
  uint64_t a = SubmitWith("singleton", "solo");
  uint64_t b = SubmitWith("singleton", "solo");
  uint64_t other = SubmitWith("singleton", "different");
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(a).state, JobState::kRunning);
  EXPECT_EQ(J(b).reason, JobReason::kDependency);
  EXPECT_EQ(J(other).state, JobState::kRunning);
  End(a, 0);
  ctl_.Schedule(kT0 + 1);
  EXPECT_EQ(J(b).state, JobState::kRunning);
}

TEST_F(DependencyControllerTest, BadSpecIsRefusedAndBeginTimeWaits) {
  auto r = Req();
  r.dependency = "afterok:x";
  EXPECT_EQ(Submit(r, alice_, kT0).error, "Job dependency problem");
  Register("n1");
  r = Req();
  r.begin_time = kT0 + 3600;
  uint64_t id = Submit(r, alice_, kT0).id.value();
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(id).reason, JobReason::kBeginTime);
  EXPECT_EQ(J(id).eligible_time, kT0 + 3600);
  ctl_.Schedule(kT0 + 3600);
  EXPECT_EQ(J(id).state, JobState::kRunning);
}

TEST_F(ControllerTest, HoldAndReleaseFollowSlurmsRules) {
  uint64_t mine = Submit(Req(), alice_, kT0).id.value();
  auto r = ctl_.Hold({JobId(mine)}, false, alice_, kT0);
  EXPECT_TRUE(r[0].error.empty());
  EXPECT_EQ(J(mine).reason, JobReason::kJobHeldUser);
  EXPECT_EQ(J(mine).priority, 0u);
  EXPECT_TRUE(ctl_.Release({JobId(mine)}, alice_, kT0)[0].error.empty());
  EXPECT_FALSE(J(mine).spec.hold);
  EXPECT_GT(J(mine).priority, 0u);
  // root's hold is an admin hold the user cannot lift.
  ctl_.Hold({JobId(mine)}, false, root_, kT0);
  EXPECT_EQ(J(mine).reason, JobReason::kJobHeldAdmin);
  EXPECT_EQ(ctl_.Release({JobId(mine)}, alice_, kT0)[0].error,
            "Access/permission denied");
  EXPECT_TRUE(ctl_.Release({JobId(mine)}, root_, kT0)[0].error.empty());
  ctl_.Hold({JobId(mine)}, true, root_, kT0);  // uhold
  EXPECT_EQ(J(mine).reason, JobReason::kJobHeldUser);
  uint64_t roots = Submit(Req(), root_, kT0).id.value();
  EXPECT_EQ(ctl_.Hold({JobId(roots)}, false, alice_, kT0)[0].error,
            "Access/permission denied");
  EXPECT_EQ(ctl_.Hold({JobId(999)}, false, root_, kT0)[0].error,
            "Invalid job id specified");
  Register("n1");
  ctl_.Schedule(kT0);
  // A running job takes the hold and keeps running, as in Slurm (exit 0,
  // reason JobHeldAdmin, captured); release lifts it.
  ASSERT_EQ(J(roots).state, JobState::kRunning);
  EXPECT_TRUE(ctl_.Hold({JobId(roots)}, false, root_, kT0)[0].error.empty());
  EXPECT_EQ(J(roots).state, JobState::kRunning);
  EXPECT_EQ(J(roots).reason, JobReason::kJobHeldAdmin);
  EXPECT_TRUE(ctl_.Release({JobId(roots)}, root_, kT0)[0].error.empty());
  EXPECT_EQ(J(roots).reason, JobReason::kNone);
  EXPECT_FALSE(J(roots).spec.hold);
}

TEST_F(ControllerTest, NodeSelectionOptionsAreValidatedAndHonoured) {
  Register("n1");
  Register("n2");
  auto r = Req();
  r.nodelist = "n2";
  uint64_t on2 = Submit(r, alice_, kT0).id.value();
  r = Req();
  r.exclude = "n1";
  uint64_t not1 = Submit(r, alice_, kT0).id.value();
  r = Req();
  r.partition = "short,g2";
  r.cpus_per_task = 8;
  uint64_t multi = Submit(r, alice_, kT0).id.value();
  ctl_.Schedule(kT0);
  EXPECT_EQ(J(on2).alloc.at(0).node, "n2");
  EXPECT_EQ(J(not1).alloc.at(0).node, "n2");
  EXPECT_EQ(J(multi).state, JobState::kRunning);
  EXPECT_EQ(J(multi).spec.partition, "short");  // the partition it runs in

  r = Req();
  r.nodelist = "ghost";
  EXPECT_EQ(Submit(r, alice_, kT0).error, "Invalid node name specified");
  r = Req();
  r.constraint = "a&&b";
  EXPECT_EQ(Submit(r, alice_, kT0).error, "Invalid feature specification");
  r = Req();
  r.constraint = "nvlink";  // no node has it
  EXPECT_EQ(Submit(r, alice_, kT0).error,
            "Requested node configuration is not available");
  r = Req();
  r.partition = "g2,nosuch";
  EXPECT_EQ(Submit(r, alice_, kT0).error, "Invalid partition name specified");
}

TEST_F(ControllerTest, DerivedRequestsFromGpusAndPerUnitMemory) {
  auto r = Req();
  r.min_nodes = 2;
  r.gpus = 3;  // two per node, rounded up
  r.cpus_per_gpu = 3;
  r.mem_per_gpu_mb = 1000;
  uint64_t id = Submit(r, alice_, kT0).id.value();
  ASSERT_GT(id, 0u);
  EXPECT_EQ(J(id).spec.gpus_per_node, 2u);
  EXPECT_EQ(J(id).spec.CpusPerNode(), 6u);
  EXPECT_EQ(J(id).spec.mem_mb, 2000u);
  r = Req();
  r.ntasks = 2;
  r.gpus_per_task = 1;
  r.mem_per_cpu_mb = 1500;
  id = Submit(r, alice_, kT0).id.value();
  ASSERT_GT(id, 0u);
  EXPECT_EQ(J(id).spec.gpus_per_node, 2u);
  EXPECT_EQ(J(id).spec.mem_mb, 3000u);
  r = Req();
  r.mem_per_cpu_mb = 3000;
  r.cpus_per_task = 2;
  auto out = Submit(r, alice_, kT0);  // 6000 MB > 4000 MB nodes
  EXPECT_EQ(out.error, "Requested node configuration is not available");
  EXPECT_THAT(out.notes, ElementsAre("Memory specification can not be satisfied"));
}

TEST(KillInvalidDependTest, CancelsJobsThatCanNeverRun) {
  auto cfg = Config();
  cfg.scheduler_parameters = "kill_invalid_depend";
  auto store = MakeMemoryJobStore();
  testing::FakeNodeClient nodes;
  Controller ctl(cfg, store.get(), &nodes, 0);
  ASSERT_TRUE(ctl.Recover(kT0).ok());
  SubmitRequest r;
  r.script = "#!/bin/sh\n";
  r.hold = true;
  uint64_t a = ctl.Submit(r, {0, 0}, kT0).id.value();
  ctl.Cancel({JobId(a)}, 0, false, false, {0, 0}, kT0);
  r.hold = false;
  r.dependency = "afterok:" + std::to_string(a);
  uint64_t b = ctl.Submit(r, {0, 0}, kT0).id.value();
  EXPECT_TRUE(ctl.Sync().ok());  // submissions commit first
  ctl.Schedule(kT0);
  EXPECT_EQ(ctl.jobs().at(b).state, JobState::kCancelled);
  EXPECT_EQ(ctl.jobs().at(b).reason, JobReason::kDependencyNeverSatisfied);
}

}  // namespace
}  // namespace sluice::ctld

namespace sluice::ctld {
namespace {

common::SlurmConfig TwoPartitions() {
  common::SlurmConfig c;
  c.slurmd_timeout_s = 86400;
  for (const char* n : {"n1", "n2"}) {
    common::NodeConf nc;
    nc.name = n;
    nc.cpus = 8;
    nc.real_memory_mb = 4000;
    c.nodes.push_back(nc);
  }
  common::PartitionConf lo;
  lo.name = "lo";
  lo.nodes = {"n1", "n2"};
  lo.is_default = true;
  lo.max_time_min = 60;
  common::PartitionConf hi = lo;
  hi.name = "hi";
  hi.is_default = false;
  hi.priority_tier = 10;
  hi.oversubscribe = "EXCLUSIVE";
  hi.min_nodes = 1;
  hi.max_cpus_per_node = 4;
  c.partitions = {lo, hi};
  return c;
}

class PartitionRulesTest : public ::testing::Test {
 protected:
  void Start(common::SlurmConfig cfg) {
    ctl_ = std::make_unique<Controller>(cfg, store_.get(), &nodes_, 0);
    ASSERT_TRUE(ctl_->Recover(kT0).ok());
  }
  void Register(const std::string& n) {
    NodeReport r;
    r.node = n;
    r.registering = true;
    ASSERT_TRUE(ctl_->OnNodeReport(r, {0, 0}, kT0).ok());
  }
  SubmitRequest Req(const std::string& part, uint32_t cpus, int64_t minutes) {
    SubmitRequest r;
    r.script = "#!/bin/sh\n";
    r.partition = part;
    r.cpus_per_task = cpus;
    r.time_limit_set = true;
    r.time_limit_min = minutes;
    return r;
  }
  const Job& J(uint64_t id) { return ctl_->jobs().at(id); }
  std::unique_ptr<JobStore> store_ = MakeMemoryJobStore();
  testing::FakeNodeClient nodes_;
  std::unique_ptr<Controller> ctl_;
};

TEST_F(PartitionRulesTest, TierExclusivityAndLimitsShapeTheQueue) {
  Start(TwoPartitions());
  Register("n1");
  Register("n2");
  uint64_t low = ctl_->Submit(Req("lo", 8, 10), {1001, 1001}, kT0).id.value();
  uint64_t wide = ctl_->Submit(Req("hi", 6, 10), {1001, 1001}, kT0).id.value();
  uint64_t high = ctl_->Submit(Req("hi", 1, 10), {1001, 1001}, kT0).id.value();
  uint64_t high2 = ctl_->Submit(Req("hi", 1, 10), {1001, 1001}, kT0).id.value();
  EXPECT_TRUE(ctl_->Sync().ok());  // submissions commit first
  ctl_->Schedule(kT0);
  // The higher tier goes first, and each of its jobs takes a whole node.
  EXPECT_EQ(J(wide).reason, JobReason::kPartitionConfig);  // 6 > MaxCPUsPerNode
  EXPECT_EQ(J(high).state, JobState::kRunning);
  EXPECT_EQ(J(high).alloc[0].cpus, 8u);
  EXPECT_EQ(J(high2).state, JobState::kRunning);
  EXPECT_EQ(J(low).state, JobState::kPending);
}

TEST_F(PartitionRulesTest, InactiveAndDrainedPartitionsRefuseNewJobs) {
  auto cfg = TwoPartitions();
  cfg.partitions[1].state = "INACTIVE";
  Start(cfg);
  EXPECT_EQ(ctl_->Submit(Req("hi", 1, 10), {1001, 1001}, kT0).error,
            "Requested partition configuration not available now");
}

TEST_F(PartitionRulesTest, EnforcePartLimitsRefusesInsteadOfPending) {
  auto cfg = TwoPartitions();
  Start(cfg);
  uint64_t pend = ctl_->Submit(Req("lo", 1, 120), {1001, 1001}, kT0).id.value();
  EXPECT_TRUE(ctl_->Sync().ok());  // submissions commit first
  ctl_->Schedule(kT0);
  EXPECT_EQ(J(pend).reason, JobReason::kPartitionTimeLimit);
  cfg.enforce_part_limits = "ALL";
  Start(cfg);
  EXPECT_EQ(ctl_->Submit(Req("lo", 1, 120), {1001, 1001}, kT0).error,
            "Requested time limit is invalid (missing or exceeds some limit)");
}

TEST_F(PartitionRulesTest, RequiredNodeDownMeansReqNodeNotAvail) {
  Start(TwoPartitions());
  Register("n1");  // n2 never registers
  auto r = Req("lo", 1, 10);
  r.nodelist = "n2";
  uint64_t id = ctl_->Submit(r, {1001, 1001}, kT0).id.value();
  EXPECT_TRUE(ctl_->Sync().ok());  // submissions commit first
  ctl_->Schedule(kT0);
  EXPECT_EQ(J(id).reason, JobReason::kReqNodeNotAvail);
}

}  // namespace
}  // namespace sluice::ctld
