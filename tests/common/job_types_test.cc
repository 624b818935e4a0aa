#include "common/job_types.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

TEST(JobTypesTest, NamesMatchSlurm) {
  EXPECT_EQ(JobStateName(JobState::kPending), "PENDING");
  EXPECT_EQ(JobStateCompact(JobState::kCompleting), "CG");
  EXPECT_EQ(JobStateCompact(JobState::kTimeout), "TO");
  EXPECT_EQ(JobReasonName(JobReason::kPartitionTimeLimit), "PartitionTimeLimit");
  EXPECT_EQ(JobReasonName(JobReason::kJobHeldUser), "JobHeldUser");
  EXPECT_EQ(*ParseJobState("pd"), JobState::kPending);
  EXPECT_EQ(*ParseJobState("Running"), JobState::kRunning);
  EXPECT_FALSE(ParseJobState("XX").has_value());
  EXPECT_FALSE(JobReasonFromInt(9999).has_value());
  EXPECT_EQ(NodeStateShort(NodeBaseState::kIdle, true, true), "drain");
  EXPECT_EQ(NodeStateShort(NodeBaseState::kMixed, false, true), "mix");
  EXPECT_EQ(NodeStateShort(NodeBaseState::kIdle, false, false), "idle*");
}

}  // namespace
}  // namespace sluice::common
