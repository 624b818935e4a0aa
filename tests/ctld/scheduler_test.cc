#include "ctld/sched/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

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

namespace sluice::sched {
namespace {

constexpr int64_t kNow = 1'800'000'000;

// Two 8-CPU nodes: n1 fully busy for an hour, n2 half busy for 10 minutes.
SchedulerInput BusyCluster() {
  SchedulerInput in;
  in.now = kNow;
  in.nodes = {Node("n1", 0, 0), Node("n2", 4, 0)};
  in.partitions = {SchedPartition{"g2", {0, 1}, -1, 0, true}};
  in.running = {{JobId(1), kNow + 3600, {{"n1", 8, 0, {}}}},
                {JobId(2), kNow + 600, {{"n2", 4, 0, {}}}}};
  return in;
}

SchedJob Timed(uint64_t id, uint64_t prio, uint32_t nodes, uint32_t cpus,
               int64_t minutes) {
  SchedJob j = Job(id, prio, cpus);
  j.nodes = nodes;
  j.time_limit_min = minutes;
  return j;
}

TEST(BackfillTest, ShortSmallJobBackfillsAheadOfABlockedLargeJob) {
  auto in = BusyCluster();
  in.pending = {Timed(10, 100, 2, 8, 60), Timed(11, 50, 1, 4, 10)};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].id, JobId(11));
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n2");
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].id, JobId(10));
  EXPECT_EQ(plan.reservations[0].start_time, kNow + 3600);
  EXPECT_THAT(plan.reservations[0].nodes, ElementsAre("n1", "n2"));
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(10), JobReason::kResources)));
}

TEST(BackfillTest, LongSmallJobDoesNotDelayTheReservation) {
  auto in = BusyCluster();
  in.pending = {Timed(10, 100, 2, 8, 60), Timed(11, 50, 1, 4, 120)};
  auto plan = Schedule(in);
  EXPECT_TRUE(plan.starts.empty());
  ASSERT_EQ(plan.reservations.size(), 2u);
  EXPECT_EQ(plan.reservations[0].start_time, kNow + 3600);
  // The small job goes after the large one ends (on n2's free half it
  // would overlap the reservation; at 600 s n2 is free but the large job
  // takes it at 3600 s, before 600 s + 2 h).
  EXPECT_EQ(plan.reservations[1].id, JobId(11));
  EXPECT_EQ(plan.reservations[1].start_time, kNow + 3600 + 3600);
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(10), JobReason::kResources),
                                        Pair(JobId(11), JobReason::kPriority)));
}

TEST(BackfillTest, EveryPendingJobGetsAnEstimateWhenResourcesFreeUp) {
  auto in = BusyCluster();
  for (uint64_t id = 20; id < 25; ++id) in.pending.push_back(Timed(id, 100 - id, 1, 8, 30));
  auto plan = Schedule(in);
  EXPECT_TRUE(plan.starts.empty());
  ASSERT_EQ(plan.reservations.size(), 5u);
  // n2 frees at +600, n1 at +3600; 30-minute jobs queue up behind them.
  EXPECT_EQ(plan.reservations[0].start_time, kNow + 600);
  EXPECT_THAT(plan.reservations[0].nodes, ElementsAre("n2"));
  EXPECT_EQ(plan.reservations[1].start_time, kNow + 600 + 1800);
  EXPECT_EQ(plan.reservations[2].start_time, kNow + 3600);
  EXPECT_THAT(plan.reservations[2].nodes, ElementsAre("n1"));
}

TEST(BackfillTest, ANodeGoingDownMovesReservations) {
  auto in = BusyCluster();
  in.pending = {Timed(10, 100, 1, 8, 60)};
  auto before = Schedule(in);
  ASSERT_EQ(before.reservations.size(), 1u);
  EXPECT_EQ(before.reservations[0].start_time, kNow + 600);
  EXPECT_THAT(before.reservations[0].nodes, ElementsAre("n2"));
  in.nodes[1].available = false;
  auto after = Schedule(in);
  ASSERT_EQ(after.reservations.size(), 1u);
  EXPECT_EQ(after.reservations[0].start_time, kNow + 3600);
  EXPECT_THAT(after.reservations[0].nodes, ElementsAre("n1"));
}

