// The controller's handling of node health: requeue vs NODE_FAIL,
// ReturnToService, job ends the node daemon reports (OOM, Prolog failure,
// unkillable processes), fatal GPU conditions, HealthCheckProgram results,
// --signal before the time limit and scancel --signal scopes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctld/core/controller.h"
#include "ctld/store/job_store.h"
#include "fake_node_client.h"
#include "test_config.h"

namespace sluice::ctld {
namespace {

constexpr int64_t kT0 = 1'800'000'000;

common::SlurmConfig Config(uint32_t return_to_service = 1) {
  common::SlurmConfig c = testing::TwoNodeConfig();
  c.slurmd_timeout_s = 10;
  c.return_to_service = return_to_service;
  return c;
}

class NodeHealthTest : public ::testing::Test {
 protected:
  explicit NodeHealthTest(uint32_t rts = 1)
      : store_(MakeMemoryJobStore()), ctl_(Config(rts), store_.get(), &nodes_, 0) {
    EXPECT_TRUE(ctl_.Recover(kT0).ok());
  }
  // Every state change went through the index: the pass sees every live job.
  void TearDown() override { EXPECT_TRUE(ctl_.job_index().LiveMatches(ctl_.jobs())); }

  NodeReport Report(const std::string& node, bool registering = false) {
    NodeReport r;
    r.node = node;
    r.registering = registering;
    return r;
  }
  void Send(const NodeReport& r, int64_t now = kT0) {
    ASSERT_TRUE(ctl_.OnNodeReport(r, root_, now).ok());
  }
  void SubmitWithSignal(uint32_t limit_min, int sig, uint32_t secs, bool batch) {
    SubmitRequest req;
    req.name = "sig";
    req.script = "#!/bin/sh\ntrue\n";
    req.work_dir = "/tmp";
    req.time_limit_set = true;
    req.time_limit_min = limit_min;
    req.signal_num = sig;
    req.signal_secs = secs;
    req.signal_batch = batch;
    ctl_.Submit(req, alice_, kT0);
    EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
    ctl_.Schedule(kT0);
  }
  uint64_t Submit(int32_t requeue = -1, uint32_t gpus = 0) {
    SubmitRequest r;
    r.name = "job";
    r.script = "#!/bin/sh\ntrue\n";
    r.work_dir = "/tmp";
    r.requeue = requeue;
    if (gpus) r.gpus_per_node = std::to_string(gpus);
    auto out = ctl_.Submit(r, alice_, kT0);
    EXPECT_TRUE(out.error.empty()) << out.error;
    return out.id.value();
  }
  void End(uint64_t id, const std::string& node, JobEnd e, int64_t now = kT0 + 5) {
    e.id = JobId(id);
    auto r = Report(node);
    r.running = {};
    r.ended = {e};
    Send(r, now);
  }
  const Job& J(uint64_t id) { return ctl_.jobs().at(id); }
  const NodeRecord& N(const std::string& n) {
    for (const auto& r : ctl_.nodes())
      if (r.conf.name == n) return r;
    ADD_FAILURE() << n;
    return ctl_.nodes()[0];
  }

  std::unique_ptr<JobStore> store_;
  testing::FakeNodeClient nodes_;
  Controller ctl_;
  common::Identity root_{0, 0};
  common::Identity alice_{1001, 1001};
};

TEST_F(NodeHealthTest, JobsOnASilentNodeAreRequeuedByDefaultAndFailWithNoRequeue) {
  Send(Report("n1", true));
  uint64_t a = Submit();
  uint64_t b = Submit(0);
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0);
  ASSERT_EQ(J(a).state, JobState::kRunning);
  ASSERT_EQ(J(b).state, JobState::kRunning);
  ctl_.Tick(kT0 + 11);
  EXPECT_EQ(N("n1").reason, "Not responding");
  EXPECT_EQ(J(a).state, JobState::kPending);
  EXPECT_EQ(J(a).restart_count, 1u);
  EXPECT_EQ(J(b).state, JobState::kNodeFail);
  // The requeued job runs again once a node is there.
  Send(Report("n2", true), kT0 + 12);
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0 + 12);
  EXPECT_EQ(J(a).state, JobState::kRunning);
  EXPECT_EQ(J(a).BatchHost(), "n2");
}

TEST_F(NodeHealthTest, AReturningNodeIsToldToKillJobsThatMovedOn) {
  Send(Report("n1", true));
  uint64_t a = Submit();
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0);
  ctl_.Tick(kT0 + 11);  // n1 silent: a requeued
  auto r = Report("n1");
  r.running = {JobId(a)};
  auto out = ctl_.OnNodeReport(r, root_, kT0 + 12);
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(out->kill, ::testing::ElementsAre(JobId(a)));
  EXPECT_EQ(N("n1").BaseState(), common::NodeBaseState::kIdle);  // RTS=1
}

