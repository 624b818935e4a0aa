// Steps are confined inside their job, on the quick-start cluster's
// cgroup.conf (ConstrainCores, ConstrainRAMSpace, ConstrainDevices): a
// step's cgroup nests in its job's, so the job's --mem holds for srun work;
// its CPUs are within the job's; a step asking for GPUs gets its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

// "0-2,5" -> {0,1,2,5}
std::set<int> Cpus(const std::string& list) {
  std::set<int> out;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    std::vector<std::string> ab = absl::StrSplit(part, '-');
    int a = 0, b = 0;
    if (!absl::SimpleAtoi(ab[0], &a)) continue;
    b = a;
    if (ab.size() == 2 && !absl::SimpleAtoi(ab[1], &b)) continue;
    for (int c = a; c <= b; ++c) out.insert(c);
  }
  return out;
}

// The value after `key=` on the line starting with it, in `text`.
std::string Field(const std::string& text, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(text, '\n'))
    if (absl::ConsumePrefix(&line, key + "=")) return std::string(line);
  return "";
}

class StepConfinementTest : public SharedClusterTest<StepConfinementTest> {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE(HasV1Controllers(), "needs root and the cpuset, memory, devices controllers");
  }
};

TEST_F(StepConfinementTest, AnSrunStepOverItsJobsMemoryEndsOutOfMemory) {
  // Inside a batch job with --mem=160M: the step is held to the job's
  // memory. (The batch step's own srun must fit beside it: an ASan srun
  // takes some 60 MB, which a 64M job left no room for.)
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable --mem=160M -o stepoom.out --wrap 'srun dd if=/dev/zero of=/dev/null "
      "bs=600M count=1; echo rc=$?'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  std::string out = Slurp(cluster_->work() + "/stepoom.out");
  EXPECT_THAT(out, HasSubstr("srun: error: mlmini-g2-ghpc-0: task 0: Out Of Memory\n"));
  EXPECT_THAT(out, HasSubstr("slurmstepd: error: Detected 1 oom-kill event(s) in StepId=" +
                             std::to_string(id) +
                             ".0. Some of your processes may have been killed by the cgroup "
                             "out-of-memory handler.\n"));
  EXPECT_THAT(out, HasSubstr("rc=137"));
  // An allocation srun makes itself ends OUT_OF_MEMORY.
  auto r = cluster_->Run("srun --mem=64M dd if=/dev/zero of=/dev/null bs=600M count=1");
  EXPECT_EQ(r.rc, 137);
  EXPECT_THAT(r.err, HasSubstr("task 0: Out Of Memory"));
  auto last = cluster_->Run("squeue -h -t all -o '%i %T' | sort -n | tail -1");
  EXPECT_THAT(last.out, HasSubstr(" OUT_OF_MEMORY"));
}

TEST_F(StepConfinementTest, TwoConcurrentOneGpuStepsInATwoGpuJobSeeDifferentDevices) {
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable -n2 --gpus-per-node=2 -o gpus.out --wrap '"
      "srun -n1 --exact --gpus-per-node=1 bash -c \"sleep 2; echo A=\\$CUDA_VISIBLE_DEVICES\" & "
      "srun -n1 --exact --gpus-per-node=1 bash -c \"sleep 2; echo B=\\$CUDA_VISIBLE_DEVICES\" & "
      "wait; srun -n1 bash -c \"echo all=\\$CUDA_VISIBLE_DEVICES\"'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  std::string out = Slurp(cluster_->work() + "/gpus.out");
  std::string a = Field(out, "A"), b = Field(out, "B");
  EXPECT_EQ(a.size(), 1u) << out;
  EXPECT_EQ(b.size(), 1u) << out;
  EXPECT_NE(a, b) << out;
  EXPECT_THAT(out, Not(HasSubstr("temporarily disabled"))) << "the steps ran one after another";
  EXPECT_EQ(Field(out, "all"), "0,1") << out;
  // A step cannot ask for more GPUs than its job has.
  auto r = cluster_->Run(
      "sbatch --parsable --gpus-per-node=1 -o over.out --wrap 'srun --gpus-per-node=2 true; "
      "echo rc=$?'");
  uint64_t over = Parsable(r);
  ASSERT_TRUE(cluster_->WaitForState(over, "COMPLETED", 30));
  EXPECT_THAT(Slurp(cluster_->work() + "/over.out"),
              HasSubstr("Requested node configuration is not available"));
}

TEST_F(StepConfinementTest, AStepsCgroupAndCpusetAreInsideItsJobs) {
  uint64_t id = Parsable(cluster_->Run(
      "sbatch --parsable -n2 -o cpus.out --wrap '"
      "echo job=$(grep Cpus_allowed_list /proc/self/status | cut -f2); "
      "srun -n1 bash -c \"echo all=\\$(grep Cpus_allowed_list /proc/self/status | cut -f2)\"; "
      "srun -n1 --exact bash -c \"echo exact=\\$(grep Cpus_allowed_list /proc/self/status | cut "
      "-f2); echo cg=\\$(grep cpuset /proc/self/cgroup)\"'"));
  ASSERT_GT(id, 0u);
  ASSERT_TRUE(cluster_->WaitForState(id, "COMPLETED", 30)) << cluster_->JobState(id);
  std::string out = Slurp(cluster_->work() + "/cpus.out");
  std::set<int> job = Cpus(Field(out, "job")), all = Cpus(Field(out, "all")),
                exact = Cpus(Field(out, "exact"));
  ASSERT_FALSE(job.empty()) << out;
  EXPECT_EQ(all, job) << out;  // without --exact a step has the job's CPUs
  EXPECT_EQ(exact.size(), 1u) << out;
  for (int c : exact) EXPECT_TRUE(job.count(c)) << "CPU " << c << " is not the job's: " << out;
  EXPECT_THAT(Field(out, "cg"), HasSubstr("/job_" + std::to_string(id) + "/step_1")) << out;
}

}  // namespace
}  // namespace sluice::testing
