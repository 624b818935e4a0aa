// The internal API served to node daemons (SluiceCtldInternal): NodeReport
// (synchronous) and NodeSession (a callback stream: an open session costs
// no thread; its reactor tells the controller when it opens and closes).
// Thread-safe: holds no mutable state of its own.
#pragma once

#include "common/auth.h"
#include "ctld/rpc/core_runner.h"
#include "node.grpc.pb.h"

namespace sluice::ctld::rpc {

class NodeService final : public ::sluice::v1::SluiceCtldInternal::WithCallbackMethod_NodeSession<
                              ::sluice::v1::SluiceCtldInternal::Service> {
 public:
  NodeService(CoreRunner* runner, common::Authenticator* auth)
      : runner_(runner), auth_(auth) {}
  grpc::Status NodeReport(grpc::ServerContext* ctx,
                          const ::sluice::v1::NodeReportRequest* req,
                          ::sluice::v1::NodeReportReply* rep) override;
  grpc::ServerWriteReactor<::sluice::v1::NodeSessionEvent>* NodeSession(
      grpc::CallbackServerContext* ctx, const ::sluice::v1::NodeSessionRequest* req) override;

 private:
  CoreRunner* runner_;
  common::Authenticator* auth_;
};

}  // namespace sluice::ctld::rpc
