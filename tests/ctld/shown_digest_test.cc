// ShownDigest (ctld/rpc/convert.h): the readers' copy reconverts a job only
// when its digest moves, so every input of ToProto(Job) must move it. Each
// case below changes one thing a view shows; the case is meaningful only
// if ToProto's bytes change too, and then the digest must.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/digest.h"
#include "ctld/rpc/convert.h"

namespace sluice::ctld::rpc {
namespace {

Job Pending() {
  Job j;
  j.id = JobId(42);
  j.spec.uid = 1001;
  j.spec.gid = 1001;
  j.spec.user = "alice";
  j.spec.group = "alice";
  j.spec.name = "train";
  j.spec.partition = "g2";
  j.spec.time_limit_min = 60;
  j.spec.work_dir = "/home/alice";
  j.state = JobState::kPending;
  j.reason = JobReason::kResources;
  j.priority = 100;
  j.submit_time = 1000;
  j.eligible_time = 1000;
  j.expected_start = 5000;
  j.sched_nodes = {"n1"};
  return j;
}

Job Running() {
  Job j = Pending();
  j.state = JobState::kRunning;
  j.reason = JobReason::kNone;
  j.start_time = 2000;
  j.alloc = {NodeAllocation{"n1", 4, 1000, {0}}, NodeAllocation{"n2", 4, 1000, {}}};
  j.cpu_ids["n1"] = {0, 1, 2, 3};
  Job::Step st;
  st.id = 0;
  st.name = "hostname";
  st.start_time = 2001;
  st.nodes = {"n1"};
  st.ntasks = 1;
  st.cpus = {1};
  st.srun_host = "login";
  st.srun_pid = 77;
  j.steps.push_back(st);
  StepRecord rec;
  rec.id = 0;
  rec.end_time = 2002;
  rec.exit_code = 1;
  j.step_log.push_back(rec);
  return j;
}

struct Case {
  std::string what;
  std::function<Job()> base;
  std::function<void(Job&)> change;
};

std::string Bytes(const Job& j, uint64_t mem) {
  v1::JobInfo p;
  ToProto(j, &p, mem, "c");
  return p.SerializeAsString();
}

TEST(ShownDigestTest, MovesWithEverythingAViewShows) {
  std::vector<Case> cases = {
      {"name", Pending, [](Job& j) { j.spec.name = "eval"; }},
      {"deadline", Pending, [](Job& j) { j.spec.deadline = 9; }},
      {"time min", Pending, [](Job& j) { j.spec.time_min_min = 9; }},
      {"array job", Pending, [](Job& j) { j.array_job_id = 40; }},
      {"array task", Pending, [](Job& j) { j.array_job_id = 40, j.array_task_id = 2; }},
      {"array pending", Pending,
       [](Job& j) {
         j.array_job_id = 42;
         j.array_pending = common::ArrayIndexSet::FromRuns({{1, 3, 1}});
       }},
      {"array throttle", Pending, [](Job& j) { j.array_job_id = 40, j.spec.array.throttle = 2; }},
      {"uid", Pending, [](Job& j) { j.spec.uid = 7; }},
      {"user", Pending, [](Job& j) { j.spec.user = "bob"; }},
      {"nodelist", Pending, [](Job& j) { j.spec.nodelist = {"n2"}; }},
      {"exclude", Pending, [](Job& j) { j.spec.exclude = {"n2"}; }},
      {"constraint", Pending, [](Job& j) { j.spec.constraint = "a100"; }},
      {"gid", Pending, [](Job& j) { j.spec.gid = 7; }},
      {"group", Pending, [](Job& j) { j.spec.group = "staff"; }},
      {"partition", Pending, [](Job& j) { j.spec.partition = "debug"; }},
      {"state", Pending, [](Job& j) { j.state = JobState::kCancelled; }},
      {"reason", Pending, [](Job& j) { j.reason = JobReason::kPriority; }},
      {"submit time", Pending, [](Job& j) { j.submit_time = 1; }},
      {"start time", Running, [](Job& j) { j.start_time = 2100; }},
      {"end time", Running, [](Job& j) { j.end_time = 3000; }},
      {"time limit", Pending, [](Job& j) { j.spec.time_limit_min = 61; }},
      {"nodes asked", Pending, [](Job& j) { j.spec.min_nodes = 2; }},
      {"a node held", Running, [](Job& j) { j.alloc[1].node = "n3"; }},
      {"CPUs held", Running, [](Job& j) { j.alloc[1].cpus = 5; }},
      {"memory held", Running, [](Job& j) { j.alloc[1].mem_mb = 5; }},
      {"GPUs held", Running, [](Job& j) { j.alloc[0].gpus = {1}; }},
      {"CPU IDs", Running, [](Job& j) { j.cpu_ids["n1"] = {4, 5, 6, 7}; }},
      {"priority", Pending, [](Job& j) { j.priority = 101; }},
      {"work dir", Pending, [](Job& j) { j.spec.work_dir = "/tmp"; }},
      {"stdout", Pending, [](Job& j) { j.spec.std_out = "o.txt"; }},
      {"stderr", Pending, [](Job& j) { j.spec.std_err = "e.txt"; }},
      {"stdin", Pending, [](Job& j) { j.spec.std_in = "i.txt"; }},
      {"exit code", Running, [](Job& j) { j.exit_code = 2; }},
      {"exit signal", Running, [](Job& j) { j.exit_signal = 9; }},
      {"requeue", Pending, [](Job& j) { j.spec.requeue = 0; }},
      {"restarts", Pending, [](Job& j) { j.restart_count = 1; }},
      {"interactive", Pending, [](Job& j) { j.spec.interactive = true; }},
      {"a step", Running, [](Job& j) { j.steps.push_back(j.steps[0]); }},
      {"step name", Running, [](Job& j) { j.steps[0].name = "x"; }},
      {"step start", Running, [](Job& j) { j.steps[0].start_time = 9; }},
      {"step nodes", Running, [](Job& j) { j.steps[0].nodes = {"n2"}; }},
      {"step tasks", Running, [](Job& j) { j.steps[0].ntasks = 2; }},
      {"step CPUs", Running, [](Job& j) { j.steps[0].cpus = {2}; }},
      {"step memory", Running, [](Job& j) { j.steps[0].mem_mb = 9; }},
      {"step host", Running, [](Job& j) { j.steps[0].srun_host = "other"; }},
      {"step pid", Running, [](Job& j) { j.steps[0].srun_pid = 78; }},
      {"step cyclic", Running, [](Job& j) { j.steps[0].cyclic = true; }},
      {"GPUs asked", Pending, [](Job& j) { j.spec.gpus_per_node = 1; }},
      {"GPU type", Pending, [](Job& j) { j.spec.gpus_per_node = 1, j.spec.gpu_type = "a100"; }},
      {"memory asked", Pending, [](Job& j) { j.spec.mem_mb = 100; }},
      {"tmp asked", Pending, [](Job& j) { j.spec.tmp_mb = 100; }},
      {"tasks", Pending, [](Job& j) { j.spec.ntasks = 4; }},
      {"CPUs per task", Pending, [](Job& j) { j.spec.cpus_per_task = 4; }},
      {"CPUs per task given", Pending, [](Job& j) { j.spec.cpus_per_task_set = true; }},
      {"mincpus", Pending, [](Job& j) { j.spec.mincpus = 6; }},
      {"overcommit",
       [] {
         Job j = Pending();
         j.spec.ntasks = 4;
         return j;
       },
       [](Job& j) { j.spec.overcommit = true; }},
      {"eligible", Pending, [](Job& j) { j.eligible_time = 7; }},
      {"completing", Running, [](Job& j) { j.state = JobState::kCompleting; }},
      {"dependency", Pending, [](Job& j) { j.spec.dependency = "afterok:1"; }},
      {"nice", Pending, [](Job& j) { j.spec.nice = 5; }},
      {"account", Pending, [](Job& j) { j.spec.account = "proj"; }},
      {"qos", Pending, [](Job& j) { j.spec.qos = "high"; }},
      {"comment", Pending, [](Job& j) { j.spec.comment = "c"; }},
      {"submit host", Pending, [](Job& j) { j.spec.submit_host = "login"; }},
      {"CPUs per GPU", Pending, [](Job& j) { j.spec.cpus_per_gpu = 2; }},
      {"memory per GPU", Pending, [](Job& j) { j.spec.mem_per_gpu_mb = 2; }},
      {"a step's exit", Running, [](Job& j) { j.step_log[0].exit_code = 3; }},
      {"suspended at", Running, [](Job& j) { j.suspend_time = 9; }},
      {"run before suspend", Running, [](Job& j) { j.pre_suspend_secs = 9; }},
      {"suspended for", Running, [](Job& j) { j.suspended_secs = 9; }},
      {"backfilled", Running, [](Job& j) { j.backfilled = true; }},
      {"backfill tried", Pending, [](Job& j) { j.backfill_eval = true; }},
      {"session", Pending, [](Job& j) { j.spec.alloc_sid = 9; }},
      {"contiguous", Pending, [](Job& j) { j.spec.contiguous = true; }},
      {"exclusive", Pending, [](Job& j) { j.spec.exclusive = true; }},
      {"tasks per node", Pending, [](Job& j) { j.spec.ntasks_per_node = 2; }},
      {"expected start", Pending, [](Job& j) { j.expected_start = 6000; }},
      {"planned nodes", Pending, [](Job& j) { j.sched_nodes = {"n2"}; }},
  };
  for (const auto& c : cases) {
    Job before = c.base();
    Job after = before;
    c.change(after);
    ASSERT_NE(Bytes(before, 4000), Bytes(after, 4000)) << c.what << ": the case shows nothing";
    EXPECT_NE(ShownDigest(before, 4000), ShownDigest(after, 4000)) << c.what;
  }
  // The node memory a pending job is shown asking for is an input too.
  EXPECT_NE(Bytes(Pending(), 4000), Bytes(Pending(), 8000));
  EXPECT_NE(ShownDigest(Pending(), 4000), ShownDigest(Pending(), 8000));
  // And what no view shows does not move it.
  Job quiet = Pending();
  quiet.spec.script = "#!/bin/sh\nother\n";
  quiet.spec.env_block = "A=1";
  quiet.spec.body_id = 7;
  quiet.batch_usage.known = true;
  EXPECT_EQ(Bytes(Pending(), 4000), Bytes(quiet, 4000));
  EXPECT_EQ(ShownDigest(Pending(), 4000), ShownDigest(quiet, 4000));
}

TEST(DigestTest, StringsCarryTheirLength) {
  auto of = [](std::string_view a, std::string_view b) {
    return common::Digest().Add(a).Add(b).value();
  };
  EXPECT_NE(of("ab", "c"), of("a", "bc"));
  EXPECT_NE(of("", "x"), of("x", ""));
  EXPECT_NE(of(std::string(8, 'a'), ""), of(std::string(9, 'a'), ""));
  EXPECT_EQ(of("same", "thing"), of("same", "thing"));
  // A word equal to the mixer's constant does not erase what came before.
  EXPECT_NE(common::Digest().Add(1).Add(0xe7037ed1a0b428dbULL).value(),
            common::Digest().Add(2).Add(0xe7037ed1a0b428dbULL).value());
}

}  // namespace
}  // namespace sluice::ctld::rpc
