// A NodeClient for tests: records every command and completes it only when
// the test says so.
#pragma once

#include <vector>

#include "ctld/core/node_client.h"

namespace sluice::ctld::testing {

class FakeNodeClient : public NodeClient {
 public:
  struct Launched {
    NodeEndpoint node;
    LaunchRequest req;
    Done done;
  };
  struct Signalled {
    NodeEndpoint node;
    SignalRequest req;
  };
  void Launch(const NodeEndpoint& node, const LaunchRequest& req,
              Done done) override {
    launched.push_back({node, req, std::move(done)});
  }
  void Signal(const NodeEndpoint& node, const SignalRequest& req,
              Done done) override {
    signalled.push_back({node, req});
    done(absl::OkStatus());
  }
  std::vector<Launched> launched;
  std::vector<Signalled> signalled;
};

}  // namespace sluice::ctld::testing
