#include "nodedaemon/node_daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/rpc/gpu_convert.h"
#include "common/rpc/rpc_auth.h"
#include "nodedaemon/host_facts.h"
#include "nodedaemon/report_pacer.h"
#include "nodedaemon/usage_proto.h"
#include "nodedaemon/launch/programs.h"
#include "common/users.h"

namespace sluice::node {
namespace v1 = ::sluice::v1;

namespace {
int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SupervisorOptions MakeSupervisorOptions(const common::SlurmConfig& c,
                                        const std::string& node) {
  SupervisorOptions o;
  o.node_name = node;
  o.hostname = common::ShortHostname();
  o.spool_dir = c.SpoolDirFor(node);
  o.conf_path = c.path;
  o.cpu_count = static_cast<uint32_t>(sysconf(_SC_NPROCESSORS_ONLN));
  if (const auto* n = c.FindNode(node))
    for (uint32_t i = 0; i < n->gpus(); ++i) o.all_gpus.push_back(i);
  o.prolog = c.prolog;
  o.epilog = c.epilog;
  o.task_prolog = c.task_prolog;
  o.task_epilog = c.task_epilog;
  o.unkillable_timeout_s = c.unkillable_step_timeout_s;
  o.acct_gather_s = c.acct_gather_task_s;
  o.cgroup = c.cgroup;
  return o;
}

}  // namespace

NodeDaemon::NodeDaemon(const common::SlurmConfig& config, NodeDaemonOptions opts,
                       boost::asio::io_context& io)
    : config_(config),
      opts_(std::move(opts)),
      node_conf_(config_.FindNode(opts_.node_name)),
      auth_(common::MakeMungeAuthenticator(config_.auth_socket)),
      stepds_(MakeStepdControl(opts_.stepd_path, opts_.standby_stepd)),
      io_(io),
      supervisor_(MakeSupervisorOptions(config_, opts_.node_name),
                  stepds_.get()) {}

NodeDaemon::~NodeDaemon() { Shutdown(); }

std::string NodeDaemon::Address() const {
  return node_conf_ ? absl::StrCat(node_conf_->addr, ":", config_.NodePort(*node_conf_)) : "";
}

absl::Status NodeDaemon::Start() {
  if (!node_conf_)
    return absl::NotFoundError(absl::StrCat(
        "Node ", opts_.node_name, " not found in ", config_.path));
  std::string spool = config_.SpoolDirFor(opts_.node_name);
  ::mkdir(spool.c_str(), 0755);
  // Jobs whose stepds outlived the last daemon are ours again.
  for (auto [id, pid] : supervisor_.Recover()) {
    spdlog::info("job {}: reattached to sluice-stepd {}", id, pid);
    Watch(id, pid);
  }
  for (auto [job, step, pid] : supervisor_.RecoverSteps()) {
    spdlog::info("step {}.{}: reattached to sluice-stepd {}", job, step, pid);
    WatchPid(pid, [this, job = job, step = step] { supervisor_.OnStepExit(job, step); });
  }
  auto inv = opts_.gpus->Inventory();
  if (!inv.ok()) return inv.status();
  gpus_ = *inv;
  {
    std::vector<uint32_t> minors;
    for (const auto& g : gpus_) minors.push_back(g.minor);
    // The configured count rules; GPUs the probe did not find keep index = minor.
    for (size_t i = minors.size(); i < node_conf_->gpus(); ++i)
      minors.push_back(static_cast<uint32_t>(i));
    supervisor_.SetGpuMinors(std::move(minors));
  }
  spdlog::info("{}: {} GPU(s) from {} backend", opts_.node_name, gpus_.size(),
               opts_.gpus->Backend());
  return absl::OkStatus();
}

void NodeDaemon::StartReporting() {
  // The same arguments for every node here: gRPC shares one connection
  // among the channels of a daemon that serves several nodes.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  ctld_ = v1::SluiceCtldInternal::NewStub(grpc::CreateCustomChannel(
      absl::StrCat(config_.ctld_addr, ":", config_.ctld_port),
      grpc::InsecureChannelCredentials(), args));

  reporter_ = std::thread([this] { ReporterLoop(); });
  if (!config_.health_check_program.empty())
    health_ = std::thread([this] { HealthLoop(); });
}

void NodeDaemon::Shutdown() {
  {
    std::lock_guard<std::mutex> l(report_mu_);
    stopping_ = true;
  }
  report_cv_.notify_all();
  if (reporter_.joinable()) reporter_.join();
  if (health_.joinable()) health_.join();
}

