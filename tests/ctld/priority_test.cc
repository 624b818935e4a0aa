#include "ctld/core/priority.h"

#include <gtest/gtest.h>

#include "ctld/core/controller.h"
#include "ctld/store/job_store.h"
#include "fake_node_client.h"

namespace sluice::ctld {
namespace {

TEST(PriorityTest, ReadsSlurmConfKeys) {
  common::SlurmConfig c;
  c.priority = {{"prioritytype", "priority/multifactor"},
                {"priorityweightage", "1000"},
                {"priorityweightfairshare", "10000"},
                {"prioritydecayhalflife", "1-0"},
                {"prioritymaxage", "1:00:00"},
                {"priorityfavorsmall", "YES"}};
  auto p = PriorityConfigFrom(c);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->multifactor);
  EXPECT_EQ(p->weight_fairshare, 10000u);
  EXPECT_EQ(p->decay_half_life_s, 86400);
  EXPECT_EQ(p->max_age_s, 3600);
  EXPECT_TRUE(p->favor_small);
  c.priority["priorityweightage"] = "lots";
  EXPECT_FALSE(PriorityConfigFrom(c).ok());
}

TEST(PriorityTest, FactorsAddUpWithTheirWeights) {
  PriorityConfig c;
  c.multifactor = true;
  c.weight_age = 1000;
  c.weight_job_size = 100;
  c.weight_fairshare = 10000;
  c.max_age_s = 1000;
  PriorityInputs in{/*now=*/1500, /*eligible=*/1000, /*cpus=*/8, /*cluster=*/16,
                    /*partition=*/1.0, /*fairshare=*/0.5, /*nice=*/0};
  EXPECT_EQ(MultifactorPriority(c, in), 500u + 50u + 5000u);
  in.nice = 50;
  EXPECT_EQ(MultifactorPriority(c, in), 5500u);
  // QOS and association priorities, as shares of the highest.
  c.weight_qos = 2000;
  c.weight_assoc = 100;
  in.qos_factor = 0.5;
  in.assoc_factor = 1.0;
  EXPECT_EQ(MultifactorPriority(c, in), 5500u + 1000u + 100u);
  in.qos_factor = in.assoc_factor = 0;
  c.favor_small = true;
  in.nice = 0;
  EXPECT_EQ(MultifactorPriority(c, in), 5550u);
}

TEST(UsageLedgerTest, DecaysByHalfLifeAndSurvivesItsRecord) {
  UsageLedger u(100);
  u.Decay(1000);
  const std::string a = UsageKey("ml", "alice", ""), b = UsageKey("ml", "bob", "p");
  u.Charge(a, 800);
  u.Charge(b, 200);
  u.Decay(1100);
  EXPECT_DOUBLE_EQ(u.Usage(a), 400);
  EXPECT_DOUBLE_EQ(u.Usage(b), 100);
  EXPECT_DOUBLE_EQ(u.Usage(UsageKey("ml", "carol", "")), 0);
  // The store's form reads back the same, and decays on from where it was.
  auto back = UsageLedger::Decode(u.Encode(), 100);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_DOUBLE_EQ(back->Usage(a), 400);
  back->Decay(1200);
  EXPECT_DOUBLE_EQ(back->Usage(b), 50);
  EXPECT_FALSE(UsageLedger::Decode("usage\tx\tnot-a-number\n", 100).ok());
  EXPECT_FALSE(UsageLedger::Decode("bogus\n", 100).ok());
}

// Issue 3's scenario: fair-share reorders two users.
TEST(FairShareScenarioTest, TheLighterUserGoesFirst) {
  common::SlurmConfig cfg;
  common::NodeConf n;
  n.name = "n1";
  n.cpus = 4;
  n.real_memory_mb = 1000;
  cfg.nodes = {n};
  common::PartitionConf p;
  p.name = "g2";
  p.nodes = {"n1"};
  p.is_default = true;
  cfg.partitions = {p};
  cfg.slurmd_timeout_s = 86400;  // no heartbeats in this test
  cfg.priority = {{"prioritytype", "priority/multifactor"},
                  {"priorityweightfairshare", "10000"},
                  {"priorityweightage", "10"}};
  auto store = MakeMemoryJobStore();
  testing::FakeNodeClient nodes;
  Controller ctl(cfg, store.get(), &nodes, 0);
  const int64_t t0 = 1'800'000'000;
  ASSERT_TRUE(ctl.Recover(t0).ok());
  NodeReport reg;
  reg.node = "n1";
  reg.registering = true;
  ASSERT_TRUE(ctl.OnNodeReport(reg, {0, 0}, t0).ok());
  common::Identity heavy{1001, 1001}, light{1002, 1002};
  SubmitRequest r;
  r.script = "#!/bin/sh\n";
  r.cpus_per_task = 4;
  // The heavy user ran a 4-CPU job for an hour; the light one little.
  uint64_t past = ctl.Submit(r, heavy, t0).id.value();
  EXPECT_TRUE(ctl.Sync().ok());  // submissions commit first
  ctl.Schedule(t0);
  ctl.Tick(t0);
  ctl.Tick(t0 + 3600);
  NodeReport end;
  end.node = "n1";
  end.ended = {{JobId(past), 0, 0, false, ""}};
  ASSERT_TRUE(ctl.OnNodeReport(end, {0, 0}, t0 + 3600).ok());
  uint64_t small = ctl.Submit(r, light, t0 + 3600).id.value();
  EXPECT_TRUE(ctl.Sync().ok());  // submissions commit first
  ctl.Schedule(t0 + 3600);
  ctl.Tick(t0 + 3660);
  NodeReport end2;
  end2.node = "n1";
  end2.ended = {{JobId(small), 0, 0, false, ""}};
  ASSERT_TRUE(ctl.OnNodeReport(end2, {0, 0}, t0 + 3660).ok());
  // Both submit at once; the node fits one at a time.
  r.hold = false;
  uint64_t h = ctl.Submit(r, heavy, t0 + 3700).id.value();
  uint64_t l = ctl.Submit(r, light, t0 + 3700).id.value();
  EXPECT_TRUE(ctl.Sync().ok());  // submissions commit first
  ctl.Schedule(t0 + 3700);
  EXPECT_GT(ctl.jobs().at(l).priority, ctl.jobs().at(h).priority);
  EXPECT_EQ(ctl.jobs().at(small).state, JobState::kCompleted);
  EXPECT_EQ(ctl.jobs().at(l).state, JobState::kRunning);
  EXPECT_EQ(ctl.jobs().at(h).state, JobState::kPending);
  const std::string hk = UsageKey("root", ctl.jobs().at(h).spec.user, "");
  const std::string lk = UsageKey("root", ctl.jobs().at(l).spec.user, "");
  EXPECT_GT(ctl.usage().Usage(hk), ctl.usage().Usage(lk));
  EXPECT_GT(ctl.usage().Usage(lk), 0);
}

TEST(NiceTest, UsersMayOnlyLowerTheirPriority) {
  common::SlurmConfig cfg;
  common::NodeConf n;
  n.name = "n1";
  cfg.nodes = {n};
  common::PartitionConf p;
  p.name = "g2";
  p.nodes = {"n1"};
  cfg.partitions = {p};
  auto store = MakeMemoryJobStore();
  testing::FakeNodeClient nodes;
  Controller ctl(cfg, store.get(), &nodes, 0);
  ASSERT_TRUE(ctl.Recover(1).ok());
  SubmitRequest r;
  r.script = "#!/bin/sh\n";
  r.nice = 100;
  auto a = ctl.Submit(r, {1001, 1001}, 1);
  r.nice = 0;
  auto b = ctl.Submit(r, {1001, 1001}, 1);
  EXPECT_LT(ctl.jobs().at(a.id.value()).priority, ctl.jobs().at(b.id.value()).priority);
  r.nice = -5;
  EXPECT_EQ(ctl.Submit(r, {1001, 1001}, 1).error, "Access/permission denied");
  r.nice = 0;
  r.priority = 7;
  EXPECT_EQ(ctl.Submit(r, {1001, 1001}, 1).error, "Access/permission denied");
  auto c = ctl.Submit(r, {0, 0}, 1);
  EXPECT_EQ(ctl.jobs().at(c.id.value()).priority, 7u);
}

}  // namespace
}  // namespace sluice::ctld
