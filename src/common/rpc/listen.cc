#include "common/rpc/listen.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"

namespace sluice::common {

absl::StatusOr<std::unique_ptr<grpc::Server>> Listen(const std::string& addr,
                                                      const std::vector<grpc::Service*>& services) {
  constexpr int kAttempts = 21;
  constexpr std::chrono::milliseconds kPause{500};
  for (int attempt = 1;; ++attempt) {
    grpc::ServerBuilder b;
    b.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    int port = 0;
    b.AddListeningPort(addr, grpc::InsecureServerCredentials(), &port);
    for (grpc::Service* s : services) b.RegisterService(s);
    std::unique_ptr<grpc::Server> server = b.BuildAndStart();
    if (server && port != 0) return server;
    if (attempt >= kAttempts) return absl::UnavailableError(absl::StrCat("cannot listen on ", addr));
    spdlog::warn("cannot listen on {} yet; trying again", addr);
    std::this_thread::sleep_for(kPause);
  }
}

}  // namespace sluice::common
