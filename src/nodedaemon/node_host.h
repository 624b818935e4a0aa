// sluice-noded's composition root: one process serving one node, as slurmd
// does, or several (`sluice-noded -N 'sim[0-99]'`: simulated nodes for
// running thousands of nodes on one host, each speaking the real protocol
// and running real jobs). Owns the slurm.conf, the io_context whose single
// loop thread is the strand every NodeDaemon here shares, the NodeDaemons,
// and the one gRPC server for SluiceNode, which listens on every address
// its nodes have in slurm.conf and hands each call to the node the request
// names (several nodes may share one address). A session thread keeps one
// NodeSession open with the controller for all its nodes (liveness apart
// from telemetry; reopened with back-off when it ends) and tells each node
// whether it holds. Thread-safe entry points: Start, Wait, Shutdown.
#pragma once

#include <grpcpp/grpcpp.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/auth.h"
#include "common/slurm_conf.h"
#include "node.grpc.pb.h"
#include "nodedaemon/node_daemon.h"

namespace sluice::node {

class NodeHost final : public ::sluice::v1::SluiceNode::Service {
 public:
  NodeHost(common::SlurmConfig config, std::vector<NodeDaemonOptions> nodes);
  ~NodeHost() override;

  absl::Status Start();
  void Wait();
  void Shutdown();

  grpc::Status LaunchBatch(grpc::ServerContext* ctx,
                           const ::sluice::v1::LaunchBatchRequest* req,
                           ::sluice::v1::LaunchBatchReply* rep) override;
  grpc::Status LaunchTasks(grpc::ServerContext* ctx,
                           const ::sluice::v1::LaunchTasksRequest* req,
                           ::sluice::v1::LaunchTasksReply* rep) override;
  grpc::Status SignalJob(grpc::ServerContext* ctx,
                         const ::sluice::v1::SignalJobRequest* req,
                         ::sluice::v1::SignalJobReply* rep) override;
  grpc::Status ListPids(grpc::ServerContext* ctx, const ::sluice::v1::ListPidsRequest* req,
                        ::sluice::v1::ListPidsReply* rep) override;

 private:
  // The node a request names: an empty name means this daemon's only node.
  NodeDaemon* Find(const std::string& node, grpc::Status* why);
  // Hands a call to the node its request names.
  template <typename Req, typename Rep>
  grpc::Status Forward(grpc::Status (NodeDaemon::*call)(grpc::ServerContext*, const Req*, Rep*),
                       grpc::ServerContext* ctx, const Req* req, Rep* rep);
  void SessionLoop();

  const common::SlurmConfig config_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<NodeDaemon>> daemons_;  // fixed after construction
  std::map<std::string, NodeDaemon*, std::less<>> by_name_;
  std::unique_ptr<grpc::Server> server_;
  std::thread loop_;
  std::unique_ptr<common::Authenticator> auth_;
  std::thread session_;
  std::mutex session_mu_;
  std::condition_variable session_cv_;
  bool stopping_ = false;                          // guarded by session_mu_
  grpc::ClientContext* session_ctx_ = nullptr;     // guarded by session_mu_
};

}  // namespace sluice::node
