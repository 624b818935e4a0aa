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
#include "google/protobuf/arena.h"

namespace sluice::cli {

// "ipv4:HOST:PORT" when HOST is an IPv4 literal, else HOST:PORT unchanged.
std::string GrpcTarget(const std::string& host_port);

// QueryJobs' answer: the jobs, parsed into the client's arena (a listing
// of 100,000 jobs is a million small strings: one arena instead of a
// million mallocs and frees). Valid until that CtldClient's next QueryJobs.
class JobList {
 public:
  explicit JobList(const ::sluice::v1::QueryJobsReply* r) : r_(r) {}
  const ::sluice::v1::QueryJobsReply& reply() const { return *r_; }
  operator const ::sluice::v1::QueryJobsReply&() const { return *r_; }
  const auto& jobs() const { return r_->jobs(); }
  const ::sluice::v1::JobInfo& jobs(int i) const { return r_->jobs(i); }
  int jobs_size() const { return r_->jobs_size(); }
  const std::string& error() const { return r_->error(); }
  int64_t now() const { return r_->now(); }

 private:
  const ::sluice::v1::QueryJobsReply* r_;
};

class CtldClient;
// The client of a command, alive until the process exits (never
// destroyed): destroying a gRPC channel waits for its event engine's
// threads to stop, which added 1-3 ms (p90 4 ms) to every squeue, sbatch
// and sinfo. Commands end with ExitNow, which skips destructors.
CtldClient& CommandClient(const common::SlurmConfig& cfg);

class CtldClient {
 public:
  explicit CtldClient(const common::SlurmConfig& cfg);
  ~CtldClient();

  absl::StatusOr<::sluice::v1::SubmitBatchJobReply> Submit(
      const ::sluice::v1::SubmitBatchJobRequest& req);
  absl::StatusOr<JobList> QueryJobs(const ::sluice::v1::QueryJobsRequest& req);
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
  absl::StatusOr<::sluice::v1::ModifyJobReply> Reconfigure();
  absl::StatusOr<::sluice::v1::AcctMgrReply> AcctMgr(const ::sluice::v1::AcctMgrRequest& req);
  absl::StatusOr<::sluice::v1::SharesReply> QueryShares();
  absl::StatusOr<::sluice::v1::ModifyJobReply> UpdatePartition(
      const ::sluice::v1::UpdatePartitionRequest& req);
  absl::StatusOr<::sluice::v1::AcctQueryReply> QueryAccounting(
      const ::sluice::v1::AcctQueryRequest& req);
  common::Authenticator& auth() { return *auth_; }

 private:
  template <typename Req, typename Rep, typename Fn>
  absl::StatusOr<Rep> Call(const char* method, const Req& req, Fn fn);

  std::unique_ptr<common::Authenticator> auth_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::sluice::v1::SluiceCtld::Stub> stub_;
  std::unique_ptr<google::protobuf::Arena> arena_;  // QueryJobs' answers
};

// QueryJobs for squeue and scontrol: on failure (the controller unreachable,
// or a single unknown job ID) prints Slurm's "slurm_load_jobs error: ..."
// and returns nullopt.
std::optional<JobList> LoadJobs(
    CtldClient& client, const ::sluice::v1::QueryJobsRequest& req);

// Slurm's wording for a controller that cannot be reached.
inline constexpr char kUnableToContact[] =
    "Unable to contact slurm controller (connect failure)";

}  // namespace sluice::cli
