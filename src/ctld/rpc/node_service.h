// The internal API served to node daemons (SluiceCtldInternal). Thread-safe:
// holds no mutable state of its own.
#pragma once

#include "common/auth.h"
#include "ctld/rpc/core_runner.h"
#include "node.grpc.pb.h"

namespace sluice::ctld::rpc {

class NodeService final : public ::sluice::v1::SluiceCtldInternal::Service {
 public:
  NodeService(CoreRunner* runner, common::Authenticator* auth)
      : runner_(runner), auth_(auth) {}
  grpc::Status NodeReport(grpc::ServerContext* ctx,
                          const ::sluice::v1::NodeReportRequest* req,
                          ::sluice::v1::NodeReportReply* rep) override;

 private:
  CoreRunner* runner_;
  common::Authenticator* auth_;
};

}  // namespace sluice::ctld::rpc