// BusyCluster with n2's job ending at +601 s and a job waiting for all of
// one node's CPUs.
SchedulerInput WaitingForAWholeNode() {
  auto in = BusyCluster();
  in.running[1].end_time = kNow + 601;
  in.pending = {Timed(10, 100, 1, 8, 60)};
  return in;
}

// An estimate is aligned down to bf_resolution, as Slurm's backfill aligns
// its node-space times (its backfill.c: end_time / resolution * resolution).
TEST(BackfillTest, ReservationsStayWithinTheWindowAndAlignToTheResolution) {
  auto in = WaitingForAWholeNode();
  SchedulerConfig c;
  c.bf_resolution_s = 60;
  auto plan = Schedule(in, c);
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].start_time, kNow + 600);
  c.bf_window_s = 300;  // nothing frees up within five minutes
  plan = Schedule(in, c);
  // Beyond the window: an estimate only (exact, naming no nodes), which
  // holds nothing back from a job behind it.
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_TRUE(plan.reservations[0].estimate_only);
  EXPECT_EQ(plan.reservations[0].start_time, kNow + 601);
  EXPECT_TRUE(plan.reservations[0].nodes.empty());
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(10), JobReason::kResources)));
  in.pending.push_back(Timed(11, 90, 1, 1, 100000));  // long: it would cross the estimate
  plan = Schedule(in, c);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].id, JobId(11));
  EXPECT_TRUE(plan.starts[0].backfill);  // started behind a waiting job
}

// Jobs of one shape share a heap of nodes: once one is booked, the next
// must not see a node twice (it did: a 2-node job was planned on "n1,n1",
// and one starting now could take the same node twice).
TEST(BackfillTest, JobsOfOneShapeNeverGetTheSameNodeTwice) {
  SchedulerInput in;
  in.now = kNow;
  in.nodes = {Node("n1", 16, 0), Node("n2", 16, 0)};
  in.partitions = {SchedPartition{"g2", {0, 1}, -1, 0, true}};
  in.pending = {Timed(1, 100, 2, 8, 10), Timed(2, 90, 2, 8, 10), Timed(3, 80, 2, 8, 10),
                Timed(4, 70, 2, 8, 10)};
  auto plan = Schedule(in);
  std::map<std::string, uint32_t> cpus;
  ASSERT_EQ(plan.starts.size(), 2u);
  for (const auto& st : plan.starts) {
    ASSERT_EQ(st.alloc.size(), 2u);
    EXPECT_NE(st.alloc[0].node, st.alloc[1].node) << "job " << st.id.value();
    for (const auto& a : st.alloc) cpus[a.node] += a.cpus;
  }
  EXPECT_EQ(cpus["n1"], 16u);
  EXPECT_EQ(cpus["n2"], 16u);
  ASSERT_EQ(plan.reservations.size(), 2u);
  for (const auto& r : plan.reservations) {
    ASSERT_EQ(r.nodes.size(), 2u);
    EXPECT_NE(r.nodes[0], r.nodes[1]) << "job " << r.id.value();
    // A reservation's job also has a reason (the controller relies on it).
    EXPECT_TRUE(std::any_of(plan.reasons.begin(), plan.reasons.end(),
                            [&](const auto& why) { return why.first == r.id; }));
  }
  // Jobs 3 and 4 fit side by side when 1 and 2 end.
  EXPECT_EQ(plan.reservations[0].start_time, kNow + 600);
  EXPECT_EQ(plan.reservations[1].start_time, kNow + 600);
}

// An estimate is aligned to a multiple of bf_resolution since the epoch,
// so a later pass that plans the same start gives the same time (rounding
// from `now` moved it with every pass, and readers got a new copy each);
// within the last step before it, it is the exact time.
TEST(BackfillTest, AnEstimateStaysPutFromPassToPass) {
  auto in = WaitingForAWholeNode();
  SchedulerConfig c;
  c.bf_resolution_s = 60;
  SchedulePlan plan;
  for (int64_t later : {0, 1, 30, 59, 61, 539}) {
    in.now = kNow + later;
    plan = Schedule(in, c);
    ASSERT_EQ(plan.reservations.size(), 1u);
    EXPECT_EQ(plan.reservations[0].start_time, kNow + 600) << "at +" << later;
  }
  in.now = kNow + 600;  // the last step: the exact end
  plan = Schedule(in, c);
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].start_time, kNow + 601);
}

