// StepLaunchRequests: how srun's template, the job's variables and the
// step's own become each node's LaunchTasks request.
#include "common/rpc/step_launch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sluice::common {
namespace {

namespace v1 = ::sluice::v1;

std::map<std::string, std::string> EnvOf(const v1::LaunchTasksRequest& r) {
  std::map<std::string, std::string> m;
  for (const auto& e : r.env()) m[e.substr(0, e.find('='))] = e.substr(e.find('=') + 1);
  return m;
}

std::vector<v1::LaunchTasksRequest> Launch(const v1::StepLaunchTemplate& l, uint64_t job,
                                           const v1::CreateStepReply& step) {
  auto r = StepLaunchRequests(l, job, step, StepRunAs{1000, 100, "alice"});
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<v1::LaunchTasksRequest>(step.nodes_size());
}

v1::CreateStepReply TwoNodeStep() {
  v1::CreateStepReply step;
  step.set_step_id(3);
  step.set_ntasks(3);
  step.set_node_list("n[1-2]");
  step.add_env("SLURM_JOB_ID=42");
  step.add_env("SLURM_JOB_NAME=train");
  step.add_env("SLURM_JOB_PARTITION=g2");
  step.add_env("SLURM_CPUS_PER_TASK=1");
  auto* a = step.add_nodes();
  a->set_name("n1");
  a->add_tasks(0);
  a->add_tasks(1);
  a->set_cpus(2);
  a->add_gpus(0);
  auto* b = step.add_nodes();
  b->set_name("n2");
  b->add_tasks(2);
  b->set_cpus(1);
  return step;
}

TEST(StepLaunchTest, EachNodeGetsItsTasksAndTheStepsVariables) {
  v1::StepLaunchTemplate l;
  l.add_argv("hostname");
  l.set_job_name("hostname");
  auto reqs = Launch(l, 42, TwoNodeStep());
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].job_id(), 42u);
  EXPECT_EQ(reqs[0].step_id(), 3u);
  EXPECT_EQ(reqs[0].ntasks(), 3u);
  EXPECT_THAT(reqs[0].tasks(), ::testing::ElementsAre(0, 1));
  EXPECT_THAT(reqs[1].tasks(), ::testing::ElementsAre(2));
  EXPECT_EQ(reqs[0].node_index(), 0u);
  EXPECT_EQ(reqs[1].node_index(), 1u);
  EXPECT_EQ(reqs[0].cpus(), 2u);
  EXPECT_THAT(reqs[0].gpus(), ::testing::ElementsAre(0));
  EXPECT_TRUE(reqs[1].gpus().empty());
  auto env = EnvOf(reqs[1]);
  EXPECT_EQ(env["SLURM_STEP_ID"], "3");
  EXPECT_EQ(env["SLURM_STEPID"], "3");
  EXPECT_EQ(env["SLURM_STEP_NODELIST"], "n[1-2]");
  EXPECT_EQ(env["SLURM_STEP_NUM_NODES"], "2");
  EXPECT_EQ(env["SLURM_STEP_NUM_TASKS"], "3");
  EXPECT_EQ(env["SLURM_STEP_TASKS_PER_NODE"], "2,1");
  EXPECT_EQ(env["SLURM_NTASKS"], "3");
  EXPECT_EQ(env["SLURM_DISTRIBUTION"], "block");
  // The job's name and partition, as Slurm's srun takes them.
  EXPECT_EQ(reqs[0].job_name(), "train");
  EXPECT_EQ(reqs[0].partition(), "g2");
}

TEST(StepLaunchTest, SrunsOverridesWinOverTheJobWhichWinsOverSrunsEnvironment) {
  v1::StepLaunchTemplate l;
  l.add_env("SLURM_JOB_ID=7");  // stale, from an outer job
  l.add_env("HOME=/home/u");
  l.add_env("SLURM_NTASKS=99");
  l.add_overrides("SLURM_CPUS_PER_TASK=4");
  l.add_overrides("SLURM_SRUN_COMM_PORT=5555");
  auto env = EnvOf(Launch(l, 42, TwoNodeStep())[0]);
  EXPECT_EQ(env["HOME"], "/home/u");
  EXPECT_EQ(env["SLURM_JOB_ID"], "42");
  EXPECT_EQ(env["SLURM_NTASKS"], "3");
  EXPECT_EQ(env["SLURM_CPUS_PER_TASK"], "4");
  EXPECT_EQ(env["SLURM_SRUN_COMM_PORT"], "5555");
}

TEST(StepLaunchTest, ANewAllocationDropsAnOuterJobsDevices) {
  v1::StepLaunchTemplate l;
  l.add_env("CUDA_VISIBLE_DEVICES=3");
  l.add_env("SLURM_JOB_GPUS=3");
  EXPECT_EQ(EnvOf(Launch(l, 42, TwoNodeStep())[0])["CUDA_VISIBLE_DEVICES"], "3");
  l.set_own_job(true);
  auto env = EnvOf(Launch(l, 42, TwoNodeStep())[0]);
  EXPECT_EQ(env.count("CUDA_VISIBLE_DEVICES"), 0u);
  EXPECT_EQ(env.count("SLURM_JOB_GPUS"), 0u);
}

TEST(StepLaunchTest, OneTaskHasNoDistribution) {
  v1::CreateStepReply step;
  step.set_ntasks(1);
  step.add_nodes()->add_tasks(0);
  auto env = EnvOf(Launch(v1::StepLaunchTemplate(), 1, step)[0]);
  EXPECT_EQ(env.count("SLURM_DISTRIBUTION"), 0u);
  EXPECT_EQ(env["SLURM_STEP_TASKS_PER_NODE"], "1");
}

TEST(StepLaunchTest, IdentityNodesCpusAndGpusComeFromTheControllerAlone) {
  v1::StepLaunchTemplate l;
  l.add_argv("id");
  l.add_env("CUDA_VISIBLE_DEVICES=0,1,2,3");  // a claim: the step's value wins
  auto reqs = Launch(l, 42, TwoNodeStep());
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& r : reqs) {
    EXPECT_EQ(r.uid(), 1000u);
    EXPECT_EQ(r.gid(), 100u);
    EXPECT_EQ(r.user(), "alice");
  }
  EXPECT_THAT(reqs[0].gpus(), ::testing::ElementsAre(0));
  EXPECT_EQ(reqs[1].cpus(), 1u);
  v1::CreateStepReply step = TwoNodeStep();
  step.add_env("CUDA_VISIBLE_DEVICES=0");
  EXPECT_EQ(EnvOf(Launch(l, 42, step)[0])["CUDA_VISIBLE_DEVICES"], "0");
}

TEST(StepLaunchTest, AnOverrideOfAVariableSrunDoesNotSetIsRefused) {
  v1::StepLaunchTemplate l;
  l.add_overrides("SLURM_JOB_GPUS=0,1,2,3");
  EXPECT_EQ(ValidateStepLaunchTemplate(l).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(StepLaunchRequests(l, 42, TwoNodeStep(), StepRunAs{}).ok());
  l.clear_overrides();
  l.add_overrides("SLURM_UMASK=0022");
  EXPECT_TRUE(ValidateStepLaunchTemplate(l).ok());
}

}  // namespace
}  // namespace sluice::common
