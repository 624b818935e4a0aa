// The controller's configuration: what it derives from slurm.conf at
// start, and scontrol reconfigure (issue 12), which takes a changed
// slurm.conf while jobs run: nodes and partitions added or removed, every
// other key anew. Strand-only, like all of Controller.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctld/core/controller.h"
#include "ctld/core/priority.h"
#include "ctld/sched/scheduler.h"

namespace sluice::ctld {

void Controller::ApplyConfig() {
  kill_invalid_depend_ =
      config_.scheduler_parameters.find("kill_invalid_depend") != std::string::npos ||
      config_.dependency_parameters.find("kill_invalid_depend") != std::string::npos;
  // ctld's main (and Reconfigure) refuse malformed Priority* keys and
  // SchedulerParameters before this runs.
  if (auto pc = PriorityConfigFrom(config_); pc.ok()) priority_ = *pc;
  if (auto sc = sched::ParseSchedulerParameters(config_.scheduler_parameters); sc.ok())
    sched_config_ = *sc;
  // Nodes in the configuration's order; a node that stays keeps its state
  // (registration, drain, allocations, GPUs in use, its daemon's reports).
  std::vector<NodeRecord> nodes;
  std::map<std::string, int> index;
  for (const auto& nc : config_.nodes) {
    NodeRecord r;
    if (auto it = node_index_.find(nc.name); it != node_index_.end()) {
      r = std::move(nodes_[it->second]);
      r.gpu_used.resize(nc.gpus(), false);
    } else {
      r.gpu_used.assign(nc.gpus(), false);
    }
    r.conf = nc;
    r.partitions.clear();
    for (const auto& p : config_.partitions)
      if (std::find(p.nodes.begin(), p.nodes.end(), nc.name) != p.nodes.end())
        r.partitions.push_back(p.name);
    index[nc.name] = static_cast<int>(nodes.size());
    nodes.push_back(std::move(r));
  }
  nodes_ = std::move(nodes);
  node_index_ = std::move(index);
}

absl::Status Controller::Reconfigure(common::SlurmConfig next, const common::Identity& who,
                                     int64_t now) {
  last_now_ = now;
  if (who.uid != 0 && who.uid != own_uid_) return absl::PermissionDeniedError("Invalid user id");
  if (auto pc = PriorityConfigFrom(next); !pc.ok()) return pc.status();
  if (auto sc = sched::ParseSchedulerParameters(next.scheduler_parameters); !sc.ok())
    return sc.status();
  // A node that leaves must hold no job: running jobs survive a reconfigure.
  std::set<std::string> kept;
  for (const auto& n : next.nodes) kept.insert(n.name);
  std::set<std::string> busy;
  for (const auto& [id, j] : jobs_)
    if (HoldsResources(j.state))
      for (const auto& a : j.alloc)
        if (!kept.count(a.node)) busy.insert(a.node);
  if (!busy.empty())
    return absl::FailedPreconditionError(absl::StrCat(
        "Nodes ", absl::StrJoin(busy, ","), " have jobs: drain them and let the jobs end first"));
  // What only a restart changes stays as it is (Slurm wants one for these).
  next.ctld_host = config_.ctld_host;
  next.ctld_addr = config_.ctld_addr;
  next.ctld_port = config_.ctld_port;
  next.state_save_location = config_.state_save_location;
  next.auth_type = config_.auth_type;
  next.auth_socket = config_.auth_socket;
  next.cluster_name = config_.cluster_name;
  // The file's values win over scontrol update partition, as in Slurm.
  if (auto s = ForgetPartitionUpdates(); !s.ok()) return s;
  config_ = std::move(next);
  ApplyConfig();
  schedule_needed_ = true;
  return absl::OkStatus();
}

}  // namespace sluice::ctld