TEST(BackfillTest, MaxJobTestLimitsTheWork) {
  auto in = BusyCluster();
  in.pending = {Timed(10, 100, 1, 8, 60), Timed(11, 90, 1, 1, 5)};
  SchedulerConfig c;
  c.bf_max_job_test = 1;
  auto plan = Schedule(in, c);
  EXPECT_TRUE(plan.starts.empty());
  EXPECT_EQ(plan.reservations.size(), 1u);
}

TEST(SchedulerParametersTest, ParsesBackfillKnobs) {
  auto c = ParseSchedulerParameters("bf_window=60,bf_resolution=30,bf_continue,"
                                    "bf_max_job_test=500,default_queue_depth=9");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bf_window_s, 3600);
  EXPECT_EQ(c->bf_resolution_s, 30);
  EXPECT_EQ(c->bf_max_job_test, 500u);
  EXPECT_FALSE(ParseSchedulerParameters("bf_window=soon").ok());
  EXPECT_FALSE(ParseSchedulerParameters("bf_resolution=-1").ok());
}

}  // namespace
}  // namespace sluice::sched

namespace sluice::sched {
namespace {

TEST(PlacementTest, MultiPartitionJobRunsWhereItCanStartFirst) {
  SchedulerInput in;
  in.now = 1000;
  in.nodes = {Node("a1", 0, 0), Node("b1", 8, 0)};
  in.partitions = {SchedPartition{"a", {0}, -1, 0, true},
                   SchedPartition{"b", {1}, -1, 0, true}};
  in.running = {{JobId(1), 1000 + 3600, {{"a1", 8, 0, {}}}}};
  SchedJob j = Job(2, 10, 4);
  j.time_limit_min = 10;
  j.partition = 0;
  j.more_partitions = {1};
  in.pending = {j};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].partition, 1);
  EXPECT_EQ(plan.starts[0].alloc[0].node, "b1");
}

TEST(PlacementTest, ExclusiveJobsTakeWholeNodesAndFiltersRestrictNodes) {
  auto in = TwoNodes();
  for (auto& n : in.nodes) {
    n.cpus_total = 8;
    n.mem_total_mb = 16000;
  }
  SchedJob ex = Job(1, 100, 1);
  ex.exclusive = true;
  SchedJob small = Job(2, 90, 1);
  small.allowed = {true, false};  // only n1
  small.filter_key = "n1";
  small.time_limit_min = 10;
  in.pending = {ex, small};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].id, JobId(1));
  EXPECT_EQ(plan.starts[0].alloc[0].cpus, 8u);
  EXPECT_THAT(plan.starts[0].alloc[0].gpus, ElementsAre(0u, 1u));
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n1");
  // The small job may only use n1, which the exclusive job holds forever.
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(2), JobReason::kResources)));
}

}  // namespace
}  // namespace sluice::sched

namespace sluice::sched {
namespace {

TEST(PlacementTest, ContiguousJobsTakeAnUnbrokenRunOfNodes) {
  SchedulerInput in;
  in.now = 1000;
  in.nodes = {Node("n1", 8, 0), Node("n2", 0, 0), Node("n3", 8, 0), Node("n4", 8, 0)};
  in.partitions = {SchedPartition{"p", {0, 1, 2, 3}, -1, 0, true}};
  SchedJob j = Job(1, 10, 8);
  j.nodes = 2;
  j.contiguous = true;
  in.pending = {j};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n3");
  EXPECT_EQ(plan.starts[0].alloc[1].node, "n4");
  in.pending[0].contiguous = false;
  plan = Schedule(in);
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n1");
}

}  // namespace
}  // namespace sluice::sched

