// Starting a daemon's gRPC server on its address(es) (sluice-ctld,
// sluice-noded). A daemon restarted right after a crash may find its port
// still held for a moment (seen in CI: "Address already in use" three
// seconds after a kill -9), so Listen tries again, every half second for
// up to 10 s, before it gives up. SO_REUSEPORT is off: with gRPC's default
// a second daemon on the same port would share it silently and take half
// the calls. Thread-compatible; call once per server.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace sluice::common {

// `int_args`: further channel arguments (the controller's keepalive).
using IntArgs = std::vector<std::pair<std::string, int>>;
absl::StatusOr<std::unique_ptr<grpc::Server>> Listen(const std::string& addr,
                                                      const std::vector<grpc::Service*>& services,
                                                      const IntArgs& int_args = {});
// One server on several addresses (a node daemon serving several nodes).
absl::StatusOr<std::unique_ptr<grpc::Server>> Listen(const std::vector<std::string>& addrs,
                                                      const std::vector<grpc::Service*>& services,
                                                      const IntArgs& int_args = {});

}  // namespace sluice::common
