#include <algorithm>
#include <chrono>
#include "ctld/rpc/client_service.h"

#include <set>

#include "common/hostlist.h"
#include "common/rpc/rpc_auth.h"
#include "common/rpc/step_launch.h"
#include "common/users.h"
#include "ctld/rpc/convert.h"

namespace sluice::ctld::rpc {

namespace v1 = ::sluice::v1;

namespace {
template <typename Reply>
void AddResults(const std::vector<CancelOutcome>& results, Reply* rep) {
  for (const auto& o : results) {
    auto* r = rep->add_results();
    r->set_job_id(o.id.value());
    r->set_error(o.error);
    r->set_error_code(o.code);
  }
}
StepRequest StepRequestFrom(const v1::CreateStepRequest& req, uint64_t job) {
  StepRequest sr;
  sr.job = JobId(job);
  sr.ntasks = req.ntasks();
  sr.nodes = req.nodes();
  sr.ntasks_per_node = req.ntasks_per_node();
  sr.cpus_per_task = req.cpus_per_task();
  sr.name = req.name();
  sr.overlap = req.overlap();
  sr.exact = req.exact();
  sr.cyclic = req.cyclic();
  sr.gpus_per_node = req.gpus_per_node();
  sr.mem_mb = req.mem_mb();
  sr.srun_host = req.srun_host();
  sr.srun_pid = req.srun_pid();
  return sr;
}
}  // namespace

// The reply for a step the controller planned; with srun's launch template
// the controller also starts the tasks on every node (the only way tasks
// start: node daemons take LaunchTasks from the controller alone). Runs off
// the strand, since it waits for the nodes.
absl::Status ClientService::FillStepReply(StepPlan plan, uint64_t job,
                                          const common::Identity& who,
                                          const v1::StepLaunchTemplate* launch,
                                          v1::CreateStepReply* rep) {
  if (!plan.error.empty()) {
    rep->set_error(plan.error);
    rep->set_busy(plan.busy);
    return absl::OkStatus();
  }
  rep->set_step_id(plan.step_id);
  rep->set_node_list(plan.node_list);
  rep->set_ntasks(plan.ntasks);
  for (auto& e : plan.env) rep->add_env(std::move(e));
  for (const auto& n : plan.nodes) {
    auto* x = rep->add_nodes();
    x->set_name(n.name);
    x->set_address(n.address);
    for (uint32_t t : n.tasks) x->add_tasks(t);
    for (uint32_t g : n.gpus) x->add_gpus(g);
    x->set_cpus(n.cpus);
    x->set_mem_mb(n.mem_mb);
    x->set_job_cpus(n.job_cpus);
    x->set_job_mem_mb(n.job_mem_mb);
    for (uint32_t g : n.job_gpus) x->add_job_gpus(g);
  }
  if (!launch) return absl::OkStatus();
  // The tasks run as whoever asked (the job's owner, or root); the
  // template cannot name anyone, nor nodes, CPUs or GPUs.
  common::StepRunAs run_as{who.uid, who.gid, plan.user};
  if (who.uid != plan.uid) {
    auto u = common::LookupUser(who.uid);
    run_as.user = u ? u->name : std::to_string(who.uid);
  }
  auto reqs = common::StepLaunchRequests(*launch, job, *rep, run_as);
  if (!reqs.ok()) return reqs.status();
  std::vector<GrpcNodeClient::NodeLaunch> by_node;
  for (int i = 0; i < rep->nodes_size(); ++i) {
    (*reqs)[i].set_node(rep->nodes(i).name());
    by_node.push_back({rep->nodes(i).name(), rep->nodes(i).address(), std::move((*reqs)[i])});
  }
  for (auto& [node, why] : nodes_->LaunchTasks(by_node)) {
    auto* e = rep->add_launch_errors();
    e->set_node(node);
    e->set_error(why);
  }
  rep->set_launched(true);
  return absl::OkStatus();
}

grpc::Status ClientService::SubmitBatchJob(
    grpc::ServerContext* ctx, const v1::SubmitBatchJobRequest* req,
    v1::SubmitBatchJobReply* rep) {
  auto who = Admit(*ctx, "SubmitBatchJob", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  if (req->first_step().has_launch())
    if (auto s = common::ValidateStepLaunchTemplate(req->first_step().launch()); !s.ok())
      return common::ToGrpc(s);
  SubmitRequest sr = FromProto(req->job());
  auto submit = [&](Controller& c, int64_t now) {
    SubmitOutcome o = c.Submit(sr, *who, now);
    rep->set_job_id(o.id.value());
    rep->set_error(o.error);
    for (const auto& n : o.notes) rep->add_notes(n);
    return o.id;
  };
  if (req->test_only()) {
    runner_->Run([&](Controller& c, int64_t now) {
      WillRunOutcome o = c.WillRun(sr, *who, now);
      rep->set_job_id(o.would_be_id);
      rep->set_error(o.error);
      for (const auto& n : o.notes) rep->add_notes(n);
      rep->set_test_start(o.start_time);
      rep->set_test_nodes(common::CompressHostlist(o.nodes));
      rep->set_test_cpus(o.cpus);
      rep->set_test_partition(o.partition);
    });
    return grpc::Status::OK;
  }
  if (sr.interactive) {
    // srun/salloc wait for the allocation: accept, schedule and answer in
    // one strand visit; the commit follows without holding the reply (an
    // interactive allocation dies with its srun anyway).
    // srun's first step is planned in the same visit when the job starts.
    std::optional<StepPlan> step;
    runner_->RunThenCommit([&](Controller& c, int64_t now) {
      JobId id = submit(c, now);
      if (id.value() == 0) return;
      c.Schedule(now);
      auto it = c.jobs().find(id.value());
      bool running = it != c.jobs().end() && it->second.state == JobState::kRunning;
      rep->set_running(running);
      if (!running && req->job().immediate()) {
        c.Cancel({id}, 0, false, false, *who, now);
        rep->set_error("Immediate execution impossible, insufficient priority");
      }
      if (running && req->has_first_step())
        step = c.CreateStep(StepRequestFrom(req->first_step(), id.value()), *who, now);
    });
    if (step) {
      const auto& fs = req->first_step();
      // srun --uid: root made this job for its owner, so the job's own
      // first step runs as the owner, as Slurm's does.
      common::Identity step_who = *who;
      if (who->uid == 0 && req->job().as_set()) {
        step_who.uid = step->uid;
        step_who.gid = step->gid;
      }
      if (auto s = FillStepReply(std::move(*step), rep->job_id(), step_who,
                                 fs.has_launch() ? &fs.launch() : nullptr,
                                 rep->mutable_first_step());
          !s.ok())
        return common::ToGrpc(s);
    }
    return grpc::Status::OK;
  }
  absl::Status durable = runner_->RunDurable([&](Controller& c, int64_t now) { submit(c, now); });
  if (!durable.ok() && rep->job_id() != 0) {
    // Not on disk, so not accepted: Slurm's words for a state directory
    // that refuses the job's files.
    rep->set_job_id(0);
    rep->set_error("I/O error writing script/environment to file");
  }
  return grpc::Status::OK;
}

grpc::Status ClientService::CreateStep(grpc::ServerContext* ctx,
                                       const v1::CreateStepRequest* req,
                                       v1::CreateStepReply* rep) {
  auto who = Admit(*ctx, "CreateStep", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  if (req->has_launch())
    if (auto s = common::ValidateStepLaunchTemplate(req->launch()); !s.ok())
      return common::ToGrpc(s);
  StepRequest sr = StepRequestFrom(*req, req->job_id());
  StepPlan plan;
  runner_->Run([&](Controller& c, int64_t now) { plan = c.CreateStep(sr, *who, now); });
  if (auto s = FillStepReply(std::move(plan), req->job_id(), *who,
                             req->has_launch() ? &req->launch() : nullptr, rep);
      !s.ok())
    return common::ToGrpc(s);
  return grpc::Status::OK;
}

grpc::Status ClientService::CompleteJob(grpc::ServerContext* ctx,
                                        const v1::CompleteJobRequest* req,
                                        v1::CompleteJobReply* rep) {
  auto who = Admit(*ctx, "CompleteJob", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  runner_->Run([&](Controller& c, int64_t now) {
    absl::Status st = c.CompleteJob(JobId(req->job_id()), req->step_id(), req->exit_code(),
                                    req->signal(), *who, now, req->out_of_memory());
    if (!st.ok()) rep->set_error(std::string(st.message()));
  });
  return grpc::Status::OK;
}

void ClientService::EnableRateLimit(const common::RateLimitConfig& c, uint32_t exempt_uid) {
  limiter_ = std::make_unique<common::RateLimiter>(c, [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  });
  exempt_uid_ = exempt_uid;
}

grpc::Status ClientService::QueryJobs(grpc::ServerContext* ctx,
                                      const v1::QueryJobsRequest* req,
                                      v1::QueryJobsWire* rep) {
  auto who = Admit(*ctx, "QueryJobs", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  auto snap = snapshots_.Current();
  if (!snap && (req->job_ids_size() || req->user_ids_size())) {
    // Out of date, and the read names its jobs: converting those alone on
    // the strand is far cheaper than a new copy of every job.
    bool answered = false;
    runner_->RunRead([&](const Controller& c, int64_t now) {
      std::optional<uint32_t> only;
      if (c.SeesOwnOnly("jobs", *who)) only = who->uid;
      answered = AnswerNarrowRead(c, now, *req, rep, only, kNarrowReadJobs);
    });
    if (answered) return grpc::Status::OK;
  }
  if (!snap) snap = snapshots_.Get();
  std::optional<uint32_t> only;
  if (snap->private_jobs) {  // (only then is the strand asked who the caller is)
    runner_->RunRead([&](const Controller& c, int64_t) {
      if (c.SeesOwnOnly("jobs", *who)) only = who->uid;
    });
  }
  AnswerQueryJobs(*snap, *req, rep, only);
  // Nothing a reader sees has changed since the copy was made (else it
  // would not be current), but time has: squeue's TIME counts from now.
  rep->set_now(std::max(snap->now, runner_->WallNow()));
  return grpc::Status::OK;
}

grpc::Status ClientService::ModifyJob(grpc::ServerContext* ctx,
                                      const v1::ModifyJobRequest* req,
                                      v1::ModifyJobReply* rep) {
  auto who = Admit(*ctx, "ModifyJob", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  JobChanges c;
  if (req->has_time_limit_min()) c.time_limit_min = req->time_limit_min();
  if (req->has_partition()) c.partition = req->partition();
  if (req->has_num_nodes()) c.num_nodes = req->num_nodes();
  if (req->has_priority()) c.priority = req->priority();
  if (req->has_nice()) c.nice = req->nice();
  if (req->has_dependency()) c.dependency = req->dependency();
  if (req->has_begin_time()) c.begin_time = req->begin_time();
  if (req->has_name()) c.name = req->name();
  if (req->has_comment()) c.comment = req->comment();
  if (req->has_features()) c.features = req->features();
  if (req->has_req_nodes()) c.req_nodes = req->req_nodes();
  if (req->has_exc_nodes()) c.exc_nodes = req->exc_nodes();
  absl::Status st;
  runner_->Run([&](Controller& ctl, int64_t now) {
    st = ctl.ModifyJob(JobId(req->job_id()), c, *who, now);
  });
  if (!st.ok()) rep->set_error(std::string(st.message()));
  return grpc::Status::OK;
}

grpc::Status ClientService::UpdatePartition(grpc::ServerContext* ctx,
                                            const v1::UpdatePartitionRequest* req,
                                            v1::ModifyJobReply* rep) {
  auto who = Admit(*ctx, "UpdatePartition", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  PartitionChanges c;
  if (req->has_state()) c.state = req->state();
  if (req->has_max_time_min()) c.max_time_min = req->max_time_min();
  if (req->has_nodes()) c.nodes = req->nodes();
  if (req->has_is_default()) c.is_default = req->is_default();
  absl::Status st;
  runner_->Run([&](Controller& ctl, int64_t now) {
    st = ctl.UpdatePartition(req->name(), c, *who, now);
  });
  if (!st.ok()) rep->set_error(std::string(st.message()));
  return grpc::Status::OK;
}

// Parsed here, off the strand; applied on it.
grpc::Status ClientService::Reconfigure(grpc::ServerContext* ctx,
                                        const v1::ReconfigureRequest* req,
                                        v1::ModifyJobReply* rep) {
  auto who = Admit(*ctx, "Reconfigure", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  std::string path;
  runner_->RunRead([&](const Controller& c, int64_t) { path = c.config().path; });
  auto next = common::LoadSlurmConf(path);
  if (!next.ok()) {
    rep->set_error(std::string(next.status().message()));
    return grpc::Status::OK;
  }
  absl::Status st;
  runner_->Run([&](Controller& c, int64_t now) { st = c.Reconfigure(*std::move(next), *who, now); });
  if (!st.ok()) rep->set_error(std::string(st.message()));
  return grpc::Status::OK;
}

grpc::Status ClientService::CancelJobs(grpc::ServerContext* ctx,
                                       const v1::CancelJobsRequest* req,
                                       v1::CancelJobsReply* rep) {
  auto who = Admit(*ctx, "CancelJobs", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  std::vector<JobId> ids;
  for (uint64_t id : req->job_ids()) ids.push_back(JobId(id));
  runner_->Run([&](Controller& c, int64_t now) {
    // One result per request entry, in the request's order.
    std::vector<CancelOutcome> results(ids.size());
    std::vector<JobId> whole;
    std::vector<size_t> whole_at;
    std::set<size_t> single;  // entries naming one array task
    for (size_t i = 0; i < ids.size(); ++i) {
      int step = static_cast<int>(i) < req->step_ids_size() ? req->step_ids(static_cast<int>(i)) : -1;
      int64_t task = static_cast<int>(i) < req->array_tasks_size()
                         ? req->array_tasks(static_cast<int>(i)) : -1;
      if (task >= 0) {  // N_i: that task's own record
        auto t = c.ArrayTask(ids[i], static_cast<uint32_t>(task), now);
        if (!t.ok()) {
          results[i] = {ids[i], std::string(t.status().message()), kEslurmInvalidJobId};
          continue;
        }
        ids[i] = *t;
        single.insert(i);
      }
      if (step >= 0) {
        results[i] = c.CancelStep(ids[i], static_cast<uint32_t>(step), req->signal(),
                                  req->batch(), *who, now);
      } else {
        whole.push_back(ids[i]);
        whole_at.push_back(i);
      }
    }
    // An array's ID cancels (or signals) every record of it: the entry's
    // result is a success when any of them took it.
    for (size_t k = 0; k < whole.size(); ++k) {
      std::vector<JobId> members =
          single.count(whole_at[k]) ? std::vector<JobId>{whole[k]} : c.ArrayMembers(whole[k]);
      auto outcomes = c.Cancel(members, req->signal(), req->full(), req->batch(), *who, now);
      CancelOutcome r = outcomes.empty() ? CancelOutcome{whole[k], "", 0} : outcomes[0];
      for (const auto& o : outcomes)
        if (o.error.empty()) r = {whole[k], "", 0};
      r.id = whole[k];
      results[whole_at[k]] = r;
    }
    AddResults(results, rep);
  });
  return grpc::Status::OK;
}

grpc::Status ClientService::UpdateJobs(grpc::ServerContext* ctx,
                                       const v1::UpdateJobsRequest* req,
                                       v1::UpdateJobsReply* rep) {
  auto who = Admit(*ctx, "UpdateJobs", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  runner_->Run([&](Controller& c, int64_t now) {
    // An array's ID stands for its tasks still waiting; N_i for that task.
    std::vector<JobId> ids;
    std::vector<CancelOutcome> missing;
    for (int i = 0; i < req->job_ids_size(); ++i) {
      JobId id(req->job_ids(i));
      int64_t task = i < req->array_tasks_size() ? req->array_tasks(i) : -1;
      if (task >= 0) {
        auto t = c.ArrayTask(id, static_cast<uint32_t>(task), now);
        if (t.ok()) ids.push_back(*t);
        else missing.push_back({id, std::string(t.status().message()), kEslurmInvalidJobId});
        continue;
      }
      std::vector<JobId> members = c.ArrayMembers(id);
      if (members.size() == 1) {
        ids.push_back(id);
        continue;
      }
      // Holds and releases: the array's waiting tasks; a requeue: its
      // tasks that ran.
      bool requeue = req->action() == v1::JOB_ACTION_REQUEUE ||
                     req->action() == v1::JOB_ACTION_REQUEUE_HOLD ||
                     req->action() == v1::JOB_ACTION_SUSPEND ||
                     req->action() == v1::JOB_ACTION_RESUME;
      for (JobId m : members)
        if ((c.jobs().at(m.value()).state == JobState::kPending) != requeue) ids.push_back(m);
    }
    AddResults(missing, rep);
    switch (req->action()) {
      case v1::JOB_ACTION_RELEASE: AddResults(c.Release(ids, *who, now), rep); break;
      case v1::JOB_ACTION_TOP: AddResults(c.TopJobs(ids, *who, now), rep); break;
      case v1::JOB_ACTION_NOTIFY:
        for (JobId id : ids) AddResults({c.Notify(id, req->message(), *who, now)}, rep);
        break;
      case v1::JOB_ACTION_SUSPEND:
      case v1::JOB_ACTION_RESUME:
        AddResults(c.Suspend(ids, req->action() == v1::JOB_ACTION_RESUME, *who, now), rep);
        break;
      case v1::JOB_ACTION_REQUEUE:
      case v1::JOB_ACTION_REQUEUE_HOLD:
        AddResults(c.RequeueJobs(ids, req->action() == v1::JOB_ACTION_REQUEUE_HOLD, *who, now),
                   rep);
        break;
      default:
        AddResults(c.Hold(ids, req->action() == v1::JOB_ACTION_USER_HOLD, *who, now), rep);
    }
  });
  return grpc::Status::OK;
}

grpc::Status ClientService::UpdateNodes(grpc::ServerContext* ctx,
                                        const v1::UpdateNodesRequest* req,
                                        v1::UpdateNodesReply* rep) {
  auto who = Admit(*ctx, "UpdateNodes", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  runner_->Run([&](Controller& c, int64_t now) {
    absl::Status st = c.UpdateNodes(req->nodes(), req->state(), req->reason(), *who, now);
    if (!st.ok()) rep->set_error(std::string(st.message()));
  });
  return grpc::Status::OK;
}

grpc::Status ClientService::QueryCluster(grpc::ServerContext* ctx,
                                         const v1::QueryClusterRequest* req,
                                         v1::QueryClusterReply* rep) {
  auto who = Admit(*ctx, "QueryCluster", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  // (A read: no event follows it, so sinfo does not make the readers' job
  // copy out of date.)
  runner_->RunRead([&](const Controller& c, int64_t now) {
    rep->set_now(now);
    rep->set_cluster_name(c.config().cluster_name);
    rep->set_boot_time(c.boot_time());
    rep->set_next_job_id(c.next_job_id());
    rep->set_conf_hash(c.config().text_hash);
    PassStats st = runner_->SchedulingStats();
    auto* s = rep->mutable_scheduling();
    s->set_passes(st.passes);
    s->set_run_us_total(st.run_us_total);
    s->set_run_us_max(st.run_us_max);
    s->set_run_us_last(st.run_us_last);
    s->set_asked_passes(st.asked_passes);
    s->set_wait_us_total(st.wait_us_total);
    s->set_wait_us_max(st.wait_us_max);
    s->set_copies(snapshots_.builds());
    s->set_copy_jobs_converted(snapshots_.total_converted());
    s->set_copy_us_total(std::chrono::duration_cast<std::chrono::microseconds>(
                             snapshots_.total_strand_time()).count());
    for (const auto& n : c.nodes()) ToProto(n, rep->add_nodes());
    for (const auto& p : c.config().partitions)
      ToProto(p, rep->add_partitions());
  });
  return grpc::Status::OK;
}

}  // namespace sluice::ctld::rpc