// Learns of a stepd's end through a pidfd, which works for stepds this
// daemon started and for those it found after a restart alike.
void NodeDaemon::WatchPid(pid_t pid, std::function<void()> on_exit) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    spdlog::warn("stepd {}: pidfd_open: {}; relying on heartbeat checks", pid, strerror(errno));
    return;
  }
  auto sd = std::make_shared<boost::asio::posix::stream_descriptor>(io_, fd);
  watchers_[pid] = sd;
  sd->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 [this, pid, sd, on_exit = std::move(on_exit)](const boost::system::error_code& ec) {
                   if (ec) return;
                   ::waitpid(pid, nullptr, WNOHANG);  // ours, or init's
                   watchers_.erase(pid);
                   on_exit();
                 });
}

// Learns of a stepd's end through a pidfd, which works for stepds this
// daemon started and for those it found after a restart alike.
void NodeDaemon::Watch(uint64_t id, pid_t pid) {
  WatchPid(pid, [this, id] {
    supervisor_.OnStepdExit(id);
    TriggerReport();
  });
}

// Runs HealthCheckProgram at start and every HealthCheckInterval; a failing
// run's first output line (or its exit status) goes to the controller,
// which drains the node, and a passing run clears it.
void NodeDaemon::HealthLoop() {
  for (;;) {
    ProgramRun run;
    run.path = config_.health_check_program;
    run.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "SLURMD_NODENAME=" + opts_.node_name,
               "SLURM_CONF=" + config_.path};
    run.timeout_s = 60;
    auto r = RunProgram(run);
    std::string failure;
    if (!r.ok()) {
      failure = std::string(r.status().message());
    } else if (!r->ok()) {
      std::string first = r->output.substr(0, r->output.find('\n'));
      failure = !first.empty() ? first
                : r->timed_out ? "HealthCheckProgram timed out"
                               : absl::StrCat("HealthCheckProgram failed (status ",
                                              r->wait_status, ")");
    }
    {
      std::unique_lock<std::mutex> l(report_mu_);
      bool changed = failure != health_failure_;
      health_failure_ = failure;
      if (changed) {
        report_now_ = true;
        report_cv_.notify_all();
      }
      unsigned interval = config_.health_check_interval_s;
      if (interval == 0) return;  // only at start
      report_cv_.wait_for(l, std::chrono::seconds(interval), [&] { return stopping_; });
      if (stopping_) return;
    }
  }
}

void NodeDaemon::SetSession(bool up) {
  {
    std::lock_guard<std::mutex> l(report_mu_);
    if (session_ == up) return;
    session_ = up;
    if (!up) report_now_ = true;  // the controller counts from now: tell it at once
  }
  report_cv_.notify_all();
}

void NodeDaemon::TriggerReport() {
  {
    std::lock_guard<std::mutex> l(report_mu_);
    report_now_ = true;
  }
  report_cv_.notify_all();
}

void NodeDaemon::TriggerReportSoon(std::chrono::milliseconds delay) {
  {
    std::lock_guard<std::mutex> l(report_mu_);
    auto at = std::chrono::steady_clock::now() + delay;
    if (!report_at_ || at < *report_at_) report_at_ = at;
  }
  report_cv_.notify_all();
}