namespace sluice::sched {
namespace {

TEST(PlacementTest, ExclusiveUserKeepsOtherUsersOffTheNode) {
  SchedulerInput in;
  in.now = 1000;
  in.nodes = {Node("n1", 8, 0), Node("n2", 8, 0)};
  SchedPartition eu{"eu", {0, 1}, -1, 0, true};
  eu.exclusive_user = true;
  in.partitions = {eu};
  auto job = [](uint64_t id, uint64_t prio, uint32_t uid) {
    SchedJob j = Job(id, prio, 1);
    j.uid = uid;
    return j;
  };
  in.pending = {job(1, 100, 1001), job(2, 90, 1001), job(3, 80, 1002), job(4, 70, 1003)};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 3u);
  // alice's two jobs share n1; bob gets n2 to himself; carol has no node.
  EXPECT_EQ(plan.starts[0].alloc[0].node, "n1");
  EXPECT_EQ(plan.starts[1].alloc[0].node, "n1");
  EXPECT_EQ(plan.starts[2].id, JobId(3));
  EXPECT_EQ(plan.starts[2].alloc[0].node, "n2");
}

}  // namespace
}  // namespace sluice::sched

namespace sluice::sched {
namespace {

// --time-min: a job whose full limit would delay a reservation starts now
// with the longest limit that does not, as Slurm's backfill does.
TEST(TimeMinTest, BackfillCutsTheLimitDownToTheHole) {
  SchedulerInput in;
  in.now = 1'800'000'000;
  SchedNode n1 = Node("n1", 4, 0), n2 = Node("n2", 4, 0);
  n1.cpus_total = n2.cpus_total = 8;
  in.nodes = {n1, n2};
  in.partitions = {SchedPartition{"g2", {0, 1}, -1, 0, true}};
  // Half of each node is busy for the next hour.
  in.running = {{JobId(9), in.now + 3600, {{"n1", 4, 0, {}}, {"n2", 4, 0, {}}}}};
  SchedJob big;
  big.id = JobId(1);
  big.priority = 100;
  big.nodes = 2;
  big.cpus_per_node = 8;
  big.time_limit_min = 60;  // reserved at now + 1 hour
  SchedJob flexible;
  flexible.id = JobId(2);
  flexible.priority = 50;
  flexible.cpus_per_node = 4;
  flexible.time_limit_min = 120;
  flexible.time_min_min = 30;
  SchedJob rigid = flexible;
  rigid.id = JobId(3);
  rigid.time_min_min = -1;
  in.pending = {big, flexible, rigid};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].id, JobId(2));
  EXPECT_EQ(plan.starts[0].time_limit_min, 60);  // ends as the reservation begins
  // Without --time-min it would have delayed job 1: it waits.
  ASSERT_EQ(plan.reservations.size(), 2u);
  EXPECT_EQ(plan.reservations[0].id, JobId(1));
  EXPECT_EQ(plan.reservations[0].start_time, in.now + 3600);
  // A minimum that does not fit the hole changes nothing.
  in.pending[1].time_min_min = 61;
  plan = Schedule(in);
  EXPECT_TRUE(plan.starts.empty());
}

}  // namespace
}  // namespace sluice::sched

namespace sluice::sched {
namespace {

// -N2 -n3: two CPUs on the first node picked, one on the second, as
// Slurm's block layout; the CPU left over stays free for another job.
TEST(SchedulerTest, UnevenTasksTakeFewerCpusOnTheLastNodes) {
  SchedulerInput in;
  in.nodes = {Node("n1", 2, 0), Node("n2", 2, 0)};
  in.partitions = {SchedPartition{"g2", {0, 1}, -1, 0, true}};
  SchedJob uneven = Job(1, 100, 2);
  uneven.nodes = 2;
  uneven.full_nodes = 1;
  uneven.cpus_rest = 1;
  in.pending = {uneven, Job(2, 90, 1)};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 2u);
  ASSERT_EQ(plan.starts[0].alloc.size(), 2u);
  EXPECT_EQ(plan.starts[0].alloc[0].cpus, 2u);
  EXPECT_EQ(plan.starts[0].alloc[1].cpus, 1u);
  EXPECT_EQ(plan.starts[1].alloc[0].node, plan.starts[0].alloc[1].node);
}

}  // namespace
}  // namespace sluice::sched
