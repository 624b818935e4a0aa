#include "ctld/rpc/grpc_node_client.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/synchronization/blocking_counter.h"

#include "common/rpc/rpc_auth.h"
#include "ctld/rpc/convert.h"

namespace sluice::ctld::rpc {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(10);

// Keeps request, reply and context alive until the callback runs.
template <typename Req, typename Rep>
struct Call {
  grpc::ClientContext ctx;
  Req req;
  Rep rep;
  Done done;
};

}  // namespace

::sluice::v1::SluiceNode::Stub* GrpcNodeClient::StubFor(
    const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto& stub = stubs_[address];
  if (!stub) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    stub = ::sluice::v1::SluiceNode::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
  }
  return stub.get();
}

// Sends one unary call with a credential for `method`; the reply's error
// field (a refusal by the node) becomes FailedPrecondition, transport
// failures keep their gRPC code. `done` runs on the controller's strand.
template <typename Req, typename Rep, typename Start>
void GrpcNodeClient::Send(const char* method, const Req& req, Done done,
                          Start start) {
  auto call = std::make_shared<Call<Req, Rep>>();
  call->req = req;
  call->done = std::move(done);
  call->ctx.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  if (auto s = common::AttachCredential(&call->ctx, *auth_, method, call->req); !s.ok()) {
    post_([call, s] { call->done(absl::UnavailableError(s.message())); });
    return;
  }
  start(&call->ctx, &call->req, &call->rep, [this, call](grpc::Status st) {
    absl::Status s = common::FromGrpc(st);
    if (s.ok() && !call->rep.error().empty())
      s = absl::FailedPreconditionError(call->rep.error());
    post_([call, s] { call->done(s); });
  });
}

void GrpcNodeClient::Launch(const NodeEndpoint& node, const LaunchRequest& req,
                            Done done) {
  ::sluice::v1::LaunchBatchRequest p;
  ToProto(req, &p);
  p.set_node(node.name);
  auto* stub = StubFor(node.address);
  Send<::sluice::v1::LaunchBatchRequest, ::sluice::v1::LaunchBatchReply>(
      "LaunchBatch", p, std::move(done),
      [stub](auto* ctx, auto* rq, auto* rp, auto cb) {
        stub->async()->LaunchBatch(ctx, rq, rp, std::move(cb));
      });
}

void GrpcNodeClient::Signal(const NodeEndpoint& node, const SignalRequest& req,
                            Done done) {
  ::sluice::v1::SignalJobRequest p;
  ToProto(req, &p);
  p.set_node(node.name);
  auto* stub = StubFor(node.address);
  Send<::sluice::v1::SignalJobRequest, ::sluice::v1::SignalJobReply>(
      "SignalJob", p, std::move(done),
      [stub](auto* ctx, auto* rq, auto* rp, auto cb) {
        stub->async()->SignalJob(ctx, rq, rp, std::move(cb));
      });
}

std::vector<std::pair<std::string, std::string>> GrpcNodeClient::LaunchTasks(
    const std::vector<NodeLaunch>& by_node) {
  struct One {
    grpc::ClientContext ctx;
    ::sluice::v1::LaunchTasksReply rep;
    grpc::Status st;
  };
  std::vector<One> calls(by_node.size());
  std::vector<std::pair<std::string, std::string>> failed;
  absl::BlockingCounter pending(static_cast<int>(by_node.size()));
  for (size_t i = 0; i < by_node.size(); ++i) {
    One& c = calls[i];
    c.ctx.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
    if (auto s = common::AttachCredential(&c.ctx, *auth_, "LaunchTasks", by_node[i].req); !s.ok()) {
      c.st = grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(s.message()));
      pending.DecrementCount();
      continue;
    }
    StubFor(by_node[i].address)
        ->async()
        ->LaunchTasks(&c.ctx, &by_node[i].req, &c.rep, [&c, &pending](grpc::Status st) {
          c.st = std::move(st);
          pending.DecrementCount();
        });
  }
  pending.Wait();
  for (size_t i = 0; i < by_node.size(); ++i) {
    const One& c = calls[i];
    if (!c.st.ok())
      failed.emplace_back(by_node[i].node, c.st.error_message());
    else if (!c.rep.error().empty())
      failed.emplace_back(by_node[i].node, c.rep.error());
  }
  return failed;
}

}  // namespace sluice::ctld::rpc