// Registration, then a report every heartbeat or whenever a job ends. Ended
// jobs stay queued until the controller acknowledges them.
void NodeDaemon::ReporterLoop() {
  bool registered = false;
  ReportPacer pacer(opts_.heartbeat_ms, config_.slurmd_timeout_s);
  std::minstd_rand jitter(std::random_device{}());
  std::string last_health;
  for (;;) {
    const bool was_registered = registered;
    bool quiet = false;
    v1::NodeReportRequest req;
    req.set_node_name(opts_.node_name);
    req.set_registering(!registered);
    req.set_cpus(static_cast<uint32_t>(sysconf(_SC_NPROCESSORS_ONLN)));
    req.set_real_memory_mb(MemTotalMb());
    ReadHostFacts(started_at_, req.mutable_host());
    std::map<uint32_t, uint64_t> owners;
    RunOnStrand([&] {
      supervisor_.CheckAlive();
      owners = supervisor_.GpuOwners();
      for (uint64_t id : supervisor_.Running()) req.add_running_job_ids(id);
      for (const auto& [id, cpus] : supervisor_.JobCpus()) {
        auto* x = req.add_job_cpus();
        x->set_job_id(id);
        for (uint32_t c : cpus) x->add_cpu_ids(c);
      }
      auto usage = UsageToProto;
      for (const auto& s : supervisor_.EndedSteps()) {
        auto* x = req.add_ended_steps();
        x->set_job_id(s.job);
        x->set_step_id(s.step);
        usage(s.usage, x->mutable_usage());
      }
      for (const auto& e : supervisor_.Ended()) {
        const StepResult& r = e.result;
        auto* x = req.add_ended();
        x->set_job_id(e.id);
        x->set_exit_code(r.exit_code);
        x->set_signal(r.signal);
        x->set_launch_failed(r.launch_failed);
        x->set_message(r.message);
        x->set_out_of_memory(r.oom);
        x->set_prolog_failed(r.prolog_failed);
        x->set_epilog_failed(r.epilog_failed);
        x->set_unkillable(r.unkillable);
        x->set_lost(r.lost);
        usage(r.usage, x->mutable_usage());
      }
    });
    for (const auto& g : opts_.gpus->Sample(owners, Now()))
      common::ToProto(g, req.add_gpus());
    {
      std::lock_guard<std::mutex> l(report_mu_);
      req.set_health_failure(health_failure_);
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::NodeReportReply rep;
    grpc::Status st;
    if (auto s = common::AttachCredential(&ctx, *auth_, "NodeReport", req); !s.ok()) {
      st = common::ToGrpc(s);
    } else {
      st = ctld_->NodeReport(&ctx, req, &rep);
    }
    if (st.ok()) {
      if (!registered) spdlog::info("{}: registered with sluice-ctld", opts_.node_name);
      registered = true;
      std::vector<uint64_t> acked(rep.acked_job_ids().begin(),
                                  rep.acked_job_ids().end());
      std::vector<uint64_t> kill(rep.kill_job_ids().begin(),
                                 rep.kill_job_ids().end());
      std::map<uint64_t, uint32_t> allocations;
      for (const auto& a : rep.allocations()) allocations[a.job_id()] = a.cpus();
      size_t steps_sent = static_cast<size_t>(req.ended_steps_size());
      bool cpus_changed = false;
      RunOnStrand([&] {
        supervisor_.AckSteps(steps_sent);
        supervisor_.Ack(acked);
        for (uint64_t id : kill) supervisor_.Kill(id);
        cpus_changed = supervisor_.Reconcile(allocations);
        RetryPendingSoon();
      });
      if (cpus_changed) TriggerReportSoon(kLaunchReportDelay);  // the CPUs now held
      // Nothing ran here and nothing was new: the next report may wait longer.
      quiet = was_registered && req.ended_size() == 0 && req.ended_steps_size() == 0 &&
              req.running_job_ids_size() == 0 && req.job_cpus_size() == 0 &&
              req.health_failure() == last_health && kill.empty() && allocations.empty() &&
              !cpus_changed;
      last_health = req.health_failure();
    } else {
      spdlog::debug("report to sluice-ctld failed: {}", st.error_message());
    }
    std::unique_lock<std::mutex> l(report_mu_);
    // Until registered, retry quickly: the controller may be starting too.
    int wait_ms = st.ok() ? pacer.NextWaitMs(quiet, session_)
                          : pacer.FailedWaitMs(registered, std::uniform_real_distribution<double>(
                                                               0, 1)(jitter));
    auto heartbeat = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
      auto until = report_at_ ? std::min(heartbeat, *report_at_) : heartbeat;
      if (report_now_ || stopping_ || std::chrono::steady_clock::now() >= until) break;
      report_cv_.wait_until(l, until);
    }
    if (stopping_) return;
    report_now_ = false;
    report_at_.reset();
  }
}

bool NodeDaemon::AuthorizedPeer(grpc::ServerContext* ctx, absl::string_view method,
                                const google::protobuf::MessageLite& req) {
  auto who = common::Authenticate(*ctx, *auth_, method, req);
  return who.ok() && (who->uid == 0 || who->uid == geteuid());
}

grpc::Status NodeDaemon::LaunchBatch(grpc::ServerContext* ctx,
                                     const v1::LaunchBatchRequest* req,
                                     v1::LaunchBatchReply* rep) {
  if (!AuthorizedPeer(ctx, "LaunchBatch", *req))
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "only the controller may launch jobs");
  BatchJob job;
  job.id = req->job_id();
  job.uid = req->uid();
  job.gid = req->gid();
  job.user = req->user();
  job.job_name = req->job_name();
  job.script = req->script();
  job.env.assign(req->env().begin(), req->env().end());
  job.work_dir = req->work_dir();
  job.std_out = req->std_out();
  job.std_err = req->std_err();
  job.std_in = req->std_in();
  job.gpus.assign(req->gpu_indices().begin(), req->gpu_indices().end());
  job.append_output = req->append_output();
  job.cpus = req->cpus();
  job.mem_mb = req->mem_mb();
  job.partition = req->partition();
  job.node_list = req->node_list();
  job.script_args.assign(req->script_args().begin(), req->script_args().end());
  absl::Status st;
  RunOnStrand([&] {
    auto pid = supervisor_.Launch(job);
    if (pid.ok()) {
      if (!watchers_.count(*pid)) Watch(job.id, *pid);
    } else {
      st = pid.status();
    }
  });
  if (!st.ok()) {
    spdlog::warn("job {}: {}", job.id, std::string(st.message()));
    rep->set_error(std::string(st.message()));
    TriggerReport();
  } else {
    // Soon, not at once: launches close together share one report of
    // their CPUs.
    TriggerReportSoon(kLaunchReportDelay);
  }
  return grpc::Status::OK;
}

