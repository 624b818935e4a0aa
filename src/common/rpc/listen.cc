#include "common/rpc/listen.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sluice::common {

absl::StatusOr<std::unique_ptr<grpc::Server>> Listen(const std::string& addr,
                                                      const std::vector<grpc::Service*>& services,
                                                      const IntArgs& int_args) {
  return Listen(std::vector<std::string>{addr}, services, int_args);
}

absl::StatusOr<std::unique_ptr<grpc::Server>> Listen(const std::vector<std::string>& addrs,
                                                      const std::vector<grpc::Service*>& services,
                                                      const IntArgs& int_args) {
  const std::string addr = absl::StrJoin(addrs, ",");
  constexpr int kAttempts = 21;
  constexpr std::chrono::milliseconds kPause{500};
  for (int attempt = 1;; ++attempt) {
    grpc::ServerBuilder b;
    b.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    for (const auto& [key, value] : int_args) b.AddChannelArgument(key, value);
    std::vector<int> ports(addrs.size(), 0);
    for (size_t i = 0; i < addrs.size(); ++i)
      b.AddListeningPort(addrs[i], grpc::InsecureServerCredentials(), &ports[i]);
    for (grpc::Service* s : services) b.RegisterService(s);
    std::unique_ptr<grpc::Server> server = b.BuildAndStart();
    if (server && std::count(ports.begin(), ports.end(), 0) == 0) return server;
    if (attempt >= kAttempts) return absl::UnavailableError(absl::StrCat("cannot listen on ", addr));
    spdlog::warn("cannot listen on {} yet; trying again", addr);
    std::this_thread::sleep_for(kPause);
  }
}

}  // namespace sluice::common
