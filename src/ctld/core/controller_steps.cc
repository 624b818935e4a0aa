// Steps: srun inside an allocation (a batch job or one srun/salloc made)
// gets a step ID and a task layout over the allocation's nodes; the end of
// an interactive allocation or of a step is reported back by srun/salloc.
#include <csignal>
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/hostlist.h"
#include "ctld/core/controller.h"

namespace sluice::ctld {

StepPlan Controller::CreateStep(const StepRequest& req, const common::Identity& who,
                                int64_t now) {
  last_now_ = now;
  StepPlan plan;
  Job* job = FindJob(req.job);
  if (!job) {
    plan.error = "Invalid job id specified";
    return plan;
  }
  if (!Authorized(*job, who) || (who.uid != 0 && who.uid != own_uid_ && who.uid != job->spec.uid)) {
    plan.error = "Access/permission denied";
    return plan;
  }
  if (job->state != JobState::kRunning) {
    plan.error = job->state == JobState::kPending
                     ? "Job is pending execution"
                     : "Job/step already completing or completed";
    return plan;
  }
  // Nodes: the first `nodes` of the allocation (all by default).
  size_t nnodes = job->alloc.size();
  if (req.nodes) {
    if (req.nodes > nnodes) {
      plan.error = "Requested node configuration is not available";
      return plan;
    }
    nnodes = req.nodes;
  }
  uint32_t ntasks = req.ntasks;
  if (req.ntasks_per_node && !ntasks) ntasks = req.ntasks_per_node * static_cast<uint32_t>(nnodes);
  if (ntasks == 0) ntasks = static_cast<uint32_t>(nnodes);
  if (ntasks < nnodes) nnodes = ntasks;  // no node without a task
  // Block distribution: consecutive task IDs fill a node before the next.
  std::vector<uint32_t> per_node(nnodes, ntasks / nnodes);
  for (size_t i = 0; i < ntasks % nnodes; ++i) ++per_node[i];
  // CPUs the other steps hold on each node (those that did not --overlap).
  std::map<std::string, uint32_t> held;
  for (const auto& st : job->steps)
    for (size_t i = 0; i < st.cpus.size(); ++i) held[st.nodes[i]] += st.cpus[i];
  // GPUs other steps hold alone on each node.
  std::map<std::string, std::set<uint32_t>> held_gpus;
  for (const auto& st : job->steps)
    for (size_t i = 0; i < st.gpus.size() && i < st.nodes.size(); ++i)
      held_gpus[st.nodes[i]].insert(st.gpus[i].begin(), st.gpus[i].end());
  uint32_t cpt = std::max<uint32_t>(1, req.cpus_per_task);
  std::vector<uint32_t> step_cpus;
  std::vector<std::vector<uint32_t>> step_gpus;
  for (size_t i = 0; i < nnodes; ++i) {
    const auto& a = job->alloc[i];
    // Without --exact a step takes all the job's CPUs on its nodes (as
    // Slurm 22.05 does); with it, what its tasks need.
    uint32_t want = req.exact ? std::min(a.cpus, per_node[i] * cpt) : a.cpus;
    if (req.gpus_per_node > a.gpus.size() || (req.mem_mb && a.mem_mb && req.mem_mb > a.mem_mb)) {
      plan.error = "Requested node configuration is not available";
      return plan;
    }
    if (!req.overlap && held[a.node] + want > a.cpus) {
      plan.error = "Requested nodes are busy";
      plan.busy = true;
      return plan;
    }
    step_cpus.push_back(want);
    // A step that asks for GPUs gets that many of the job's, not shared
    // with another step that asked; one that asks for none sees them all.
    std::vector<uint32_t> mine;
    for (uint32_t g : a.gpus)
      if (mine.size() < req.gpus_per_node && !held_gpus[a.node].count(g)) mine.push_back(g);
    if (mine.size() < req.gpus_per_node) {
      plan.error = "Requested nodes are busy";
      plan.busy = true;
      return plan;
    }
    step_gpus.push_back(std::move(mine));
  }
  uint32_t next = 0;
  std::vector<std::string> names;
  for (size_t i = 0; i < nnodes; ++i) {
    const auto& a = job->alloc[i];
    const NodeRecord* n = FindNode(a.node);
    if (!n) {
      plan.error = "Invalid node name specified";
      return plan;
    }
    StepPlan::Node pn;
    pn.name = a.node;
    pn.address = Endpoint(*n).address;
    if (!req.cyclic)
      for (uint32_t t = 0; t < per_node[i]; ++t) pn.tasks.push_back(next++);
    pn.gpus = req.gpus_per_node ? step_gpus[i] : a.gpus;
    pn.cpus = step_cpus[i];
    pn.mem_mb = req.mem_mb;
    pn.job_cpus = a.cpus;
    pn.job_mem_mb = a.mem_mb;
    pn.job_gpus = a.gpus;
    names.push_back(a.node);
    plan.nodes.push_back(std::move(pn));
  }
  if (req.cyclic) {
    // Deal the tasks round-robin over the nodes, each up to its count.
    uint32_t total = 0;
    for (uint32_t c : per_node) total += c;
    std::vector<uint32_t> left(per_node.begin(), per_node.begin() + plan.nodes.size());
    for (uint32_t t = 0, i = 0; t < total; i = (i + 1) % plan.nodes.size()) {
      if (left[i] == 0) continue;
      --left[i];
      plan.nodes[i].tasks.push_back(t++);
    }
  }
  plan.step_id = job->next_step_id++;
  plan.ntasks = ntasks;
  plan.node_list = common::CompressHostlist(names);
  plan.env = JobEnv(*job);
  plan.uid = job->spec.uid;
  plan.gid = job->spec.gid;
  plan.user = job->spec.user;
  job->steps.push_back({plan.step_id, req.name, now, names, ntasks,
                        req.overlap ? std::vector<uint32_t>{} : step_cpus,
                        req.gpus_per_node ? step_gpus : std::vector<std::vector<uint32_t>>{},
                        req.mem_mb, req.srun_host, req.srun_pid, req.cyclic});
  StepRecord rec;
  rec.id = plan.step_id;
  rec.name = req.name;
  rec.start_time = now;
  rec.node_list = plan.node_list;
  rec.nnodes = static_cast<uint32_t>(names.size());
  rec.ntasks = ntasks;
  for (uint32_t c : step_cpus) rec.ncpus += c;
  job->step_log.push_back(std::move(rec));
  acct_dirty_.insert(job->id.value());
  return plan;
}

absl::Status Controller::CompleteJob(JobId id, int step, int exit_code, int signal,
                                     const common::Identity& who, int64_t now,
                                     bool out_of_memory) {
  last_now_ = now;
  Job* job = FindJob(id);
  if (!job) return absl::NotFoundError("Invalid job id specified");
  if (!Authorized(*job, who)) return absl::PermissionDeniedError("Access/permission denied");
  if (step >= 0) {
    std::erase_if(job->steps, [&](const Job::Step& s) { return s.id == static_cast<uint32_t>(step); });
    EndStepRecord(*job, static_cast<uint32_t>(step), StepEndState(exit_code, signal, out_of_memory),
                  exit_code, signal, now);
    return absl::OkStatus();
  }
  if (!job->spec.interactive)
    return absl::FailedPreconditionError("Only an interactive allocation can be completed");
  if (job->state != JobState::kRunning) return absl::OkStatus();  // already ended
  job->exit_code = exit_code;
  job->exit_signal = signal;
  job->steps.clear();
  for (const auto& r : job->step_log)
    if (!r.end_time)
      EndStepRecord(*job, r.id, StepEndState(exit_code, signal, out_of_memory), exit_code, signal,
                    now);
  if (out_of_memory) {
    Finish(*job, JobState::kOutOfMemory, JobReason::kOutOfMemory, now);
    return absl::OkStatus();
  }
  Finish(*job, exit_code == 0 && signal == 0 ? JobState::kCompleted : JobState::kFailed,
         exit_code == 0 && signal == 0 ? JobReason::kNone : JobReason::kNonZeroExitCode, now);
  return absl::OkStatus();
}

void Controller::FlushAccounting() {
  std::vector<const Job*> batch;
  for (uint64_t id : acct_dirty_)
    if (const Job* j = FindJob(JobId(id))) batch.push_back(j);
  acct_dirty_.clear();
  if (!batch.empty()) Persist(batch);
}

JobState Controller::StepEndState(int exit_code, int signal, bool out_of_memory) {
  if (out_of_memory) return JobState::kOutOfMemory;
  if (signal == SIGTERM || signal == SIGKILL) return JobState::kCancelled;
  return exit_code == 0 && signal == 0 ? JobState::kCompleted : JobState::kFailed;
}

void Controller::EndStepRecord(Job& job, uint32_t step, JobState state, int exit_code, int signal,
                               int64_t now) {
  for (auto& r : job.step_log) {
    if (r.id != step || r.end_time) continue;
    r.end_time = now;
    r.state = state;
    r.exit_code = exit_code;
    r.exit_signal = signal;
    acct_dirty_.insert(job.id.value());
  }
}

CancelOutcome Controller::CancelStep(JobId id, uint32_t step, int signal, bool batch_only,
                                    const common::Identity& who, int64_t now) {
  last_now_ = now;
  CancelOutcome out{id, "", 0};
  Job* found = FindJob(id);
  if (!found || found->state != JobState::kRunning) {
    out.error = "Invalid job id specified";
    out.code = kEslurmInvalidJobId;
    return out;
  }
  if (!Authorized(*found, who)) {
    out.error = "Access/permission denied";
    out.code = kEslurmAccessDenied;
    return out;
  }
  Job& job = *found;
  for (const auto& s : job.steps) {
    if (s.id != step) continue;
    SignalRequest sr = signal == 0
                           ? SignalRequest{job.id, SignalKind::kCancel, 15, false,
                                           config_.kill_wait_s}
                           : SignalRequest{job.id, SignalKind::kSignal, signal, batch_only,
                                           config_.kill_wait_s};
    sr.step_id = static_cast<int32_t>(step);
    for (const auto& name : s.nodes)
      if (const NodeRecord* n = FindNode(name))
        node_client_->Signal(Endpoint(*n), sr, [](absl::Status) {});
    return out;
  }
  out.error = "Invalid job id specified";
  out.code = kEslurmInvalidJobId;
  return out;
}

}  // namespace sluice::ctld
