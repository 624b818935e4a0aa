#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ctld/sched/scheduler.h"
#include "ctld/sched/timeline.h"
#include "sim/simulator.h"
#include "sim/swf.h"

namespace sluice::sim {
namespace {

using ::testing::HasSubstr;

TEST(SwfTest, ParsesJobsAndSkipsHeaderLines) {
  auto jobs = ParseSwf(
      "; Version: 2.2\n;\n1 0 5 100 4 -1 -1 -1 -1 -1 1\n"
      "2 10 -1 50 -1 -1 -1 8 600 -1 1\n3 20 -1 -1 2 -1 -1 2 60 -1 0\n");
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 2u);  // job 3 never ran (run time -1)
  EXPECT_EQ((*jobs)[0].procs, 4);        // allocated when none requested
  EXPECT_EQ((*jobs)[0].req_time_s, 100);  // run time when none requested
  EXPECT_EQ((*jobs)[1].procs, 8);
  EXPECT_EQ((*jobs)[1].req_time_s, 600);
}

TEST(SwfTest, RejectsMalformedLinesWithTheirNumber) {
  auto bad = ParseSwf("1 0 5 100\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("line 1"));
  EXPECT_FALSE(ParseSwf(";x\n1 0 5 x 4 -1 -1 4 5\n").ok());
  EXPECT_FALSE(ParseSwf("0 0 5 1 4 -1 -1 4 5\n").ok());
  EXPECT_FALSE(ParseSwf("1 0 5 1 0 -1 -1 0 5\n").ok());
}

std::vector<SwfJob> Trace() {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/bench/traces/synthetic-60.swf");
  std::stringstream ss;
  ss << in.rdbuf();
  auto jobs = ParseSwf(ss.str());
  EXPECT_TRUE(jobs.ok());
  return jobs.ok() ? *jobs : std::vector<SwfJob>{};
}

TEST(SimulatorTest, BackfillBeatsFifoOnTheShippedTrace) {
  auto jobs = Trace();
  ASSERT_EQ(jobs.size(), 60u);
  ClusterShape shape{4, 8, 0};
  SimResult fifo = Simulate(jobs, shape, Policy::kFifo);
  SimResult bf = Simulate(jobs, shape, Policy::kBackfill);
  EXPECT_EQ(fifo.jobs, 60u);
  EXPECT_EQ(fifo.never_ran, 0u);
  EXPECT_EQ(bf.never_ran, 0u);
  EXPECT_LT(bf.mean_wait_s, fifo.mean_wait_s);
  EXPECT_LT(bf.mean_bounded_slowdown, fifo.mean_bounded_slowdown);
  EXPECT_LE(bf.makespan_s, fifo.makespan_s);
  EXPECT_GT(bf.utilization, 0.5);
  EXPECT_LE(bf.utilization, 1.0);
  // Deterministic: the same trace gives the same answer.
  EXPECT_EQ(Simulate(jobs, shape, Policy::kBackfill).ToJson(), bf.ToJson());
  EXPECT_THAT(bf.ToJson(), HasSubstr("\"mean_bounded_slowdown\": "));
}

TEST(SimulatorTest, MetricsOnAHandComputedWorkload) {
  // One node, one CPU: A runs 0-100, B (submitted at 0) waits 100 s.
  std::vector<SwfJob> jobs = {{1, 0, 100, 1, 100}, {2, 0, 5, 1, 5}};
  SimResult r = Simulate(jobs, ClusterShape{1, 1, 0}, Policy::kFifo);
  EXPECT_EQ(r.makespan_s, 105);
  EXPECT_DOUBLE_EQ(r.mean_wait_s, 50.0);
  // A: (0+100)/100 = 1; B: (100+5)/max(5,10) = 10.5 -> mean 5.75
  EXPECT_DOUBLE_EQ(r.mean_bounded_slowdown, 5.75);
  EXPECT_NEAR(r.utilization, 105.0 / 105.0, 1e-9);
}

TEST(SimulatorTest, JobsLargerThanTheClusterNeverRun) {
  std::vector<SwfJob> jobs = {{1, 0, 10, 64, 10}, {2, 0, 10, 1, 10}};
  SimResult r = Simulate(jobs, ClusterShape{2, 8, 0}, Policy::kBackfill);
  EXPECT_EQ(r.never_ran, 1u);
}

TEST(SyntheticSnapshotTest, EveryJobGetsAStartOrAnEstimate) {
  auto in = SyntheticSnapshot(2000, 200, 8, 1);
  auto plan = sched::Schedule(in);
  EXPECT_EQ(plan.starts.size() + plan.reservations.size(), 2000u);
}

TEST(NodeTimelineTest, EarliestFitWalksAroundBookings) {
  using sched::Amount;
  sched::NodeTimeline t(0, Amount{8, 0, 4});
  t.Book(0, 100, Amount{8, 0, 4});   // full until 100
  t.Book(200, 50, Amount{4, 0, 2});  // half full 200-250
  EXPECT_EQ(t.EarliestFit(0, 50, Amount{8, 0, 4}), 100);
  EXPECT_EQ(t.EarliestFit(0, 150, Amount{8, 0, 4}), 250);
  EXPECT_EQ(t.EarliestFit(0, 150, Amount{4, 0, 2}), 100);
  EXPECT_EQ(t.EarliestFit(0, sched::kForever, Amount{8, 0, 4}), 250);
  EXPECT_EQ(t.EarliestFit(0, 10, Amount{9, 0, 0}), sched::kForever);
  EXPECT_TRUE(t.Fits(100, 100, Amount{8, 0, 4}));
  EXPECT_FALSE(t.Fits(100, 101, Amount{8, 0, 4}));
}

}  // namespace
}  // namespace sluice::sim

namespace sluice::sim {
namespace {

TEST(SimArrayTest, AnArrayRunsAllItsTasksWithinItsThrottle) {
  // 20 one-CPU tasks of 100 s on 2 nodes of 4 CPUs: 8 at a time without a
  // throttle, 2 at a time with %2.
  auto free = ParseSwf("1 0 -1 100 1 -1 -1 1 100 -1 1 -1 -1 -1 -1 -1 -1 -1 20\n");
  auto throttled = ParseSwf("1 0 -1 100 1 -1 -1 1 100 -1 1 -1 -1 -1 -1 -1 -1 -1 20 2\n");
  ASSERT_TRUE(free.ok() && throttled.ok());
  EXPECT_EQ((*free)[0].array_tasks, 20u);
  ClusterShape shape{2, 4, 0};
  SimResult a = Simulate(*free, shape, Policy::kBackfill);
  SimResult b = Simulate(*throttled, shape, Policy::kBackfill);
  EXPECT_EQ(a.jobs, 20u);
  EXPECT_EQ(a.never_ran, 0u);
  EXPECT_EQ(a.makespan_s, 300);   // ceil(20 / 8) rounds of 100 s
  EXPECT_EQ(b.makespan_s, 1000);  // 20 / 2 rounds
  EXPECT_FALSE(ParseSwf("1 0 -1 100 1 -1 -1 1 100 -1 1 -1 -1 -1 -1 -1 -1 -1 x\n").ok());
}

}  // namespace
}  // namespace sluice::sim
