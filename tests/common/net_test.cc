#include "common/net.h"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::common {
namespace {

// A picked port must stay out of the kernel's ephemeral range: a daemon
// restarted on a port from that range can find it taken by some outgoing
// connection's source port.
TEST(PickFreeLoopbackPortTest, PicksBelowTheEphemeralRange) {
  uint32_t low = 0;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
  ASSERT_GT(low, 13000u) << "this machine's ephemeral range leaves no room below it";
  for (int i = 0; i < 50; ++i) {
    uint16_t p = PickFreeLoopbackPort();
    ASSERT_NE(p, 0);
    EXPECT_LT(p, low);
    EXPECT_GE(p, 12000);
  }
}

}  // namespace
}  // namespace sluice::common
