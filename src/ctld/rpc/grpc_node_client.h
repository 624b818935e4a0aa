// NodeClient over gRPC: asynchronous calls to each sluice-noded, one channel
// per node address, completions posted back to the controller's strand via
// `post`. Thread-safe (channels guarded by a mutex).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/auth.h"
#include "ctld/core/node_client.h"
#include "node.grpc.pb.h"

namespace sluice::ctld::rpc {

class GrpcNodeClient final : public NodeClient {
 public:
  using Post = std::function<void(std::function<void()>)>;
  GrpcNodeClient(common::Authenticator* auth, Post post)
      : auth_(auth), post_(std::move(post)) {}
  void Launch(const NodeEndpoint& node, const LaunchRequest& req,
              Done done) override;
  void Signal(const NodeEndpoint& node, const SignalRequest& req,
              Done done) override;

  // srun's step: starts the tasks on every node at once and waits for all
  // the answers. For gRPC server threads, never the strand (it blocks).
  // Returns the nodes that failed (name, why).
  struct NodeLaunch {
    std::string node, address;
    ::sluice::v1::LaunchTasksRequest req;
  };
  std::vector<std::pair<std::string, std::string>> LaunchTasks(
      const std::vector<NodeLaunch>& launches);

 private:
  ::sluice::v1::SluiceNode::Stub* StubFor(const std::string& address);
  template <typename Req, typename Rep, typename Start>
  void Send(const char* method, const Req& req, Done done, Start start);

  common::Authenticator* auth_;
  Post post_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<::sluice::v1::SluiceNode::Stub>> stubs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::ctld::rpc
