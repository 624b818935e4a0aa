#include "common/net.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace sluice::common {
namespace {

// Binds 127.0.0.1:port (0: the kernel's choice) and releases it; returns
// the port bound, or 0.
uint16_t TryBind(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  socklen_t len = sizeof a;
  uint16_t got = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    got = ntohs(a.sin_port);
  close(fd);
  return got;
}

}  // namespace

uint16_t PickFreeLoopbackPort() {
  // Below the kernel's ephemeral range: a port from inside it can be handed
  // to any outgoing connection while its daemon restarts, and the restarted
  // daemon then cannot listen again (seen in CI as a controller that did
  // not come back). Random, so that parallel clusters rarely meet.
  uint32_t low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
  constexpr uint32_t kFloor = 12000;
  if (low > kFloor + 1000) {
    static thread_local std::mt19937 gen(std::random_device{}());
    std::uniform_int_distribution<uint32_t> pick(kFloor, low - 1);
    for (int i = 0; i < 64; ++i)
      if (uint16_t p = TryBind(static_cast<uint16_t>(pick(gen)))) return p;
  }
  return TryBind(0);
}

}  // namespace sluice::common