void NodeDaemon::RetryPendingSoon() {
  if (pending_armed_ || !supervisor_.HasPending()) return;
  pending_armed_ = true;
  pending_timer_.expires_after(std::chrono::milliseconds(50));
  pending_timer_.async_wait([this](const boost::system::error_code& ec) {
    pending_armed_ = false;
    if (ec) return;
    supervisor_.FlushPending();
    RetryPendingSoon();
  });
}

grpc::Status NodeDaemon::SignalJob(grpc::ServerContext* ctx,
                                   const v1::SignalJobRequest* req,
                                   v1::SignalJobReply*) {
  if (!AuthorizedPeer(ctx, "SignalJob", *req))
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "only the controller may signal jobs");
  KillKind kind = req->kind() == v1::SIGNAL_KIND_CANCEL    ? KillKind::kCancel
                  : req->kind() == v1::SIGNAL_KIND_TIMEOUT ? KillKind::kTimeout
                                                           : KillKind::kSignal;
  SignalScope scope = req->batch_only() ? SignalScope::kBatchShell : SignalScope::kAll;
  if (req->kind() == v1::SIGNAL_KIND_NOTIFY) {
    RunOnStrand([&] {
      supervisor_.Notify(req->job_id(), req->message());
      RetryPendingSoon();
    });
    return grpc::Status::OK;
  }
  RunOnStrand([&] {
    supervisor_.Signal(req->job_id(), kind, req->signal(), scope,
                       req->kill_wait_s(), Now(), req->step_id(), req->every_step());
    RetryPendingSoon();
  });
  return grpc::Status::OK;
}

// srun's request for this node's tasks of a step. Two checks: the caller
// is the job's user (or root), and the controller's credential names
// exactly this job, step, user and node (MUNGE refuses a replay).
grpc::Status NodeDaemon::LaunchTasks(grpc::ServerContext* ctx,
                                     const v1::LaunchTasksRequest* req,
                                     v1::LaunchTasksReply* rep) {
  // Only the controller starts tasks: it checked that the step is the
  // caller's and names the uid MUNGE vouched for.
  if (!AuthorizedPeer(ctx, "LaunchTasks", *req))
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "launch request not from the controller");
  if (req->argv_size() == 0) {
    rep->set_error("no command");
    return grpc::Status::OK;
  }
  StepSpec spec;
  BatchJob& j = spec.job;
  j.id = req->job_id();
  j.uid = req->uid();
  j.gid = req->gid();
  j.user = req->user();
  j.job_name = req->job_name();
  j.env.assign(req->env().begin(), req->env().end());
  j.work_dir = req->cwd();
  j.gpus.assign(req->gpus().begin(), req->gpus().end());
  j.cpus = req->cpus();
  j.mem_mb = req->mem_mb();  // the step's own limit; the job's is below
  j.partition = req->partition();
  JobSupervisor::JobShare share;
  share.cpus = req->job_cpus();
  share.mem_mb = req->job_mem_mb();
  share.gpus.assign(req->job_gpus().begin(), req->job_gpus().end());
  spec.step = static_cast<int32_t>(req->step_id());
  spec.argv.assign(req->argv().begin(), req->argv().end());
  spec.tasks.assign(req->tasks().begin(), req->tasks().end());
  spec.node_index = req->node_index();
  spec.ntasks = req->ntasks();
  spec.pty = req->pty();
  spec.stdin_all = req->stdin_all();
  spec.multi_prog = req->multi_prog();
  spec.cpu_bind = req->cpu_bind();
  // -o/-e/-i FILE patterns; expanded per task and opened by the task
  // itself, after it dropped to the user.
  j.std_out = req->std_out();
  j.std_err = req->std_err();
  j.std_in = req->std_in();
  spec.io_address = req->io_address();
  spec.io_key = req->io_key();
  spec.munge_socket = config_.auth_socket;
  absl::Status st;
  uint64_t job = req->job_id();
  uint32_t step = req->step_id();
  RunOnStrand([&] {
    auto pid = supervisor_.LaunchStep(spec, share);
    if (!pid.ok()) {
      st = pid.status();
      return;
    }
    WatchPid(*pid, [this, job, step] {
      supervisor_.OnStepExit(job, step);
      TriggerReportSoon(kStepEndReportDelay);
    });
  });
  if (!st.ok()) rep->set_error(std::string(st.message()));
  else TriggerReportSoon(kLaunchReportDelay);  // the CPUs the step took
  return grpc::Status::OK;
}

}  // namespace sluice::node
