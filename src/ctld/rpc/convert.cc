#include "ctld/rpc/convert.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "common/digest.h"
#include "common/sizes.h"

#include "absl/strings/str_join.h"
#include "common/hostlist.h"
#include "common/rpc/gpu_convert.h"

namespace sluice::ctld::rpc {

SubmitRequest FromProto(const v1::JobRequest& p) {
  SubmitRequest r;
  r.name = p.name();
  r.partition = p.partition();
  r.time_limit_set = p.time_limit_set();
  r.time_limit_min = p.time_limit_min();
  r.min_nodes = p.min_nodes();
  r.ntasks = p.ntasks();
  r.ntasks_per_node = p.ntasks_per_node();
  r.cpus_per_task = p.cpus_per_task();
  r.mem_mb = p.mem_mb();
  r.gpus_per_node = p.gpus_per_node();
  r.gres = p.gres();
  r.script = p.script();
  r.work_dir = p.work_dir();
  r.std_out = p.std_out();
  r.std_err = p.std_err();
  r.std_in = p.std_in();
  r.env.assign(p.env().begin(), p.env().end());
  r.hold = p.hold();
  r.append_output = p.append_output();
  r.dependency = p.dependency();
  r.begin_time = p.begin_time();
  r.nodelist = p.nodelist();
  r.exclude = p.exclude();
  r.constraint = p.constraint();
  r.exclusive = p.exclusive();
  r.gpus = p.gpus();
  r.gpus_per_task = p.gpus_per_task();
  r.cpus_per_gpu = p.cpus_per_gpu();
  r.mem_per_cpu_mb = p.mem_per_cpu_mb();
  r.mem_per_gpu_mb = p.mem_per_gpu_mb();
  r.nice = p.nice();
  r.contiguous = p.contiguous();
  r.requeue = p.requeue();
  r.signal_num = p.signal_num();
  r.signal_secs = p.signal_secs();
  r.signal_batch = p.signal_batch();
  r.interactive = p.interactive();
  r.account = p.account();
  r.qos = p.qos();
  r.comment = p.comment();
  r.script_args.assign(p.script_args().begin(), p.script_args().end());
  r.array = p.array();
  r.deadline = p.deadline();
  r.mail_type = p.mail_type();
  r.mincpus = p.mincpus();
  r.spread_job = p.spread_job();
  r.overcommit = p.overcommit();
  r.tmp_mb = p.tmp_mb();
  r.sockets_per_node = p.sockets_per_node();
  r.cores_per_socket = p.cores_per_socket();
  r.as_uid = p.as_set() ? p.as_uid() : -1;
  r.as_gid = p.as_set() ? p.as_gid() : -1;
  r.mail_user = p.mail_user();
  r.time_min_min = p.time_min_set() ? p.time_min_min() : -1;
  r.priority = p.priority();
  r.submit_host = p.submit_host();
  r.alloc_sid = p.alloc_sid();
  r.submit_line = p.submit_line();
  return r;
}

NodeReport FromProto(const v1::NodeReportRequest& p) {
  NodeReport r;
  r.node = p.node_name();
  r.registering = p.registering();
  r.cpus = p.cpus();
  r.real_memory_mb = p.real_memory_mb();
  for (const auto& g : p.gpus()) r.gpus.push_back(common::FromProto(g));
  r.health_failure = p.health_failure();
  r.host = HostFacts{p.host().cpu_load_x100(), p.host().free_mem_mb(), p.host().os(),
                     p.host().boot_time(), p.host().daemon_start(), p.host().arch()};
  auto usage = [](const v1::Usage& u) {
    return NodeUsage{u.known(),       u.max_rss_kb(),  u.max_rss_task(), u.sum_rss_kb(),
                     u.tasks(),       u.user_usec(),   u.sys_usec(),     u.max_vm_kb(),
                     u.max_vm_task(), u.sum_vm_kb(),   u.has_min_cpu(),  u.min_cpu_usec(),
                     u.min_cpu_task(), u.max_cpu_usec(), u.max_cpu_task(), u.min_rss_kb(),
                     u.min_vm_kb(),    u.min_rss_task(), u.min_vm_task()};
  };
  for (const auto& s : p.ended_steps())
    r.ended_steps.push_back({JobId(s.job_id()), s.step_id(), usage(s.usage())});
  for (uint64_t id : p.running_job_ids()) r.running.push_back(JobId(id));
  for (const auto& c : p.job_cpus())
    r.job_cpus.emplace_back(JobId(c.job_id()),
                            std::vector<uint32_t>(c.cpu_ids().begin(), c.cpu_ids().end()));
  for (const auto& e : p.ended())
    r.ended.push_back({JobId(e.job_id()), e.exit_code(), e.signal(),
                       e.launch_failed(), e.message(), e.out_of_memory(),
                       e.prolog_failed(), e.epilog_failed(), e.unkillable(),
                       e.lost(), usage(e.usage())});
  return r;
}

// Strings are set only when not empty: proto3 sends nothing for an empty
// one either way, and each set costs an allocation in the readers' copy,
// which the strand waits for (about half of a pending job's strings are
// empty).
void ToProto(const Job& j, v1::JobInfo* p, uint64_t node_mem_mb, const std::string& cluster) {
  const JobSpec& s = j.spec;
  p->set_job_id(j.id.value());
  if (!s.name.empty()) p->set_name(s.name);
  p->set_deadline(s.deadline);
  p->set_time_min_min(std::max<int64_t>(0, s.time_min_min));
  if (j.array_job_id) {
    p->set_array_job_id(j.array_job_id);
    p->set_array_task_id(j.array_task_id);
    if (j.IsArrayRest()) p->set_array_pending(j.array_pending.Format());
    p->set_array_throttle(s.array.throttle);
  }
  p->set_user_id(s.uid);
  if (!s.user.empty()) p->set_user_name(s.user);
  if (!s.nodelist.empty()) p->set_req_nodes(common::CompressHostlist(s.nodelist));
  if (!s.exclude.empty()) p->set_exc_nodes(common::CompressHostlist(s.exclude));
  if (!s.constraint.empty()) p->set_features(s.constraint);
  p->set_group_id(s.gid);
  if (!s.group.empty()) p->set_group_name(s.group);
  if (!s.partition.empty()) p->set_partition(s.partition);
  // A completing job shows its final state with the COMPLETING flag.
  p->set_state(static_cast<v1::JobState>(j.state));
  p->set_reason(static_cast<uint32_t>(j.reason));
  p->set_submit_time(j.submit_time);
  p->set_start_time(j.start_time);
  p->set_end_time(j.end_time);
  p->set_time_limit_min(s.time_limit_min);
  p->set_num_nodes(j.alloc.empty() ? s.min_nodes
                                   : static_cast<uint32_t>(j.alloc.size()));
  uint32_t cpus = 0;
  for (const auto& a : j.alloc) cpus += a.cpus;
  p->set_num_cpus(cpus ? cpus : s.CpusPerNode() * s.min_nodes);
  if (auto v = j.NodeList(); !v.empty()) p->set_node_list(std::move(v));
  p->set_priority(j.priority);
  if (!s.work_dir.empty()) p->set_work_dir(s.work_dir);
  if (auto v = j.StdOutPattern(); !v.empty()) p->set_std_out(std::move(v));
  if (auto v = j.StdErrPattern(); !v.empty()) p->set_std_err(std::move(v));
  p->set_std_in(s.std_in.empty() ? "/dev/null" : s.std_in);
  p->set_exit_code(j.exit_code);
  p->set_exit_signal(j.exit_signal);
  p->set_requeue(j.spec.requeue != 0);
  p->set_restart_count(j.restart_count);
  p->set_interactive(j.spec.interactive);
  for (const auto& st : j.steps) {
    auto* x = p->add_steps();
    x->set_step_id(st.id);
    x->set_name(st.name);
    x->set_start_time(st.start_time);
    x->set_node_list(common::CompressHostlist(st.nodes));
    x->set_ntasks(st.ntasks);
    x->set_nnodes(static_cast<uint32_t>(st.nodes.size()));
    uint32_t cpus = 0;
    for (uint32_t c : st.cpus) cpus += c;
    x->set_cpus(cpus);
    x->set_mem_mb(st.mem_mb);
    x->set_srun_host(st.srun_host);
    x->set_srun_pid(st.srun_pid);
    x->set_cyclic(st.cyclic);
  }
  if (auto v = s.TresPerNode(); !v.empty()) p->set_tres_per_node(std::move(v));
  p->set_min_mem_mb(s.mem_mb);
  p->set_min_tmp_disk_mb(s.tmp_mb);
  p->set_num_tasks(s.ntasks);
  p->set_cpus_per_task(s.cpus_per_task);
  if (!j.BatchHost().empty()) p->set_batch_host(j.BatchHost());
  p->set_eligible_time(j.eligible_time);
  p->set_completing(j.state == JobState::kCompleting);
  if (!s.dependency.empty()) p->set_dependency(s.dependency);
  p->set_nice(s.nice);
  if (!s.account.empty()) p->set_account(s.account);
  if (!s.qos.empty()) p->set_qos(s.qos);
  if (!s.comment.empty()) p->set_comment(s.comment);
  if (!s.submit_host.empty()) p->set_alloc_node(s.submit_host);
  p->set_cluster(cluster);
  if (s.cpus_per_gpu) p->set_cpus_per_tres(absl::StrCat("gres:gpu:", s.cpus_per_gpu));
  if (s.mem_per_gpu_mb) p->set_mem_per_tres(absl::StrCat("gres:gpu:", s.mem_per_gpu_mb));
  int32_t derived = 0;
  for (const auto& st : j.step_log)
    if (st.end_time) derived = std::max(derived, st.exit_code);
  p->set_derived_exit_code(derived);
  p->set_suspend_time(j.suspend_time);
  p->set_pre_suspend_secs(j.pre_suspend_secs);
  if (!s.std_out.empty()) p->set_std_out_given(s.std_out);
  if (!s.std_err.empty()) p->set_std_err_given(s.std_err);
  p->set_cpus_per_task_set(s.cpus_per_task_set);
  for (const auto& a : j.alloc) {
    auto* x = p->add_allocs();
    x->set_node(a.node);
    x->set_cpus(a.cpus);
    x->set_mem_mb(a.mem_mb);
    for (uint32_t g : a.gpus) x->add_gpus(g);
    if (auto c = j.cpu_ids.find(a.node); c != j.cpu_ids.end())
      for (uint32_t id : c->second) x->add_cpu_ids(id);
  }
  p->set_suspended_secs(j.suspended_secs);  // (a suspended job's current stop not counted)
  p->set_scheduler(j.start_time ? (j.backfilled ? "Backfill" : "Main")
                                : (j.backfill_eval ? "Backfill:*" : "Main"));
  p->set_alloc_sid(s.alloc_sid);
  p->set_contiguous(s.contiguous);
  p->set_exclusive(s.exclusive);
  p->set_ntasks_per_node(s.ntasks_per_node);
  {
    // Pending: what it asks (memory per node, or a whole node's); started:
    // what it holds (memory only where it was given some).
    uint32_t cpus = p->num_cpus(), nodes = p->num_nodes();
    // (gres/gpu is not among Slurm's default AccountingStorageTRES.)
    auto tres = [&](uint64_t mem) {
      return absl::StrCat("cpu=", cpus, mem ? absl::StrCat(",mem=", common::FormatTresMemMB(mem)) : "",
                          ",node=", nodes, ",billing=", cpus);
    };
    // (tres_req only where it differs: a queue's waiting jobs carry one.)
    p->set_tres(tres((s.mem_mb ? s.mem_mb : node_mem_mb) * nodes));
    if (!j.alloc.empty()) {
      uint64_t mem = 0;
      for (const auto& a : j.alloc) mem += a.mem_mb;
      std::string held = tres(mem);
      if (held != p->tres()) {
        p->set_tres_req(p->tres());
        p->set_tres(std::move(held));
      }
    }
  }
  if (j.state == JobState::kPending && j.expected_start) {
    p->set_expected_start(j.expected_start);
    p->set_sched_nodes(common::CompressHostlistOrdered(j.sched_nodes));
  }
}

namespace {

// A field added to Job or JobSpec changes these sizes and stops the build
// here: add it to ShownDigest below (or to its list of fields left out),
// then the size.
static_assert(sizeof(JobSpec) == 896, "JobSpec changed: update ShownDigest");
static_assert(sizeof(Job) == 1560, "Job changed: update ShownDigest");

void AddNames(common::Digest& d, const std::vector<std::string>& v) {
  d.Add(v.size());
  for (const auto& x : v) d.Add(x);
}

void AddSpec(common::Digest& d, const JobSpec& s) {
  // Left out, as no view shows them: script, env_block, body_id (where the
  // store keeps those two), script_args, submit_line.
  d.Add(s.uid).Add(s.gid).Add(s.user).Add(s.group).Add(s.name).Add(s.partition);
  d.Add(s.time_limit_min).Add(s.min_nodes).Add(s.ntasks).Add(s.ntasks_set);
  d.Add(s.ntasks_per_node).Add(s.cpus_per_task).Add(s.cpus_per_task_set).Add(s.cpus_per_gpu);
  d.Add(s.mem_mb).Add(s.mem_per_gpu_mb).Add(s.gpus_per_node).Add(s.gpu_type);
  d.Add(s.work_dir).Add(s.std_out).Add(s.std_err).Add(s.std_in);
  d.Add(s.hold).Add(s.admin_hold).Add(s.append_output).Add(s.dependency);
  AddNames(d, s.nodelist);
  AddNames(d, s.exclude);
  d.Add(s.constraint).Add(s.exclusive).Add(s.contiguous).Add(s.account).Add(s.qos);
  d.Add(s.comment).Add(s.nice).Add(s.fixed_priority).Add(s.begin_time).Add(s.submit_host);
  d.Add(s.alloc_sid).Add(s.requeue).Add(s.signal_num).Add(s.signal_secs).Add(s.signal_batch);
  d.Add(s.interactive).Add(s.deadline).Add(s.mail_type).Add(s.mincpus).Add(s.overcommit);
  d.Add(s.tmp_mb).Add(s.sockets_per_node).Add(s.cores_per_socket).Add(s.mail_user);
  d.Add(s.time_min_min);
  d.Add(s.array.count).Add(s.array.min).Add(s.array.max).Add(s.array.step).Add(s.array.throttle);
}

}  // namespace

uint64_t ShownDigest(const Job& j, uint64_t node_mem_mb) {
  common::Digest d;
  d.Add(node_mem_mb).Add(j.id.value());
  AddSpec(d, j.spec);
  d.Add(j.state).Add(j.reason).Add(j.priority).Add(j.submit_time).Add(j.eligible_time);
  d.Add(j.start_time).Add(j.end_time);
  d.Add(j.alloc.size());
  for (const auto& a : j.alloc) {
    d.Add(a.node).Add(a.cpus).Add(a.mem_mb).Add(a.gpus.size());
    for (uint32_t g : a.gpus) d.Add(g);
  }
  d.Add(j.cpu_ids.size());
  for (const auto& [node, ids] : j.cpu_ids) {
    d.Add(node).Add(ids.size());
    for (uint32_t id : ids) d.Add(id);
  }
  d.Add(j.exit_code).Add(j.exit_signal).Add(j.restart_count).Add(j.signal_sent).Add(j.mailed);
  d.Add(j.requeue_on_end).Add(j.preempted_for);
  d.Add(j.steps.size());
  for (const auto& st : j.steps) {
    d.Add(st.id).Add(st.name).Add(st.start_time);
    AddNames(d, st.nodes);
    d.Add(st.ntasks).Add(st.cpus.size());
    for (uint32_t c : st.cpus) d.Add(c);
    d.Add(st.gpus.size());
    for (const auto& g : st.gpus) {
      d.Add(g.size());
      for (uint32_t x : g) d.Add(x);
    }
    d.Add(st.mem_mb).Add(st.srun_host).Add(st.srun_pid).Add(st.cyclic);
  }
  d.Add(j.next_step_id);
  // Of the step log, what a record shows of it (DerivedExitCode): not
  // what the steps used.
  d.Add(j.step_log.size());
  for (const auto& st : j.step_log)
    d.Add(st.id).Add(st.start_time).Add(st.end_time).Add(st.state).Add(st.exit_code).Add(st.exit_signal);
  d.Add(j.cancelled_by).Add(j.final_state).Add(j.expected_start);
  AddNames(d, j.sched_nodes);
  d.Add(j.backfilled).Add(j.suspend_time).Add(j.pre_suspend_secs).Add(j.suspended_secs);
  d.Add(j.backfill_eval).Add(j.array_job_id).Add(j.array_task_id);
  d.Add(j.array_pending.runs().size());
  for (const auto& r : j.array_pending.runs()) d.Add(r.first).Add(r.last).Add(r.step);
  return d.value();
}

std::map<std::string, uint64_t, std::less<>> PartitionNodeMem(const common::SlurmConfig& c) {
  // (Linear in nodes: a partition of 10,000 nodes must not cost 10^8 compares.)
  std::unordered_map<std::string_view, uint64_t> mem;
  for (const auto& n : c.nodes) mem.emplace(n.name, n.real_memory_mb);
  std::map<std::string, uint64_t, std::less<>> out;
  for (const auto& p : c.partitions)
    for (const auto& n : p.nodes)
      if (auto m = mem.find(n); m != mem.end()) out[p.name] = std::max(out[p.name], m->second);
  return out;
}

void ToProto(const NodeRecord& n, v1::NodeInfo* p) {
  p->set_name(n.conf.name);
  p->set_state(static_cast<v1::NodeState>(n.BaseState()));
  p->set_drain(n.drain);
  p->set_reason(n.reason);
  p->set_reason_user(n.reason_user);
  p->set_reason_time(n.reason_time);
  p->set_cpus(n.conf.cpus);
  p->set_alloc_cpus(n.alloc_cpus);
  p->set_real_memory_mb(n.conf.real_memory_mb);
  p->set_tmp_disk_mb(n.conf.tmp_disk_mb);
  p->set_alloc_memory_mb(n.alloc_mem_mb);
  p->set_gres(common::FormatGres(n.conf.gres));
  p->set_gpus_total(static_cast<uint32_t>(n.gpu_used.size()));
  p->set_gpus_alloc(n.GpusUsed());
  for (const auto& part : n.partitions) p->add_partitions(part);
  p->set_addr(n.conf.addr);
  p->set_hostname(n.conf.hostname);
  p->set_features(absl::StrJoin(n.conf.features, ","));
  p->set_responding(n.responding || !n.registered);
  for (const auto& g : n.gpus) common::ToProto(g, p->add_gpus());
  p->set_port(n.conf.port);
  auto* h = p->mutable_host();
  h->set_cpu_load_x100(n.host.cpu_load_x100);
  h->set_free_mem_mb(n.host.free_mem_mb);
  h->set_os(n.host.os);
  h->set_boot_time(n.host.boot_time);
  h->set_daemon_start(n.host.daemon_start);
  h->set_arch(n.host.arch);
  p->set_last_busy(n.last_busy);
}

void ToProto(const common::PartitionConf& c, v1::PartitionInfo* p) {
  p->set_name(c.name);
  p->set_is_default(c.is_default);
  p->set_max_time_min(c.max_time_min);
  p->set_default_time_min(c.default_time_min);
  p->set_up(c.state == "UP");
  for (const auto& n : c.nodes) p->add_nodes(n);
  p->set_max_nodes(c.max_nodes);
  for (const auto& g : c.allow_groups) p->add_allow_groups(g);
  for (const auto& q : c.allow_qos) p->add_allow_qos(q);
  if (c.allow_qos.empty())
    for (const auto& q : c.deny_qos) p->add_deny_qos(q);
  for (const auto& a : c.allow_accounts) p->add_allow_accounts(a);
  if (c.allow_accounts.empty())
    for (const auto& a : c.deny_accounts) p->add_deny_accounts(a);
}

void ToProto(const LaunchRequest& r, v1::LaunchBatchRequest* p) {
  p->set_job_id(r.id.value());
  p->set_uid(r.uid);
  p->set_gid(r.gid);
  p->set_user(r.user);
  p->set_job_name(r.job_name);
  p->set_script(r.script);
  for (const auto& e : r.env) p->add_env(e);
  p->set_work_dir(r.work_dir);
  p->set_std_out(r.std_out);
  p->set_std_err(r.std_err);
  p->set_std_in(r.std_in);
  for (uint32_t g : r.gpus) p->add_gpu_indices(g);
  p->set_cpus(r.cpus);
  p->set_mem_mb(r.mem_mb);
  p->set_append_output(r.append_output);
  p->set_partition(r.partition);
  p->set_node_list(r.node_list);
  for (const auto& a : r.script_args) p->add_script_args(a);
}

void ToProto(const SignalRequest& r, v1::SignalJobRequest* p) {
  p->set_job_id(r.id.value());
  switch (r.kind) {
    case SignalKind::kSignal: p->set_kind(v1::SIGNAL_KIND_SIGNAL); break;
    case SignalKind::kCancel: p->set_kind(v1::SIGNAL_KIND_CANCEL); break;
    case SignalKind::kTimeout: p->set_kind(v1::SIGNAL_KIND_TIMEOUT); break;
    case SignalKind::kNotify: p->set_kind(v1::SIGNAL_KIND_NOTIFY); break;
  }
  p->set_signal(r.signal);
  p->set_batch_only(r.batch_only);
  p->set_step_id(r.step_id);
  p->set_every_step(r.every_step);
  p->set_kill_wait_s(r.kill_wait_s);
  p->set_message(r.message);
}

}  // namespace sluice::ctld::rpc
