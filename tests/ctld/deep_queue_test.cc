// Over a deep queue on a full cluster, a submission does not ask for a
// scheduling pass that could start nothing (issue 14, point 2); anything
// that frees resources, or a free CPU, still does.
#include <gtest/gtest.h>

#include "ctld/core/controller.h"
#include "ctld/store/job_store.h"
#include "fake_node_client.h"
#include "test_config.h"

namespace sluice::ctld {
namespace {

constexpr int64_t kT0 = 1'800'000'000;

class DeepQueueTest : public ::testing::Test {
 protected:
  DeepQueueTest() : store_(MakeMemoryJobStore()), ctl_(Config(), store_.get(), &nodes_, 0) {
    EXPECT_TRUE(ctl_.Recover(kT0).ok());
    NodeReport r;
    r.node = "n1";
    r.registering = true;
    EXPECT_TRUE(ctl_.OnNodeReport(r, root_, kT0).ok());  // n2 never registers
  }
  // Every state change went through the index: the pass sees every live job.
  void TearDown() override { EXPECT_TRUE(ctl_.job_index().LiveMatches(ctl_.jobs())); }

  static common::SlurmConfig Config() {
    common::SlurmConfig c = testing::TwoNodeConfig();
    c.slurmd_timeout_s = 300;
    return c;
  }
  SubmitRequest Req(uint32_t ntasks = 1) {
    SubmitRequest r;
    r.name = "job";
    r.script = "#!/bin/sh\ntrue\n";
    r.work_dir = "/tmp";
    r.ntasks = ntasks;
    return r;
  }
  uint64_t Submit(const SubmitRequest& r) {
    auto out = ctl_.Submit(r, alice_, kT0);
    EXPECT_TRUE(ctl_.Sync().ok());
    return out.id.value();
  }
  std::unique_ptr<JobStore> store_;
  testing::FakeNodeClient nodes_;
  Controller ctl_;
  common::Identity root_{0, 0};
  common::Identity alice_{1001, 1001};
};

TEST_F(DeepQueueTest, SubmissionsThatCannotStartWaitForTheNextPass) {
  uint64_t big = Submit(Req(8));  // all of n1's CPUs
  ctl_.Schedule(kT0);
  ASSERT_EQ(ctl_.jobs().at(big).state, JobState::kRunning);
  while (ctl_.jobs().size() < Controller::kDeepQueueJobs) Submit(Req());
  ctl_.Schedule(kT0);
  EXPECT_FALSE(ctl_.schedule_needed());

  uint64_t late = Submit(Req());
  EXPECT_FALSE(ctl_.schedule_needed()) << "no CPU is free: a pass could start nothing";
  EXPECT_EQ(ctl_.jobs().at(late).reason, JobReason::kNone);  // as Slurm's before its scheduler looks

  // The job end frees n1: a pass is wanted, and it gives the late job a reason.
  NodeReport r;
  r.node = "n1";
  r.ended = {{JobId(big), 0, 0, false, ""}};
  ASSERT_TRUE(ctl_.OnNodeReport(r, root_, kT0 + 1).ok());
  EXPECT_TRUE(ctl_.schedule_needed());
  ctl_.Schedule(kT0 + 1);
  EXPECT_NE(ctl_.jobs().at(late).reason, JobReason::kNone);
}

TEST_F(DeepQueueTest, ASubmissionWithACpuFreeStillAsksForAPass) {
  while (ctl_.jobs().size() < Controller::kDeepQueueJobs) Submit(Req(9));  // never fits n1
  ctl_.Schedule(kT0);
  EXPECT_FALSE(ctl_.schedule_needed());
  Submit(Req());
  EXPECT_TRUE(ctl_.schedule_needed()) << "n1 has CPUs free";
}

TEST_F(DeepQueueTest, ASmallQueueAsksForAPassOnEverySubmission) {
  uint64_t big = Submit(Req(8));
  ctl_.Schedule(kT0);
  ASSERT_EQ(ctl_.jobs().at(big).state, JobState::kRunning);
  Submit(Req());
  EXPECT_TRUE(ctl_.schedule_needed());
}

}  // namespace
}  // namespace sluice::ctld
