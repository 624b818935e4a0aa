#include "cli/ctld_client.h"

#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <thread>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/rpc/rpc_auth.h"

namespace sluice::cli {
namespace v1 = ::sluice::v1;

std::string GrpcTarget(const std::string& host_port) {
  // An address literal goes straight to the "ipv4:" resolver, skipping
  // the DNS resolver's start-up (a thread); a host name still uses DNS.
  std::string host = host_port.substr(0, host_port.rfind(':'));
  struct in_addr ignored;
  if (inet_pton(AF_INET, host.c_str(), &ignored) == 1) return "ipv4:" + host_port;
  return host_port;
}

CtldClient& CommandClient(const common::SlurmConfig& cfg) { return *new CtldClient(cfg); }

CtldClient::~CtldClient() {
  // A command ends with its client: the answer's arena goes with the
  // process rather than string by string (10,000 jobs, ~2 ms).
  (void)arena_.release();
}

CtldClient::CtldClient(const common::SlurmConfig& cfg)
    : auth_(common::MakeMungeAuthenticator(cfg.auth_socket)) {
  // A queue of 100,000 jobs is ~15 MB on the wire: no 4 MB default cap.
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  channel_ = grpc::CreateCustomChannel(GrpcTarget(absl::StrCat(cfg.ctld_addr, ":", cfg.ctld_port)),
                                       grpc::InsecureChannelCredentials(), args);
  stub_ = v1::SluiceCtld::NewStub(channel_);
}

template <typename Req, typename Rep, typename Fn>
absl::StatusOr<Rep> CtldClient::Call(const char* method, const Req& req,
                                     Fn fn) {
  // Held back by the controller's rate limit (RESOURCE_EXHAUSTED): wait a
  // second and ask again, quietly, as Slurm's commands do (for up to ten
  // minutes).
  for (int retry = 0;; ++retry) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    ctx.set_wait_for_ready(false);
    if (auto s = common::AttachCredential(&ctx, *auth_, method, req); !s.ok())
      return s;
    Rep rep{};
    grpc::Status st = fn(&ctx, req, &rep);
    if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && retry < 600) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (st.error_code() == grpc::StatusCode::UNAVAILABLE)
      return absl::UnavailableError(kUnableToContact);
    if (!st.ok()) return common::FromGrpc(st);
    return rep;
  }
}

absl::StatusOr<v1::SubmitBatchJobReply> CtldClient::Submit(
    const v1::SubmitBatchJobRequest& req) {
  return Call<v1::SubmitBatchJobRequest, v1::SubmitBatchJobReply>(
      "SubmitBatchJob", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->SubmitBatchJob(c, r, p);
      });
}

absl::StatusOr<JobList> CtldClient::QueryJobs(const v1::QueryJobsRequest& req) {
  // One answer at a time: the previous one's memory is reused.
  if (!arena_) arena_ = std::make_unique<google::protobuf::Arena>();
  else arena_->Reset();
  auto* rep = google::protobuf::Arena::CreateMessage<v1::QueryJobsReply>(arena_.get());
  // The controller sends QueryJobsWire (pre-encoded jobs); on the wire that
  // is a QueryJobsReply, so it is read as one straight away, as the
  // generated stub would read its declared type.
  static const char kMethod[] = "/sluice.v1.SluiceCtld/QueryJobs";
  grpc::internal::RpcMethod method(kMethod, grpc::internal::RpcMethod::NORMAL_RPC, channel_);
  auto got = Call<v1::QueryJobsRequest, bool>(
      "QueryJobs", req, [&](auto* c, const auto& r, auto*) {
        return grpc::internal::BlockingUnaryCall<v1::QueryJobsRequest, v1::QueryJobsReply,
                                                 grpc::protobuf::MessageLite,
                                                 grpc::protobuf::MessageLite>(
            channel_.get(), method, c, r, rep);
      });
  if (!got.ok()) return got.status();
  // The jobs came as one buffer (QueryJobsWire.listed): moved, not copied,
  // to where every reader looks for them.
  if (rep->has_listed()) rep->mutable_jobs()->Swap(rep->mutable_listed()->mutable_jobs());
  return JobList(rep);
}

