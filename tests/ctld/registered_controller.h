// A test fixture: a Controller over the two-node test cluster (n1, n2) with
// a memory store, both nodes registered at kT0 and no heartbeats expected
// (SlurmdTimeout 300 s), and the identities tests act as.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "ctld/core/controller.h"
#include "ctld/store/job_store.h"
#include "fake_node_client.h"
#include "test_config.h"

namespace sluice::ctld::testing {

inline constexpr int64_t kT0 = 1'800'000'000;

inline common::SlurmConfig QuietTwoNodeConfig() {
  common::SlurmConfig c = TwoNodeConfig();
  c.slurmd_timeout_s = 300;  // these tests send no heartbeats
  return c;
}

class RegisteredControllerTest : public ::testing::Test {
 protected:
  RegisteredControllerTest()
      : store_(MakeMemoryJobStore()), ctl_(QuietTwoNodeConfig(), store_.get(), &nodes_, 0) {
    EXPECT_TRUE(ctl_.Recover(kT0).ok());
    for (const char* n : {"n1", "n2"}) {
      NodeReport r;
      r.node = n;
      r.registering = true;
      EXPECT_TRUE(ctl_.OnNodeReport(r, root_, kT0).ok());
    }
  }

  // Every state change went through the index: the pass sees every live job.
  void TearDown() override { EXPECT_TRUE(ctl_.job_index().LiveMatches(ctl_.jobs())); }

  std::unique_ptr<JobStore> store_;
  FakeNodeClient nodes_;
  Controller ctl_;
  common::Identity root_{0, 0};
  common::Identity alice_{1001, 1001};
  common::Identity bob_{1002, 1002};
};

}  // namespace sluice::ctld::testing
