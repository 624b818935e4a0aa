#include "absl/strings/string_view.h"
#include "nodedaemon/node_daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>

#include "absl/strings/str_cat.h"
#include "common/rpc/rpc_auth.h"
#include "common/users.h"

namespace sluice::node {
namespace v1 = ::sluice::v1;

namespace {
int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string SpoolDir(const common::SlurmConfig& c, const std::string& node) {
  std::string d = c.slurmd_spool_dir;
  for (size_t p; (p = d.find("%n")) != std::string::npos;)
    d.replace(p, 2, node);
  return d;
}

uint64_t MemTotalMb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  in >> key >> kb;
  return kb / 1024;
}
}  // namespace

NodeDaemon::NodeDaemon(NodeDaemonOptions opts)
    : opts_(std::move(opts)),
      node_conf_(opts_.config.FindNode(opts_.node_name)),
      auth_(common::MakeMungeAuthenticator(opts_.config.auth_socket)),
      launcher_(MakeProcessLauncher()),
      work_(boost::asio::make_work_guard(io_)),
      sigchld_(io_, SIGCHLD),
      supervisor_({opts_.node_name, common::ShortHostname(),
                   SpoolDir(opts_.config, opts_.node_name), opts_.config.path},
                  launcher_.get()) {}

NodeDaemon::~NodeDaemon() {
  Shutdown();
  work_.reset();
  io_.stop();
  if (loop_.joinable()) loop_.join();
  if (reporter_.joinable()) reporter_.join();
}

template <typename F>
void NodeDaemon::RunOnStrand(F&& fn) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

absl::Status NodeDaemon::Start() {
  if (!node_conf_)
    return absl::NotFoundError(absl::StrCat(
        "Node ", opts_.node_name, " not found in ", opts_.config.path));
  std::string spool = SpoolDir(opts_.config, opts_.node_name);
  ::mkdir(spool.c_str(), 0755);
  auto inv = opts_.gpus->Inventory();
  if (!inv.ok()) return inv.status();
  gpus_ = *inv;
  spdlog::info("{}: {} GPU(s) from {} backend", opts_.node_name, gpus_.size(),
               opts_.gpus->Backend());

  std::string addr =
      absl::StrCat(node_conf_->addr, ":", opts_.config.NodePort(*node_conf_));
  grpc::ServerBuilder b;
  b.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);  // see CtldServer::Start
  int port = 0;
  b.AddListeningPort(addr, grpc::InsecureServerCredentials(), &port);
  b.RegisterService(this);
  server_ = b.BuildAndStart();
  if (!server_ || port == 0)
    return absl::UnavailableError(absl::StrCat("cannot listen on ", addr));
  spdlog::info("sluice-noded {} listening on {}", opts_.node_name, addr);

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  ctld_ = v1::SluiceCtldInternal::NewStub(grpc::CreateCustomChannel(
      absl::StrCat(opts_.config.ctld_addr, ":", opts_.config.ctld_port),
      grpc::InsecureChannelCredentials(), args));

  ArmReaper();
  loop_ = std::thread([this] { io_.run(); });
  reporter_ = std::thread([this] { ReporterLoop(); });
  return absl::OkStatus();
}

void NodeDaemon::Wait() {
  if (server_) server_->Wait();
}

void NodeDaemon::Shutdown() {
  {
    std::lock_guard<std::mutex> l(report_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  report_cv_.notify_all();
  if (server_)
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(200));
}

void NodeDaemon::ArmReaper() {
  sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    Reap();
    ArmReaper();
  });
}

void NodeDaemon::Reap() {
  bool any = false;
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    supervisor_.OnExit(pid, status);
    any = true;
  }
  if (any) TriggerReport();
}

void NodeDaemon::TriggerReport() {
  {
    std::lock_guard<std::mutex> l(report_mu_);
    report_now_ = true;
  }
  report_cv_.notify_all();
}

