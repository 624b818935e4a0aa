// sluice-ctld's composition root. Owns, in order of construction: the
// config, the authenticator, the job store, the io_context and its single
// loop thread (the strand that owns the Controller), the gRPC node client,
// the MailProg mailer (--mail-type; it spawns and reaps off the strand),
// the Controller, the services and the gRPC server. gRPC handler threads
// reach the Controller only through Run() and its kin (RunReadHere lends
// the caller the Controller while the strand waits parked). Thread-safe
// entry points: Run() and its kin, Shutdown(), Wait().
#pragma once

#include <grpcpp/grpcpp.h>

#include <boost/asio.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <future>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/slurm_conf.h"
#include "ctld/core/controller.h"
#include "ctld/mail_prog.h"
#include "ctld/pass_pacer.h"
#include "ctld/rpc/client_service.h"
#include "ctld/rpc/core_runner.h"
#include "ctld/rpc/grpc_node_client.h"
#include "ctld/rpc/node_service.h"
#include "ctld/store/job_store.h"

namespace sluice::ctld {

class CtldServer final : public rpc::CoreRunner {
 public:
  static absl::StatusOr<std::unique_ptr<CtldServer>> Create(
      common::SlurmConfig config);
  ~CtldServer() override;

  // Binds SlurmctldHost's address and port and starts serving.
  absl::Status Start();
  void Wait();
  void Shutdown();

  void Run(const std::function<void(Controller&, int64_t)>& fn) override;
  void RunEvent(const std::function<bool(Controller&, int64_t)>& fn) override;
  void RunThenCommit(const std::function<void(Controller&, int64_t)>& fn) override;
  absl::Status RunDurable(
      const std::function<void(Controller&, int64_t)>& fn) override;
  void RunRead(const std::function<void(const Controller&, int64_t)>& fn) override;
  void RunReadHere(const std::function<void(const Controller&, int64_t)>& fn) override;
  uint64_t Generation() const override { return generation_.load(std::memory_order_acquire); }
  int64_t WallNow() const override { return Now(); }
  PassStats SchedulingStats() const override { return pacer_.stats(); }  // strand

 private:
  // Bumped on the strand after every event that may change what QueryJobs
  // shows (every call; a node report, a pass or a tick only when it changed
  // a job).
  std::atomic<uint64_t> generation_{1};
  void Bump() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  CtldServer(common::SlurmConfig config,
             std::unique_ptr<common::Authenticator> auth,
             std::unique_ptr<JobStore> store);
  static int64_t Now();
  // `changed`: whether the event may have changed a job (bumps the
  // generation, so readers get a new copy).
  void AfterEvent(bool changed = true);
  void RunPass(bool paced);  // strand; paced: an event's pass (PassPacer::Ran)
  void ArmTick();

  common::SlurmConfig config_;
  std::unique_ptr<common::Authenticator> auth_;
  std::unique_ptr<JobStore> store_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer tick_;
  rpc::GrpcNodeClient node_client_;
  MailProgMailer mailer_;
  Controller controller_;
  bool schedule_posted_ = false;  // strand-owned
  PassPacer pacer_;               // strand-owned: when the next pass may run
  boost::asio::steady_timer pass_timer_{io_};  // a pass held back by the pacer
  bool flush_posted_ = false;     // strand-owned
  bool store_failing_ = false;    // strand-owned: logged once per outage
  void LogStoreHealth();          // strand
  uint64_t ticks_ = 0;            // strand-owned
  static constexpr uint64_t kPeriodicPassTicks = 5;  // 1 s ticks
  uint64_t trims_ = 0;                                // strand-owned
  static constexpr uint64_t kTrimTicks = 60;          // malloc_trim once a minute
  std::vector<std::shared_ptr<std::promise<absl::Status>>> sync_waiters_;  // strand
  void Flush();
  void PostFlush();  // strand: one Flush queued behind what is queued now
  std::unique_ptr<AcctReader> acct_reader_;  // thread-safe; sacct's reads
  rpc::ClientService client_service_;
  rpc::NodeService node_service_;
  std::unique_ptr<grpc::Server> server_;
  std::thread loop_;
};

}  // namespace sluice::ctld
