// The scheduler's accounting limits and preemption (issue 13 point 4):
// a shared limit holds back the jobs that would pass it, counting the
// starts of the same pass; a held-back job reserves nothing and is
// estimated from the running jobs' ends; a job whose QOS may preempt
// picks the fewest lowest-priority victims that make room.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctld/sched/preempt.h"
#include "ctld/sched/scheduler.h"

namespace sluice::sched {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

SchedNode Node(const std::string& name, uint32_t cpus) {
  SchedNode n;
  n.name = name;
  n.cpus_free = n.cpus_total = cpus;
  n.mem_free_mb = n.mem_total_mb = 16000;
  return n;
}

SchedJob Job(uint64_t id, uint64_t prio, uint32_t cpus) {
  SchedJob j;
  j.id = JobId(id);
  j.priority = prio;
  j.cpus_per_node = cpus;
  j.tres = {cpus, 0, 1, 0};
  j.time_limit_min = 10;
  return j;
}

SchedulerInput TwoNodes() {
  SchedulerInput in;
  in.now = 1000;
  in.nodes = {Node("n1", 8), Node("n2", 8)};
  in.partitions = {SchedPartition{"g2", {0, 1}, -1, 0, true}};
  return in;
}

TEST(SchedulerLimitsTest, AJobsCapCountsStartsOfTheSamePass) {
  auto in = TwoNodes();
  SchedLimit maxjobs;
  maxjobs.cap_jobs = 1;
  maxjobs.jobs_reason = JobReason::kAssocMaxJobsLimit;
  in.limits = {maxjobs};
  auto a = Job(1, 100, 1), b = Job(2, 90, 1), other = Job(3, 80, 1);
  a.limits = b.limits = {0};
  in.pending = {a, b, other};
  auto plan = Schedule(in);
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_EQ(plan.starts[0].id, JobId(1));
  EXPECT_EQ(plan.starts[1].id, JobId(3));  // the held-back job reserves nothing
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(2), JobReason::kAssocMaxJobsLimit)));
}

TEST(SchedulerLimitsTest, TresCapsNameTheirReasonAndTheEstimateIsWhenRunningJobsEnd) {
  auto in = TwoNodes();
  SchedLimit grp;
  grp.cap = {-1, -1, -1, 2};  // gres/gpu=2
  grp.reasons = {JobReason::kAssocGrpCpuLimit, JobReason::kAssocGrpMemLimit,
                 JobReason::kAssocGrpNodeLimit, JobReason::kAssocGrpGRES};
  grp.used = {1, 0, 1, 1};
  grp.used_jobs = 1;
  in.limits = {grp};
  SchedRunning r;
  r.id = JobId(9);
  r.end_time = 1600;
  r.alloc = {{"n1", 1, 0, {}}};
  r.limits = {0};
  r.tres = {1, 0, 1, 1};
  in.running = {r};
  in.nodes[0].cpus_free = 7;
  auto two_gpus = Job(1, 100, 1);
  two_gpus.tres = {1, 0, 1, 2};
  two_gpus.limits = {0};
  in.pending = {two_gpus};
  auto plan = Schedule(in);
  EXPECT_TRUE(plan.starts.empty());
  EXPECT_THAT(plan.reasons, ElementsAre(Pair(JobId(1), JobReason::kAssocGrpGRES)));
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].start_time, 1600);
  EXPECT_TRUE(plan.reservations[0].estimate_only);
}

TEST(SchedulerLimitsTest, APreemptorTakesTheFewestLowestPriorityVictims) {
  auto in = TwoNodes();
  in.nodes[0].cpus_free = in.nodes[1].cpus_free = 0;
  auto running = [](uint64_t id, const char* node, uint32_t cpus, uint64_t prio, int qos) {
    SchedRunning r;
    r.id = JobId(id);
    r.end_time = 99999;
    r.alloc = {{node, cpus, 0, {}}};
    r.priority = prio;
    r.qos = qos;
    return r;
  };
  // n1: one 8-CPU job of QOS 0 (priority 5); n2: two 4-CPU jobs of QOS 0
  // (priorities 1 and 2) -- but the job needs 4 CPUs: one small victim.
  in.running = {running(10, "n1", 8, 5, 0), running(11, "n2", 4, 1, 0),
                running(12, "n2", 4, 2, 0)};
  auto high = Job(1, 100, 4);
  high.preempts = {0};
  auto none = Job(2, 90, 4);  // may not preempt: just waits
  in.pending = {high, none};
  auto plan = Schedule(in);
  EXPECT_TRUE(plan.starts.empty());
  EXPECT_THAT(plan.preemptions, ElementsAre(Pair(JobId(11), JobId(1))));
  // A QOS it may not preempt gives no victims.
  in.running = {running(10, "n1", 8, 5, 1), running(11, "n2", 8, 1, 1)};
  plan = Schedule(in);
  EXPECT_TRUE(plan.preemptions.empty());
}

TEST(PickVictimsTest, NothingWhenEvenAllVictimsDoNotMakeRoom) {
  SchedPartition p{"g2", {0}, -1, 0, true};
  std::vector<SchedNode> nodes = {Node("n1", 8)};
  nodes[0].cpus_free = 0;
  SchedRunning r;
  r.alloc = {{"n1", 2, 0, {}}};
  auto big = Job(1, 1, 8);
  EXPECT_TRUE(PickVictims(big, p, nodes, {&r}).empty());
  auto small = Job(2, 1, 2);
  EXPECT_THAT(PickVictims(small, p, nodes, {&r}), ElementsAre(0u));
}

}  // namespace
}  // namespace sluice::sched