// Registration, then a report every heartbeat or whenever a job ends. Ended
// jobs stay queued until the controller acknowledges them.
void NodeDaemon::ReporterLoop() {
  bool registered = false;
  for (;;) {
    v1::NodeReportRequest req;
    req.set_node_name(opts_.node_name);
    req.set_registering(!registered);
    req.set_cpus(static_cast<uint32_t>(sysconf(_SC_NPROCESSORS_ONLN)));
    req.set_real_memory_mb(MemTotalMb());
    for (const auto& g : gpus_) {
      auto* d = req.add_gpus();
      d->set_index(g.index);
      d->set_type(g.type);
      d->set_name(g.name);
      d->set_uuid(g.uuid);
    }
    RunOnStrand([&] {
      for (uint64_t id : supervisor_.Running()) req.add_running_job_ids(id);
      for (const auto& e : supervisor_.Ended()) {
        auto* x = req.add_ended();
        x->set_job_id(e.id);
        x->set_exit_code(e.exit_code);
        x->set_signal(e.signal);
        x->set_launch_failed(e.launch_failed);
        x->set_message(e.message);
      }
    });
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::NodeReportReply rep;
    grpc::Status st;
    if (auto s = common::AttachCredential(&ctx, *auth_, "NodeReport"); !s.ok()) {
      st = common::ToGrpc(s);
    } else {
      st = ctld_->NodeReport(&ctx, req, &rep);
    }
    if (st.ok()) {
      if (!registered) spdlog::info("registered with sluice-ctld");
      registered = true;
      std::vector<uint64_t> acked(rep.acked_job_ids().begin(),
                                  rep.acked_job_ids().end());
      std::vector<uint64_t> kill(rep.kill_job_ids().begin(),
                                 rep.kill_job_ids().end());
      RunOnStrand([&] {
        supervisor_.Ack(acked);
        for (uint64_t id : kill) supervisor_.Escalate(id);
      });
    } else {
      spdlog::debug("report to sluice-ctld failed: {}", st.error_message());
    }
    std::unique_lock<std::mutex> l(report_mu_);
    // Until registered, retry quickly: the controller may be starting too.
    int wait_ms = st.ok() ? opts_.heartbeat_ms : registered ? 500 : 100;
    report_cv_.wait_for(l, std::chrono::milliseconds(wait_ms),
                        [&] { return report_now_ || stopping_; });
    if (stopping_) return;
    report_now_ = false;
  }
}

bool NodeDaemon::AuthorizedPeer(grpc::ServerContext* ctx,
                                absl::string_view method) {
  auto who = common::Authenticate(*ctx, *auth_, method);
  return who.ok() && (who->uid == 0 || who->uid == geteuid());
}

grpc::Status NodeDaemon::LaunchBatch(grpc::ServerContext* ctx,
                                     const v1::LaunchBatchRequest* req,
                                     v1::LaunchBatchReply* rep) {
  if (!AuthorizedPeer(ctx, "LaunchBatch"))
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
  absl::Status st;
  RunOnStrand([&] { st = supervisor_.Launch(job, Now()); });
  if (!st.ok()) {
    spdlog::warn("job {}: {}", job.id, std::string(st.message()));
    rep->set_error(std::string(st.message()));
    TriggerReport();
  }
  return grpc::Status::OK;
}

grpc::Status NodeDaemon::SignalJob(grpc::ServerContext* ctx,
                                   const v1::SignalJobRequest* req,
                                   v1::SignalJobReply*) {
  if (!AuthorizedPeer(ctx, "SignalJob"))
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "only the controller may signal jobs");
  KillKind kind = req->kind() == v1::SIGNAL_KIND_CANCEL    ? KillKind::kCancel
                  : req->kind() == v1::SIGNAL_KIND_TIMEOUT ? KillKind::kTimeout
                                                           : KillKind::kSignal;
  uint64_t id = req->job_id();
  int sig = req->signal();
  bool batch_only = req->batch_only();
  auto kill_wait = std::chrono::seconds(req->kill_wait_s());
  RunOnStrand([&] {
    if (supervisor_.Signal(id, kind, sig, batch_only, Now())) {
      auto timer = std::make_shared<boost::asio::steady_timer>(io_, kill_wait);
      timer->async_wait([this, id, timer](const boost::system::error_code& ec) {
        if (!ec) supervisor_.Escalate(id);
      });
    }
  });
  return grpc::Status::OK;
}

}  // namespace sluice::node
