// One node of sluice-noded: owns the node's GPU probe, its stepd control,
// its JobSupervisor (owned by the strand: the loop thread of the io_context
// the NodeHost lends it, which watches each job's sluice-stepd through a
// pidfd), its reporter thread (registration, heartbeats with GPU telemetry,
// job ends) and its health-check thread. The NodeHost's gRPC server hands
// it the SluiceNode calls that name it. Jobs live in their stepds, so
// stopping the daemon never stops a job. Thread-safe entry points:
// the RPC handlers, Shutdown; Start and StartReporting once, in that order,
// by the host.
#pragma once

#include "absl/strings/string_view.h"
#include <grpcpp/grpcpp.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <chrono>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <ctime>

#include "absl/status/status.h"
#include "common/auth.h"
#include "common/slurm_conf.h"
#include "node.grpc.pb.h"
#include "nodedaemon/core/job_supervisor.h"
#include "nodedaemon/gpu/gpu_probe.h"
#include "nodedaemon/launch/stepd_control.h"

namespace sluice::node {

struct NodeDaemonOptions {
  std::string node_name;
  std::unique_ptr<GpuProbe> gpus;
  int heartbeat_ms = 2000;
  std::string stepd_path;  // the sluice-stepd binary
  bool standby_stepd = true;  // keep one stepd started ahead of time
};

class NodeDaemon final {
 public:
  // `config` and `io` belong to the host and outlive the daemon.
  NodeDaemon(const common::SlurmConfig& config, NodeDaemonOptions opts,
             boost::asio::io_context& io);
  ~NodeDaemon();

  // Before the strand runs: reattaches surviving stepds, reads the GPUs.
  absl::Status Start();
  // Once the strand runs: registration and reports, health checks.
  void StartReporting();
  // Stops reporting and joins the threads (the strand must still run).
  void Shutdown();
  const std::string& name() const { return opts_.node_name; }
  // The host's NodeSession holds (the controller knows the node is alive:
  // quiet reports may wait longer) or not; a lost session reports at once.
  void SetSession(bool up);
  // A report now (e.g. after the controller came back).
  void TriggerReport();
  // This node's address, "host:port", as slurm.conf gives it.
  std::string Address() const;

  // SluiceNode's calls for this node (from gRPC threads).
  grpc::Status LaunchBatch(grpc::ServerContext* ctx,
                           const ::sluice::v1::LaunchBatchRequest* req,
                           ::sluice::v1::LaunchBatchReply* rep);
  grpc::Status LaunchTasks(grpc::ServerContext* ctx,
                           const ::sluice::v1::LaunchTasksRequest* req,
                           ::sluice::v1::LaunchTasksReply* rep);
  grpc::Status SignalJob(grpc::ServerContext* ctx,
                         const ::sluice::v1::SignalJobRequest* req,
                         ::sluice::v1::SignalJobReply* rep);
  grpc::Status ListPids(grpc::ServerContext* ctx, const ::sluice::v1::ListPidsRequest* req,
                        ::sluice::v1::ListPidsReply* rep);

 private:
  // Runs `fn` on the strand and waits for it (from gRPC threads).
  template <typename F>
  void RunOnStrand(F&& fn) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }
  // Calls `on_exit` on the strand when `pid` (a stepd) exits.
  void WatchPid(pid_t pid, std::function<void()> on_exit);
  void Watch(uint64_t id, pid_t pid);  // a batch job's stepd
  // On the strand: while commands wait for a stepd's socket, retry them
  // every 50 ms (a signal or cancel is never lost to a stepd still starting).
  void RetryPendingSoon();
  void ReporterLoop();
  void HealthLoop();
  // A report within `delay` (coalesced): for an srun step's end, which the
  // controller needs only when that srun is gone (a live one says so itself),
  // so it stays out of the way of the srun's own calls.
  void TriggerReportSoon(std::chrono::milliseconds delay);
  static constexpr std::chrono::milliseconds kStepEndReportDelay{300};
  static constexpr std::chrono::milliseconds kLaunchReportDelay{200};
  bool AuthorizedPeer(grpc::ServerContext* ctx, absl::string_view method,
                      const google::protobuf::MessageLite& req);

  const common::SlurmConfig& config_;
  NodeDaemonOptions opts_;
  const common::NodeConf* node_conf_;
  std::unique_ptr<common::Authenticator> auth_;
  std::unique_ptr<StepdControl> stepds_;
  std::vector<GpuInfo> gpus_;
  boost::asio::io_context& io_;
  JobSupervisor supervisor_;  // strand-owned
  std::map<pid_t, std::shared_ptr<boost::asio::posix::stream_descriptor>>
      watchers_;  // strand-owned: one pidfd per running stepd
  boost::asio::steady_timer pending_timer_{io_};  // strand-owned
  bool pending_armed_ = false;                    // strand-owned
  std::unique_ptr<::sluice::v1::SluiceCtldInternal::Stub> ctld_;
  std::thread reporter_;
  std::thread health_;
  const int64_t started_at_ = time(nullptr);  // SlurmdStartTime
  std::mutex report_mu_;
  std::condition_variable report_cv_;
  bool report_now_ = false;  // guarded by report_mu_
  std::optional<std::chrono::steady_clock::time_point> report_at_;  // guarded by report_mu_
  bool stopping_ = false;    // guarded by report_mu_
  bool session_ = false;     // guarded by report_mu_
  std::string health_failure_;  // guarded by report_mu_
};

}  // namespace sluice::node