// Liveness apart from telemetry (issue 14 point 6): an open NodeSession
// keeps a node responding though it reports rarely; once the session
// closes, the node has half a SlurmdTimeout left to report.
TEST_F(NodeHealthTest, AnOpenSessionKeepsAQuietNodeRespondingUntilItCloses) {
  Send(Report("n1", true));
  ASSERT_TRUE(ctl_.OnNodeSession({"n1", "nosuch"}, true, root_, kT0).ok());
  ctl_.Tick(kT0 + 100);  // no report for ten SlurmdTimeouts
  EXPECT_TRUE(N("n1").responding);
  EXPECT_EQ(N("n1").BaseState(), common::NodeBaseState::kIdle);
  ASSERT_TRUE(ctl_.OnNodeSession({"n1"}, false, root_, kT0 + 200).ok());
  ctl_.Tick(kT0 + 204);  // 5 s before the close counts as the last word
  EXPECT_TRUE(N("n1").responding);
  ctl_.Tick(kT0 + 206);
  EXPECT_FALSE(N("n1").responding);
  EXPECT_EQ(N("n1").reason, "Not responding");
}

TEST_F(NodeHealthTest, AReportAfterTheSessionClosedStillCounts) {
  Send(Report("n1", true));
  ASSERT_TRUE(ctl_.OnNodeSession({"n1"}, true, root_, kT0).ok());
  ASSERT_TRUE(ctl_.OnNodeSession({"n1"}, false, root_, kT0 + 50).ok());
  Send(Report("n1"), kT0 + 52);  // the daemon reports when its session goes
  ctl_.Tick(kT0 + 61);
  EXPECT_TRUE(N("n1").responding);
  ctl_.Tick(kT0 + 63);
  EXPECT_FALSE(N("n1").responding);
}

TEST_F(NodeHealthTest, OnlyRootOpensASession) {
  EXPECT_EQ(ctl_.OnNodeSession({"n1"}, true, alice_, kT0).code(),
            absl::StatusCode::kPermissionDenied);
  Send(Report("n1", true));
  ctl_.Tick(kT0 + 11);
  EXPECT_FALSE(N("n1").responding);
}

class ReturnToServiceZeroTest : public NodeHealthTest {
 protected:
  ReturnToServiceZeroTest() : NodeHealthTest(0) {}
};

TEST_F(ReturnToServiceZeroTest, ANodeThatWasNotRespondingStaysDown) {
  Send(Report("n1", true));
  ctl_.Tick(kT0 + 11);
  Send(Report("n1", true), kT0 + 12);
  EXPECT_EQ(N("n1").BaseState(), common::NodeBaseState::kDown);
  EXPECT_EQ(N("n1").reason, "Not responding");
}

TEST_F(NodeHealthTest, ReturnToServiceOneKeepsAnAdminDownNodeDown) {
  Send(Report("n1", true));
  ASSERT_TRUE(ctl_.UpdateNodes("n1", "DOWN", "bad fan", root_, kT0).ok());
  Send(Report("n1", true), kT0 + 1);
  EXPECT_EQ(N("n1").BaseState(), common::NodeBaseState::kDown);
}

TEST_F(NodeHealthTest, OomEndsTheJobOutOfMemoryWithExitCode0Colon125) {
  Send(Report("n1", true));
  uint64_t a = Submit();
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0);
  JobEnd e;
  e.exit_code = 0;
  e.signal = 9;
  e.out_of_memory = true;
  End(a, "n1", e);
  EXPECT_EQ(J(a).state, JobState::kOutOfMemory);
  EXPECT_EQ(J(a).reason, JobReason::kOutOfMemory);
  EXPECT_EQ(J(a).exit_code, 0);
  EXPECT_EQ(J(a).exit_signal, 125);
}

TEST_F(NodeHealthTest, FailingPrologDrainsTheNodeAndRequeuesTheJobHeld) {
  Send(Report("n1", true));
  uint64_t a = Submit();
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0);
  JobEnd e;
  e.exit_code = 1;
  e.prolog_failed = true;
  End(a, "n1", e);
  EXPECT_TRUE(N("n1").drain);
  EXPECT_EQ(N("n1").reason, "Prolog error");
  EXPECT_EQ(J(a).state, JobState::kPending);
  EXPECT_EQ(J(a).reason, JobReason::kLaunchFailRequeueHeld);
  EXPECT_EQ(J(a).restart_count, 1u);
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0 + 6);
  EXPECT_EQ(J(a).state, JobState::kPending);  // held, not restarted
  EXPECT_EQ(J(a).reason, JobReason::kLaunchFailRequeueHeld);  // a pass keeps saying why
}

