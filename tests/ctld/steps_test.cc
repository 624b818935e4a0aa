// Steps and interactive allocations in the controller: task layout, CPU
// accounting between concurrent steps (--exact, --overlap), ownership, and
// the end of an srun/salloc allocation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctld/core/controller.h"
#include "ctld/store/job_store.h"
#include "fake_node_client.h"
#include "registered_controller.h"
#include "test_config.h"

namespace sluice::ctld {
namespace {

using ::testing::ElementsAre;

using testing::kT0;

class StepsTest : public testing::RegisteredControllerTest {
 protected:
  uint64_t Allocate(uint32_t nodes, bool interactive = true, uint32_t ntasks = 0) {
    SubmitRequest r;
    r.name = "alloc";
    r.interactive = interactive;
    r.script = interactive ? "" : "#!/bin/sh\ntrue\n";
    r.work_dir = "/tmp";
    r.min_nodes = nodes;
    r.ntasks = ntasks;
    auto out = ctl_.Submit(r, alice_, kT0);
    EXPECT_TRUE(out.error.empty()) << out.error;
    EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
    ctl_.Schedule(kT0);
    return out.id.value();
  }
  StepPlan Step(uint64_t job, uint32_t ntasks, bool exact = false, bool overlap = false,
                const common::Identity* who = nullptr) {
    StepRequest s;
    s.job = JobId(job);
    s.ntasks = ntasks;
    s.exact = exact;
    s.overlap = overlap;
    return ctl_.CreateStep(s, who ? *who : alice_, kT0);
  }
  const Job& J(uint64_t id) { return ctl_.jobs().at(id); }

};

TEST_F(StepsTest, AnInteractiveAllocationRunsWithoutABatchLaunch) {
  uint64_t id = Allocate(2);
  EXPECT_EQ(J(id).state, JobState::kRunning);
  EXPECT_TRUE(nodes_.launched.empty());
}

TEST_F(StepsTest, TasksAreLaidOutInBlocksOverTheAllocation) {
  uint64_t id = Allocate(2);
  StepPlan p = Step(id, 3, false, true);
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.step_id, 0u);
  ASSERT_EQ(p.nodes.size(), 2u);
  EXPECT_THAT(p.nodes[0].tasks, ElementsAre(0, 1));
  EXPECT_THAT(p.nodes[1].tasks, ElementsAre(2));
  EXPECT_EQ(p.node_list, "n[1-2]");
  EXPECT_EQ(Step(id, 1, false, true).step_id, 1u);
}

TEST_F(StepsTest, ConcurrentStepsShareCpusOnlyWithExactOrOverlap) {
  uint64_t id = Allocate(1, true, 2);  // two CPUs on one node
  ASSERT_EQ(Step(id, 1).error, "");  // takes all the job's CPUs on n1
  StepPlan busy = Step(id, 1);
  EXPECT_TRUE(busy.busy);
  EXPECT_EQ(busy.error, "Requested nodes are busy");
  EXPECT_EQ(Step(id, 1, false, true).error, "");  // --overlap
  ASSERT_TRUE(ctl_.CompleteJob(JobId(id), 0, 0, 0, alice_, kT0).ok());
  EXPECT_EQ(Step(id, 1, true).error, "");  // --exact: one CPU
  EXPECT_EQ(Step(id, 1, true).error, "");  // and the other
  EXPECT_TRUE(Step(id, 1, true).busy);     // none left
}

TEST_F(StepsTest, OnlyTheOwnerOrRootMayStartSteps) {
  uint64_t id = Allocate(1);
  EXPECT_EQ(Step(id, 1, false, true, &bob_).error, "Access/permission denied");
  EXPECT_EQ(Step(id, 1, false, true, &root_).error, "");
}

TEST_F(StepsTest, CompletingAnInteractiveAllocationEndsTheJob) {
  uint64_t ok = Allocate(1);
  uint64_t bad = Allocate(1);
  ASSERT_TRUE(ctl_.CompleteJob(JobId(ok), -1, 0, 0, alice_, kT0).ok());
  ASSERT_TRUE(ctl_.CompleteJob(JobId(bad), -1, 3, 0, alice_, kT0).ok());
  EXPECT_EQ(J(ok).state, JobState::kCompleted);
  EXPECT_EQ(J(bad).state, JobState::kFailed);
  EXPECT_EQ(J(bad).exit_code, 3);
  uint64_t batch = Allocate(1, false);
  EXPECT_FALSE(ctl_.CompleteJob(JobId(batch), -1, 0, 0, alice_, kT0).ok());
}

TEST_F(StepsTest, AnInteractiveJobPastItsLimitEndsAtOnceAndItsNodesAreTold) {
  SubmitRequest r;
  r.name = "alloc";
  r.interactive = true;
  r.work_dir = "/tmp";
  r.time_limit_set = true;
  r.time_limit_min = 1;
  uint64_t id = ctl_.Submit(r, alice_, kT0).id.value();
  EXPECT_TRUE(ctl_.Sync().ok());  // submissions commit first
  ctl_.Schedule(kT0);
  for (const char* n : {"n1", "n2"}) {  // keep the nodes alive
    NodeReport rep;
    rep.node = n;
    ASSERT_TRUE(ctl_.OnNodeReport(rep, root_, kT0 + 60).ok());
  }
  ctl_.Tick(kT0 + 60);
  EXPECT_EQ(J(id).state, JobState::kTimeout);
  ASSERT_EQ(nodes_.signalled.size(), 1u);
  EXPECT_EQ(nodes_.signalled[0].req.kind, SignalKind::kTimeout);
}

}  // namespace
}  // namespace sluice::ctld
