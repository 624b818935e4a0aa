#include "ctld/core/job.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/hostlist.h"

namespace sluice::ctld {

uint32_t JobSpec::TasksPerNode() const {
  if (ntasks_per_node) return ntasks_per_node;
  uint32_t n = min_nodes ? min_nodes : 1;
  return (ntasks + n - 1) / n;
}

uint32_t JobSpec::TasksOnNode(size_t i) const {
  if (ntasks_per_node || min_nodes <= 1 || ntasks % min_nodes == 0 || ntasks < min_nodes)
    return TasksPerNode();
  return ntasks / min_nodes + (i < ntasks % min_nodes ? 1 : 0);
}

bool JobSpec::UnevenCpus() const {
  return TasksOnNode(0) != TasksOnNode(min_nodes - 1) && !overcommit && !exclusive &&
         CpusPerNode() == TasksPerNode() * cpus_per_task;
}

int64_t JobSpec::LimitWithinDeadline(int64_t now) const {
  if (!deadline || time_min_min < 0) return time_limit_min;
  int64_t fit = (deadline - now) / 60;
  return time_limit_min < 0 || time_limit_min > fit ? fit : time_limit_min;
}

uint32_t JobSpec::CpusPerNode() const {
  uint32_t tasks = overcommit ? 1 : TasksPerNode();
  uint32_t c = std::max({tasks * cpus_per_task, gpus_per_node * cpus_per_gpu, mincpus});
  return c ? c : 1;
}

std::vector<std::string> JobSpec::Env() const { return SplitEnv(env_block); }

std::vector<std::string> JobSpec::SplitEnv(const std::string& env_block) {
  std::vector<std::string> out;
  if (env_block.empty()) return out;
  for (size_t at = 0;;) {
    size_t nul = env_block.find('\0', at);
    out.push_back(env_block.substr(at, nul == std::string::npos ? std::string::npos : nul - at));
    if (nul == std::string::npos) break;
    at = nul + 1;
  }
  return out;
}

void JobSpec::SetEnv(const std::vector<std::string>& env) {
  env_block.clear();
  for (size_t i = 0; i < env.size(); ++i) {
    if (i) env_block.push_back('\0');
    // (an entry cannot hold a NUL: it came from a C environment)
    env_block.append(env[i].substr(0, env[i].find('\0')));
  }
  env_block.shrink_to_fit();
}

void JobSpec::ReleaseBody(uint64_t stored_as) {
  body_id = stored_as;
  std::string().swap(script);
  std::string().swap(env_block);
}

std::vector<std::string> JobSpec::Partitions() const {
  return absl::StrSplit(partition, ',', absl::SkipEmpty());
}

std::string JobSpec::TresPerNode() const {
  if (!gpus_per_node) return "";
  if (gpu_type.empty()) return absl::StrCat("gres:gpu:", gpus_per_node);
  return absl::StrCat("gres:gpu:", gpu_type, ":", gpus_per_node);
}

int64_t Job::RunSecs(int64_t now) const {
  if (!start_time) return 0;
  int64_t end = common::IsFinished(state) && end_time ? end_time : now;
  int64_t away = suspended_secs + (state == JobState::kSuspended ? end - suspend_time : 0);
  return std::max<int64_t>(0, end - start_time - away);
}

std::vector<std::string> Job::NodeNames() const {
  std::vector<std::string> out;
  for (const auto& a : alloc) out.push_back(a.node);
  return out;
}

std::string Job::NodeList() const {
  return common::CompressHostlistOrdered(NodeNames());
}

const std::string& Job::BatchHost() const {
  static const std::string kEmpty;
  return alloc.empty() ? kEmpty : alloc[0].node;
}

namespace {
std::string Absolute(const std::string& p, const std::string& dir) {
  if (!p.empty() && p[0] == '/') return p;
  return dir.empty() ? p : absl::StrCat(dir, "/", p);
}
}  // namespace

std::string Job::StdOutPattern() const {
  return Absolute(spec.std_out.empty() ? (array_job_id ? "slurm-%A_%a.out" : "slurm-%j.out")
                                      : spec.std_out,
                  spec.work_dir);
}

std::string Job::StdErrPattern() const {
  if (spec.std_err.empty()) return StdOutPattern();
  return Absolute(spec.std_err, spec.work_dir);
}

}  // namespace sluice::ctld
