// The client API (SluiceCtld): authenticates each call, holds back a user
// over the RPC rate limit (when enabled), converts, runs the domain
// operation on the controller strand, converts back. Thread-safe: its
// state of its own is the shared job snapshot and the rate limiter (both
// thread-safe; the limiter is set before the server starts).
#pragma once

#include <memory>

#include "common/auth.h"
#include "common/rate_limiter.h"
#include "common/rpc/rpc_auth.h"
#include "ctld.grpc.pb.h"
#include "ctld/rpc/core_runner.h"
#include "ctld/rpc/grpc_node_client.h"
#include "ctld/rpc/job_snapshot.h"
#include "ctld/store/job_store.h"

namespace sluice::ctld::rpc {

class ClientService final : public ::sluice::v1::SluiceCtld::Service {
 public:
  // `acct` (may be null: sacct is then refused) reads accounting records
  // on the calling gRPC thread, never on the controller's strand.
  ClientService(CoreRunner* runner, common::Authenticator* auth, GrpcNodeClient* nodes,
                AcctReader* acct = nullptr)
      : runner_(runner), auth_(auth), nodes_(nodes), acct_(acct), snapshots_(runner) {}
  // SlurmctldParameters=rl_enable: every caller but root and `exempt_uid`
  // (SlurmUser) spends a token per call. Call before serving.
  void EnableRateLimit(const common::RateLimitConfig& c, uint32_t exempt_uid);
  uint64_t rate_limited() const { return limiter_ ? limiter_->refused() : 0; }
  // The readers' copy of the job list, once unread for a while
  // (job_snapshot.h); true when it was dropped.
  bool DropIdleSnapshot() {
    return snapshots_.DropIfUnread(std::chrono::seconds(5));
  }

  grpc::Status SubmitBatchJob(grpc::ServerContext* ctx,
                              const ::sluice::v1::SubmitBatchJobRequest* req,
                              ::sluice::v1::SubmitBatchJobReply* rep) override;
  grpc::Status QueryJobs(grpc::ServerContext* ctx,
                         const ::sluice::v1::QueryJobsRequest* req,
                         ::sluice::v1::QueryJobsWire* rep) override;
  grpc::Status CancelJobs(grpc::ServerContext* ctx,
                          const ::sluice::v1::CancelJobsRequest* req,
                          ::sluice::v1::CancelJobsReply* rep) override;
  grpc::Status UpdateJobs(grpc::ServerContext* ctx,
                          const ::sluice::v1::UpdateJobsRequest* req,
                          ::sluice::v1::UpdateJobsReply* rep) override;
  grpc::Status UpdateNodes(grpc::ServerContext* ctx,
                           const ::sluice::v1::UpdateNodesRequest* req,
                           ::sluice::v1::UpdateNodesReply* rep) override;
  grpc::Status CreateStep(grpc::ServerContext* ctx,
                          const ::sluice::v1::CreateStepRequest* req,
                          ::sluice::v1::CreateStepReply* rep) override;
  grpc::Status CompleteJob(grpc::ServerContext* ctx,
                           const ::sluice::v1::CompleteJobRequest* req,
                           ::sluice::v1::CompleteJobReply* rep) override;
  grpc::Status QueryCluster(grpc::ServerContext* ctx,
                            const ::sluice::v1::QueryClusterRequest* req,
                            ::sluice::v1::QueryClusterReply* rep) override;
  grpc::Status ModifyJob(grpc::ServerContext* ctx, const ::sluice::v1::ModifyJobRequest* req,
                         ::sluice::v1::ModifyJobReply* rep) override;
  grpc::Status AcctMgr(grpc::ServerContext* ctx, const ::sluice::v1::AcctMgrRequest* req,
                       ::sluice::v1::AcctMgrReply* rep) override;  // acctmgr_service.cc
  grpc::Status Reconfigure(grpc::ServerContext* ctx,
                           const ::sluice::v1::ReconfigureRequest* req,
                           ::sluice::v1::ModifyJobReply* rep) override;
  grpc::Status UpdatePartition(grpc::ServerContext* ctx,
                               const ::sluice::v1::UpdatePartitionRequest* req,
                               ::sluice::v1::ModifyJobReply* rep) override;
  // shares_service.cc (sshare, sprio)
  grpc::Status QueryShares(grpc::ServerContext* ctx, const ::sluice::v1::SharesRequest* req,
                           ::sluice::v1::SharesReply* rep) override;
  // acct_service.cc
  grpc::Status QueryAccounting(grpc::ServerContext* ctx,
                               const ::sluice::v1::AcctQueryRequest* req,
                               ::sluice::v1::AcctQueryReply* rep) override;

 private:
  // The caller, authenticated and admitted by the rate limit; a refusal is
  // RESOURCE_EXHAUSTED "RPC rate limited" (the client waits and asks again).
  template <typename Req>
  absl::StatusOr<common::Identity> Admit(const grpc::ServerContext& ctx, const char* method,
                                         const Req& req) {
    auto who = common::Authenticate(ctx, *auth_, method, req);
    if (who.ok() && limiter_ && who->uid != 0 && who->uid != exempt_uid_ &&
        !limiter_->Admit(who->uid))
      return absl::ResourceExhaustedError("RPC rate limited");
    return who;
  }
  // sacctmgr add|modify|delete qos (acctmgr_service.cc).
  grpc::Status AcctMgrQos(const ::sluice::v1::AcctMgrRequest& req, const common::Identity& who,
                          ::sluice::v1::AcctMgrReply* rep);
  // The reply for a planned step; with `launch` the controller also starts
  // srun's tasks on the step's nodes.
  absl::Status FillStepReply(StepPlan plan, uint64_t job, const common::Identity& who,
                             const ::sluice::v1::StepLaunchTemplate* launch,
                             ::sluice::v1::CreateStepReply* rep);

  std::unique_ptr<common::RateLimiter> limiter_;
  uint32_t exempt_uid_ = 0;
  CoreRunner* runner_;
  common::Authenticator* auth_;
  GrpcNodeClient* nodes_;
  AcctReader* acct_;
  JobSnapshots snapshots_;  // QueryJobs' reads, shared, off the strand
  // A read naming at most this many jobs is answered on the strand when
  // the copy is out of date (AnswerNarrowRead): ~1 ms of conversion.
  static constexpr size_t kNarrowReadJobs = 1000;
};

}  // namespace sluice::ctld::rpc