TEST_F(NodeHealthTest, UnkillableProcessesAndEpilogFailureDrainTheNode) {
  Send(Report("n1", true));
  Send(Report("n2", true));
  uint64_t a = Submit();
  uint64_t b = Submit();
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0);
  JobEnd e;
  e.unkillable = true;
  End(a, J(a).BatchHost(), e);
  EXPECT_EQ(N(J(a).BatchHost()).reason, "Kill task failed");
  EXPECT_EQ(J(a).state, JobState::kCompleted);
  JobEnd f;
  f.epilog_failed = true;
  End(b, J(b).BatchHost(), f);
  EXPECT_EQ(N(J(b).BatchHost()).reason,
            J(a).BatchHost() == J(b).BatchHost() ? "Kill task failed" : "Epilog error");
}

TEST_F(NodeHealthTest, AFatalGpuDrainsItsNodeAndTheNextGpuJobLandsElsewhere) {
  Send(Report("n1", true));
  Send(Report("n2", true));
  auto r = Report("n1");
  common::GpuStatus g;
  g.index = 1;
  g.uuid = "GPU-x";
  g.last_xid = 79;
  g.health = "XID 79 (fallen off the bus)";
  r.gpus = {g};
  Send(r, kT0 + 1);
  EXPECT_TRUE(N("n1").drain);
  EXPECT_EQ(N("n1").reason, "GPU 1 (GPU-x): XID 79 (fallen off the bus)");
  uint64_t a = Submit(-1, 1);
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0 + 2);
  EXPECT_EQ(J(a).BatchHost(), "n2");
}

TEST_F(NodeHealthTest, HealthCheckFailureDrainsAndItsRecoveryUndrains) {
  Send(Report("n1", true));
  auto r = Report("n1");
  r.health_failure = "NHC: disk /scratch full";
  Send(r, kT0 + 1);
  EXPECT_TRUE(N("n1").drain);
  EXPECT_EQ(N("n1").reason, "NHC: disk /scratch full");
  r.health_failure = "";
  Send(r, kT0 + 2);
  EXPECT_FALSE(N("n1").drain);
  // A drain an administrator set is not undone by a passing health check.
  ASSERT_TRUE(ctl_.UpdateNodes("n1", "DRAIN", "maintenance", root_, kT0 + 3).ok());
  Send(r, kT0 + 4);
  EXPECT_TRUE(N("n1").drain);
}

TEST_F(NodeHealthTest, SignalOptionFiresOnceBeforeTheTimeLimit) {
  Send(Report("n1", true));
  SubmitWithSignal(2, 10, 30, true);
  auto tick = [&](int64_t t) {
    Send(Report("n1"), t);  // the node keeps answering
    ctl_.Tick(t);
  };
  tick(kT0 + 89);
  EXPECT_TRUE(nodes_.signalled.empty());
  tick(kT0 + 90);
  tick(kT0 + 91);
  ASSERT_EQ(nodes_.signalled.size(), 1u);
  EXPECT_EQ(nodes_.signalled[0].req.signal, 10);
  EXPECT_TRUE(nodes_.signalled[0].req.batch_only);
}

TEST_F(NodeHealthTest, SignalOptionWithoutBatchReachesOnlyStepsSoNothingHere) {
  Send(Report("n1", true));
  SubmitWithSignal(1, 10, 50, false);
  Send(Report("n1"), kT0 + 20);
  ctl_.Tick(kT0 + 20);
  EXPECT_TRUE(nodes_.signalled.empty());
}

TEST_F(NodeHealthTest, ScancelSignalScopesFollowSlurm) {
  Send(Report("n1", true));
  uint64_t a = Submit();
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0);
  ctl_.Cancel({JobId(a)}, 10, false, false, alice_, kT0);
  ctl_.Cancel({JobId(a)}, 10, true, false, alice_, kT0);
  ctl_.Cancel({JobId(a)}, 10, false, true, alice_, kT0);
  // Plain -s reaches only job steps: a batch job without steps gets none.
  ASSERT_EQ(nodes_.signalled.size(), 2u);
  EXPECT_FALSE(nodes_.signalled[0].req.batch_only);  // --full: everything
  EXPECT_TRUE(nodes_.signalled[1].req.batch_only);   // --batch: the shell
}

}  // namespace
}  // namespace sluice::ctld
