#include "nodedaemon/node_host.h"

#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/rpc/listen.h"
#include "common/rpc/rpc_auth.h"
#include "nodedaemon/launch/cgroup.h"
#include "nodedaemon/report_pacer.h"

namespace sluice::node {
namespace v1 = ::sluice::v1;

namespace {

// See FavorDynmodsRemount: without it the first task of a job after an
// idle moment waits for an RCU grace period to enter its cgroups.
void FavorDynamicMoves(const std::string& proc_mounts) {
  std::string why;
  auto r = FavorDynmodsRemount(proc_mounts, &why);
  if (!r) {
    spdlog::info("cgroup moves: {}", why);
    return;
  }
  if (::mount("cgroup2", r->target.c_str(), "cgroup2", r->flags, r->data.c_str()) == 0)
    spdlog::info("cgroup moves: remounted {} with {} so that moving a task into its "
                 "cgroups never waits for RCU (SlurmdParameters=no_cgroup_favordynmods: don't)",
                 r->target, r->data);
  else
    spdlog::warn("cgroup moves: could not remount {} with favordynmods ({}): the first task "
                 "after an idle moment waits for an RCU grace period",
                 r->target, strerror(errno));
}

// The stepds detect cgroups the same way for each job; say once what holds.
void NoteCgroups(const common::SlurmConfig& config) {
  std::ifstream in("/proc/mounts");
  std::stringstream mounts;
  mounts << in.rdbuf();
  std::string note;
  auto cg = DetectCgroups(config.cgroup, mounts.str(), &note);
  if (cg && note.find("not enforced") == std::string::npos)
    spdlog::info("{}", note);
  else
    spdlog::warn("{}", note);
  if (cg && config.cgroup_favordynmods && ::geteuid() == 0) FavorDynamicMoves(mounts.str());
}

}  // namespace

NodeHost::NodeHost(common::SlurmConfig config, std::vector<NodeDaemonOptions> nodes)
    : config_(std::move(config)), work_(boost::asio::make_work_guard(io_)) {
  for (auto& o : nodes) {
    daemons_.push_back(std::make_unique<NodeDaemon>(config_, std::move(o), io_));
    by_name_[daemons_.back()->name()] = daemons_.back().get();
  }
}

NodeHost::~NodeHost() {
  Shutdown();
  if (session_.joinable()) session_.join();
  // Reporters first: they may be waiting on the strand.
  for (auto& d : daemons_) d->Shutdown();
  work_.reset();
  io_.stop();
  if (loop_.joinable()) loop_.join();
}

absl::Status NodeHost::Start() {
  NoteCgroups(config_);
  for (auto& d : daemons_)
    if (auto s = d->Start(); !s.ok()) return s;
  std::set<std::string> addrs;
  for (auto& d : daemons_) addrs.insert(d->Address());
  // A port still held just after a crash is waited for (common/rpc/listen.h).
  auto server = common::Listen(std::vector<std::string>(addrs.begin(), addrs.end()), {this});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  if (daemons_.size() == 1)
    spdlog::info("sluice-noded {} listening on {}", daemons_[0]->name(), *addrs.begin());
  else
    spdlog::info("sluice-noded serving {} nodes, listening on {} address(es)", daemons_.size(),
                 addrs.size());
  loop_ = std::thread([this] { io_.run(); });
  for (auto& d : daemons_) d->StartReporting();
  auth_ = common::MakeMungeAuthenticator(config_.auth_socket);
  session_ = std::thread([this] { SessionLoop(); });
  return absl::OkStatus();
}

// One NodeSession for every node here: open, wait for the controller's
// hello (the session holds), then block until it ends; again after a
// back-off (100 ms doubling to 5 s, with jitter so that many daemons do not
// come back in step). A session that ends sends every node's report at
// once, and so does one that opens again (a restarted controller learns
// the nodes at once).
void NodeHost::SessionLoop() {
  grpc::ChannelArguments args;  // as the reporters': the same connection
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  auto stub = v1::SluiceCtldInternal::NewStub(grpc::CreateCustomChannel(
      absl::StrCat(config_.ctld_addr, ":", config_.ctld_port),
      grpc::InsecureChannelCredentials(), args));
  v1::NodeSessionRequest req;
  for (auto& d : daemons_) req.add_nodes(d->name());
  std::minstd_rand rng(std::random_device{}());
  int failures = 0;
  bool opened_before = false;
  for (;;) {
    grpc::ClientContext ctx;
    {
      std::lock_guard<std::mutex> l(session_mu_);
      if (stopping_) return;
      session_ctx_ = &ctx;
    }
    bool held = false;
    if (common::AttachCredential(&ctx, *auth_, "NodeSession", req).ok()) {
      auto reader = stub->NodeSession(&ctx, req);
      v1::NodeSessionEvent ev;
      if (reader->Read(&ev)) {
        held = true;
        failures = 0;
        for (auto& d : daemons_) {
          d->SetSession(true);
          if (opened_before) d->TriggerReport();
        }
        if (!opened_before) spdlog::info("session with sluice-ctld open for {} node(s)", daemons_.size());
        opened_before = true;
        while (reader->Read(&ev)) {
        }
        for (auto& d : daemons_) d->SetSession(false);
      }
      grpc::Status st = reader->Finish();
      if (held) spdlog::info("session with sluice-ctld ended: {}", st.error_message());
    }
    std::unique_lock<std::mutex> l(session_mu_);
    session_ctx_ = nullptr;
    const int wait =
        BackoffMs(100, 5000, failures++, std::uniform_real_distribution<double>(0, 1)(rng));
    session_cv_.wait_for(l, std::chrono::milliseconds(held ? 100 : wait), [&] { return stopping_; });
    if (stopping_) return;
  }
}

void NodeHost::Wait() {
  if (server_) server_->Wait();
}

void NodeHost::Shutdown() {
  {
    std::lock_guard<std::mutex> l(session_mu_);
    stopping_ = true;
    if (session_ctx_) session_ctx_->TryCancel();
  }
  session_cv_.notify_all();
  if (server_)
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
}

NodeDaemon* NodeHost::Find(const std::string& node, grpc::Status* why) {
  if (node.empty() && daemons_.size() == 1) return daemons_[0].get();
  auto it = by_name_.find(node);
  if (it != by_name_.end()) return it->second;
  *why = node.empty() ? grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     "this sluice-noded serves several nodes; name one")
                      : grpc::Status(grpc::StatusCode::NOT_FOUND,
                                     absl::StrCat("node ", node, " is not served here"));
  return nullptr;
}

