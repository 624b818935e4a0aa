// The client API (SluiceCtld): authenticates each call, converts, runs the
// domain operation on the controller strand, converts back. Thread-safe:
// its only state of its own is the shared job snapshot (thread-safe).
#pragma once

#include "common/auth.h"
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
  // acct_service.cc
  grpc::Status QueryAccounting(grpc::ServerContext* ctx,
                               const ::sluice::v1::AcctQueryRequest* req,
                               ::sluice::v1::AcctQueryReply* rep) override;

 private:
  // sacctmgr add|modify|delete qos (acctmgr_service.cc).
  grpc::Status AcctMgrQos(const ::sluice::v1::AcctMgrRequest& req, const common::Identity& who,
                          ::sluice::v1::AcctMgrReply* rep);
  // The reply for a planned step; with `launch` the controller also starts
  // srun's tasks on the step's nodes.
  absl::Status FillStepReply(StepPlan plan, uint64_t job, const common::Identity& who,
                             const ::sluice::v1::StepLaunchTemplate* launch,
                             ::sluice::v1::CreateStepReply* rep);

  CoreRunner* runner_;
  common::Authenticator* auth_;
  GrpcNodeClient* nodes_;
  AcctReader* acct_;
  JobSnapshots snapshots_;  // QueryJobs' reads, shared, off the strand
};

}  // namespace sluice::ctld::rpc
