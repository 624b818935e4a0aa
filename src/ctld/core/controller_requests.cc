// The controller's checks on what a submission asks for (GPUs, CPUs,
// memory against the nodes it may use) and its changes to pending jobs
// (scontrol hold/uhold/release). Split from controller.cc; same class,
// same strand.
#include <algorithm>

#include "common/job_types.h"
#include "ctld/core/controller.h"
#include "ctld/core/node_filter.h"

namespace sluice::ctld {
namespace {
constexpr uint32_t kEslurmJobNotPending = 2018;
}  // namespace

std::string Controller::ValidateResources(
    const SubmitRequest& req, JobSpec* s,
    std::vector<std::string>* notes) const {
  const std::string kUnavailable = "Requested node configuration is not available";
  // GPUs: --gpus-per-node=[type:]N and --gres=gpu[:type][:N].
  if (!req.gres.empty()) {
    auto g = common::ParseGres(req.gres);
    if (!g.ok()) {
      notes->push_back("Invalid generic resource (gres) specification");
      return "";
    }
    for (const auto& x : *g) {
      if (x.name != "gpu") {
        notes->push_back("Invalid generic resource (gres) specification");
        return "";
      }
      s->gpus_per_node = static_cast<uint32_t>(x.count);
      s->gpu_type = x.type;
    }
  }
  if (!req.gpus_per_node.empty()) {
    std::string v = req.gpus_per_node;
    std::string type;
    if (auto c = v.rfind(':'); c != std::string::npos) {
      type = v.substr(0, c);
      v = v.substr(c + 1);
    }
    if (v.empty() || v.size() > 6 ||
        v.find_first_not_of("0123456789") != std::string::npos)
      return kUnavailable;
    s->gpus_per_node = static_cast<uint32_t>(std::stoul(v));
    s->gpu_type = type;
  }
  // --gpus (total, spread over the nodes) and --gpus-per-task.
  if (req.gpus) s->gpus_per_node = (req.gpus + s->min_nodes - 1) / s->min_nodes;
  if (req.gpus_per_task) s->gpus_per_node = req.gpus_per_task * s->TasksPerNode();
  if (s->tmp_mb) {
    // --tmp: some node of the partitions must have that much TmpDisk.
    uint64_t max_tmp = 0;
    for (const auto& pname : s->Partitions())
      for (const auto& name : config_.FindPartition(pname)->nodes)
        max_tmp = std::max(max_tmp, config_.FindNode(name)->tmp_disk_mb);
    if (s->tmp_mb > max_tmp) {
      notes->push_back("Temporary disk specification can not be satisfied");
      return kUnavailable;
    }
  }
  uint32_t max_cpus = 0, max_gpus = 0, usable = 0;
  uint64_t max_mem = 0;
  for (const auto& pname : s->Partitions()) {
    for (const auto& name : config_.FindPartition(pname)->nodes) {
      const common::NodeConf* n = config_.FindNode(name);
      if (!NodeAllowed(*s, *n)) continue;
      ++usable;
      max_cpus = std::max(max_cpus, n->cpus);
      max_mem = std::max(max_mem, n->real_memory_mb);
      for (const auto& g : n->gres)
        if (g.name == "gpu" && (s->gpu_type.empty() || g.type == s->gpu_type))
          max_gpus = std::max<uint32_t>(max_gpus, static_cast<uint32_t>(g.count));
    }
  }
  if (usable == 0 || (!s->nodelist.empty() && usable < s->nodelist.size()))
    return kUnavailable;
  if (s->CpusPerNode() > max_cpus) {
    notes->push_back("CPU count per node can not be satisfied");
    return kUnavailable;
  }
  if (s->mem_mb > max_mem) {
    notes->push_back("Memory specification can not be satisfied");
    return kUnavailable;
  }
  if (s->gpus_per_node > max_gpus) return kUnavailable;
  return "";
}

std::string Controller::CheckMemory(const JobSpec& s,
                                    std::vector<std::string>* notes) const {
  uint64_t max_mem = 0;
  for (const auto& pname : s.Partitions())
    for (const auto& name : config_.FindPartition(pname)->nodes) {
      const common::NodeConf* n = config_.FindNode(name);
      if (NodeAllowed(s, *n)) max_mem = std::max(max_mem, n->real_memory_mb);
    }
  if (s.mem_mb <= max_mem) return "";
  notes->push_back("Memory specification can not be satisfied");
  return "Requested node configuration is not available";
}

std::vector<CancelOutcome> Controller::UpdatePending(
    const std::vector<JobId>& ids, const common::Identity& who, int64_t now,
    const std::function<bool(const Job&)>& may,
    const std::function<void(Job&)>& change, bool running_too) {
  last_now_ = now;
  std::vector<CancelOutcome> out;
  for (JobId id : ids) {
    CancelOutcome r{id, "", 0};
    Job* job = FindJob(id);
    if (!job) {
      r = {id, "Invalid job id specified", kEslurmInvalidJobId};
    } else if (!Authorized(*job, who) || !may(*job)) {
      r = {id, "Access/permission denied", kEslurmAccessDenied};
    } else if (job->state != JobState::kPending &&
               !(running_too && job->state == JobState::kRunning)) {
      r = {id, "Job is no longer pending execution", kEslurmJobNotPending};
    } else {
      change(*job);
      Persist({job});
      schedule_needed_ = true;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<CancelOutcome> Controller::Hold(const std::vector<JobId>& ids,
                                            bool user_hold,
                                            const common::Identity& who,
                                            int64_t now) {
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  // A running job takes the hold too, as in Slurm (exit 0): it keeps
  // running, shows the reason, and stays held if it is requeued.
  return UpdatePending(ids, who, now, [](const Job&) { return true; },
                       [&](Job& job) {
                         job.spec.hold = true;
                         job.spec.admin_hold = admin && !user_hold;
                         job.priority = 0;
                         job.reason = job.spec.admin_hold ? JobReason::kJobHeldAdmin
                                                          : JobReason::kJobHeldUser;
                       },
                       /*running_too=*/true);
}

std::vector<CancelOutcome> Controller::Release(const std::vector<JobId>& ids,
                                               const common::Identity& who,
                                               int64_t now) {
  const bool admin = who.uid == 0 || who.uid == own_uid_;
  return UpdatePending(
      ids, who, now, [&](const Job& job) { return admin || !job.spec.admin_hold; },
      [&](Job& job) {
        if (!job.spec.hold) return;
        job.spec.hold = false;
        job.spec.admin_hold = false;
        job.priority = BasePriority(job);
        job.reason = JobReason::kNone;
      },
      /*running_too=*/true);
}

}  // namespace sluice::ctld