template <typename Req, typename Rep>
grpc::Status NodeHost::Forward(grpc::Status (NodeDaemon::*call)(grpc::ServerContext*, const Req*,
                                                               Rep*),
                               grpc::ServerContext* ctx, const Req* req, Rep* rep) {
  grpc::Status why;
  NodeDaemon* d = Find(req->node(), &why);
  return d ? (d->*call)(ctx, req, rep) : why;
}

grpc::Status NodeHost::LaunchBatch(grpc::ServerContext* ctx, const v1::LaunchBatchRequest* req,
                                   v1::LaunchBatchReply* rep) {
  return Forward(&NodeDaemon::LaunchBatch, ctx, req, rep);
}

grpc::Status NodeHost::LaunchTasks(grpc::ServerContext* ctx, const v1::LaunchTasksRequest* req,
                                   v1::LaunchTasksReply* rep) {
  return Forward(&NodeDaemon::LaunchTasks, ctx, req, rep);
}

grpc::Status NodeHost::SignalJob(grpc::ServerContext* ctx, const v1::SignalJobRequest* req,
                                 v1::SignalJobReply* rep) {
  return Forward(&NodeDaemon::SignalJob, ctx, req, rep);
}

grpc::Status NodeHost::ListPids(grpc::ServerContext* ctx, const v1::ListPidsRequest* req,
                                v1::ListPidsReply* rep) {
  return Forward(&NodeDaemon::ListPids, ctx, req, rep);
}

}  // namespace sluice::node
