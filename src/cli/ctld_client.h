// The commands' connection to sluice-ctld: reads the controller address and
// MUNGE socket from slurm.conf, attaches a credential to every call. One
// instance per command invocation; not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/slurm_conf.h"
#include "ctld.grpc.pb.h"

namespace sluice::cli {

// "ipv4:HOST:PORT" when HOST is an IPv4 literal, else HOST:PORT unchanged.
std::string GrpcTarget(const std::string& host_port);

class CtldClient {
 public:
  explicit CtldClient(const common::SlurmConfig& cfg);

  absl::StatusOr<::sluice::v1::SubmitBatchJobReply> Submit(
      const ::sluice::v1::SubmitBatchJobRequest& req);
  absl::StatusOr<::sluice::v1::QueryJobsReply> QueryJobs(
      const ::sluice::v1::QueryJobsRequest& req);
  absl::StatusOr<::sluice::v1::CancelJobsReply> Cancel(
      const ::sluice::v1::CancelJobsRequest& req);
  absl::StatusOr<::sluice::v1::QueryClusterReply> QueryCluster();
  absl::StatusOr<::sluice::v1::UpdateJobsReply> UpdateJobs(
      const ::sluice::v1::UpdateJobsRequest& req);
  absl::StatusOr<::sluice::v1::UpdateNodesReply> UpdateNodes(
      const ::sluice::v1::UpdateNodesRequest& req);
  absl::StatusOr<::sluice::v1::CreateStepReply> CreateStep(
      const ::sluice::v1::CreateStepRequest& req);
  absl::StatusOr<::sluice::v1::CompleteJobReply> CompleteJob(
      const ::sluice::v1::CompleteJobRequest& req);
  absl::StatusOr<::sluice::v1::ModifyJobReply> ModifyJob(
      const ::sluice::v1::ModifyJobRequest& req);
  absl::StatusOr<::sluice::v1::AcctQueryReply> QueryAccounting(
      const ::sluice::v1::AcctQueryRequest& req);
  common::Authenticator& auth() { return *auth_; }

 private:
  template <typename Req, typename Rep, typename Fn>
  absl::StatusOr<Rep> Call(const char* method, const Req& req, Fn fn);

  std::unique_ptr<common::Authenticator> auth_;
  std::unique_ptr<::sluice::v1::SluiceCtld::Stub> stub_;
};

// QueryJobs for squeue and scontrol: on failure (the controller unreachable,
// or a single unknown job ID) prints Slurm's "slurm_load_jobs error: ..."
// and returns nullopt.
std::optional<::sluice::v1::QueryJobsReply> LoadJobs(
    CtldClient& client, const ::sluice::v1::QueryJobsRequest& req);

// Slurm's wording for a controller that cannot be reached.
inline constexpr char kUnableToContact[] =
    "Unable to contact slurm controller (connect failure)";

}  // namespace sluice::cli