absl::StatusOr<v1::ModifyJobReply> CtldClient::ModifyJob(const v1::ModifyJobRequest& req) {
  return Call<v1::ModifyJobRequest, v1::ModifyJobReply>(
      "ModifyJob", req, [&](auto* c, const auto& r, auto* p) { return stub_->ModifyJob(c, r, p); });
}

absl::StatusOr<v1::AcctMgrReply> CtldClient::AcctMgr(const v1::AcctMgrRequest& req) {
  return Call<v1::AcctMgrRequest, v1::AcctMgrReply>(
      "AcctMgr", req, [&](auto* c, const auto& r, auto* p) { return stub_->AcctMgr(c, r, p); });
}

absl::StatusOr<v1::ModifyJobReply> CtldClient::Reconfigure() {
  return Call<v1::ReconfigureRequest, v1::ModifyJobReply>(
      "Reconfigure", v1::ReconfigureRequest(),
      [&](auto* c, const auto& r, auto* p) { return stub_->Reconfigure(c, r, p); });
}

absl::StatusOr<v1::ModifyJobReply> CtldClient::UpdatePartition(
    const v1::UpdatePartitionRequest& req) {
  return Call<v1::UpdatePartitionRequest, v1::ModifyJobReply>(
      "UpdatePartition", req,
      [&](auto* c, const auto& r, auto* p) { return stub_->UpdatePartition(c, r, p); });
}

absl::StatusOr<v1::AcctQueryReply> CtldClient::QueryAccounting(
    const v1::AcctQueryRequest& req) {
  return Call<v1::AcctQueryRequest, v1::AcctQueryReply>(
      "QueryAccounting", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->QueryAccounting(c, r, p);
      });
}

absl::StatusOr<v1::CancelJobsReply> CtldClient::Cancel(
    const v1::CancelJobsRequest& req) {
  return Call<v1::CancelJobsRequest, v1::CancelJobsReply>(
      "CancelJobs", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->CancelJobs(c, r, p);
      });
}

absl::StatusOr<v1::UpdateJobsReply> CtldClient::UpdateJobs(
    const v1::UpdateJobsRequest& req) {
  return Call<v1::UpdateJobsRequest, v1::UpdateJobsReply>(
      "UpdateJobs", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->UpdateJobs(c, r, p);
      });
}

absl::StatusOr<v1::CreateStepReply> CtldClient::CreateStep(const v1::CreateStepRequest& req) {
  return Call<v1::CreateStepRequest, v1::CreateStepReply>(
      "CreateStep", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->CreateStep(c, r, p);
      });
}

absl::StatusOr<v1::CompleteJobReply> CtldClient::CompleteJob(
    const v1::CompleteJobRequest& req) {
  return Call<v1::CompleteJobRequest, v1::CompleteJobReply>(
      "CompleteJob", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->CompleteJob(c, r, p);
      });
}

absl::StatusOr<v1::UpdateNodesReply> CtldClient::UpdateNodes(
    const v1::UpdateNodesRequest& req) {
  return Call<v1::UpdateNodesRequest, v1::UpdateNodesReply>(
      "UpdateNodes", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->UpdateNodes(c, r, p);
      });
}

absl::StatusOr<v1::SharesReply> CtldClient::QueryShares() {
  v1::SharesRequest req;
  return Call<v1::SharesRequest, v1::SharesReply>(
      "QueryShares", req, [&](auto* c, const auto& r, auto* p) { return stub_->QueryShares(c, r, p); });
}

absl::StatusOr<v1::QueryClusterReply> CtldClient::QueryCluster() {
  v1::QueryClusterRequest req;
  return Call<v1::QueryClusterRequest, v1::QueryClusterReply>(
      "QueryCluster", req, [&](auto* c, const auto& r, auto* p) {
        return stub_->QueryCluster(c, r, p);
      });
}

std::optional<JobList> LoadJobs(CtldClient& client,
                                           const v1::QueryJobsRequest& req) {
  auto rep = client.QueryJobs(req);
  std::string err = !rep.ok() ? std::string(rep.status().message()) : rep->error();
  if (!err.empty()) {
    std::fprintf(stderr, "slurm_load_jobs error: %s\n", err.c_str());
    return std::nullopt;
  }
  return std::move(*rep);
}

}  // namespace sluice::cli
