#include "ctld/sched/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::sched {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

SchedNode Node(const std::string& name, uint32_t cpus, uint32_t gpus,
               std::string type = "") {
  SchedNode n;
  n.name = name;
  n.cpus_free = cpus;
  n.mem_free_mb = 16000;
  n.gpu_type = std::move(type);
  n.gpu_free.assign(gpus, true);
  return n;
}

SchedJob Job(uint64_t id, uint64_t prio, uint32_t cpus = 1, uint32_t gpus = 0) {
  SchedJob j;
  j.id = JobId(id);
  j.priority = prio;
  j.cpus_per_node = cpus;
  j.gpus_per_node = gpus;
  return j;
}

SchedulerInput TwoNodes() {
  SchedulerInput in;
  in.nodes = {Node("n1", 8, 2), Node("n2", 8, 2)};
  in.partitions = {SchedPartition{"g2", {0, 1}, -1, 0, true}};
  return in;
}

TEST(SchedulerTest, StartsWhatFitsFirstFitInConfigOrder) {
  auto in = TwoNodes();
  in.pending = {Job(1, 100, 8), Job(2, 90, 4)};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n1");
  EXPECT_EQ(plan.starts[1].alloc[0].node, "n2");
  EXPECT_TRUE(plan.reasons.empty());
}

TEST(SchedulerTest, GpuJobsGetDisjointDevices) {
  auto in = TwoNodes();
  in.nodes.pop_back();
  in.partitions[0].nodes = {0};
  in.pending = {Job(1, 100, 1, 1), Job(2, 90, 1, 1), Job(3, 80, 1, 1)};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_THAT(plan.starts[0].alloc[0].gpus, ElementsAre(0u));
  EXPECT_THAT(plan.starts[1].alloc[0].gpus, ElementsAre(1u));
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(3), JobReason::kResources)));
}

TEST(SchedulerTest, HigherPriorityGoesFirstAndLaterBlockedJobsWaitForPriority) {
  auto in = TwoNodes();
  in.pending = {Job(3, 10, 8), Job(1, 30, 8), Job(2, 20, 8), Job(4, 5, 8)};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_EQ(plan.starts[0].id, JobId(1));
  EXPECT_EQ(plan.starts[1].id, JobId(2));
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(3), JobReason::kResources),
                                        Pair(JobId(4), JobReason::kPriority)));
}

TEST(SchedulerTest, HeldAndImpossibleJobsGetTheirReasonsAndTakeNothing) {
  auto in = TwoNodes();
  in.partitions.push_back(SchedPartition{"short", {0}, 30, 0, true});
  auto held = Job(1, 0, 8);
  held.held = true;
  auto toolong = Job(2, 50, 1);
  toolong.partition = 1;
  toolong.time_limit_min = 120;
  auto toomany = Job(3, 40, 1);
  toomany.nodes = 5;
  in.pending = {held, toolong, toomany, Job(4, 30, 8)};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].id, JobId(4));
  EXPECT_THAT(plan.reasons,
              ElementsAre(Pair(JobId(2), JobReason::kPartitionTimeLimit),
                          Pair(JobId(3), JobReason::kPartitionConfig),
                          Pair(JobId(1), JobReason::kJobHeldUser)));
}

TEST(SchedulerTest, UnavailableNodesAndWrongGpuTypesAreSkipped) {
  auto in = TwoNodes();
  in.nodes[0].available = false;
  in.nodes[1].gpu_type = "h100";
  auto a100 = Job(1, 100, 1, 1);
  a100.gpu_type = "a100";
  auto h100 = Job(2, 90, 1, 1);
  h100.gpu_type = "h100";
  in.pending = {a100, h100};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].id, JobId(2));
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n2");
}

TEST(SchedulerTest, MultiNodeJobTakesDistinctNodes) {
  auto in = TwoNodes();
  auto j = Job(1, 100, 2, 1);
  j.nodes = 2;
  in.pending = {j};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  ASSERT_EQ(plan.starts[0].alloc.size(), 2u);
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n1");
  EXPECT_EQ(plan.starts[0].alloc[1].node, "n2");
}

TEST(SchedulerTest, PartitionDownHoldsEverything) {
  auto in = TwoNodes();
  in.partitions[0].up = false;
  in.pending = {Job(1, 100)};
  auto plan = Schedule(in);
  EXPECT_TRUE(plan.starts.empty());
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(1), JobReason::kPartitionDown)));
}

}  // namespace
}  // namespace sluice::sched
