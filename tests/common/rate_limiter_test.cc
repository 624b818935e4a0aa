// The per-user RPC rate limit (issue 13 point 6) on a fake clock: a full
// bucket at first, one token per call, refills at the configured rate up
// to the bucket's size, users apart.
#include "common/rate_limiter.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

TEST(RateLimiterTest, BucketsRefillAtTheirRatePerUser) {
  int64_t now = 1'000'000;
  RateLimitConfig c;
  c.enabled = true;
  c.bucket_size = 3;
  c.refill_rate = 2;
  c.refill_period_s = 1;
  RateLimiter rl(c, [&] { return now; });
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rl.Admit(1001)) << i;
  EXPECT_FALSE(rl.Admit(1001));
  EXPECT_TRUE(rl.Admit(1002));  // another user has a bucket of their own
  now += 499;
  EXPECT_FALSE(rl.Admit(1001));  // 0.998 of a token
  now += 1;
  EXPECT_TRUE(rl.Admit(1001));
  EXPECT_FALSE(rl.Admit(1001));
  now += 60'000;  // a long pause refills no more than the bucket holds
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rl.Admit(1001)) << i;
  EXPECT_FALSE(rl.Admit(1001));
  EXPECT_EQ(rl.refused(), 4u);
}

}  // namespace
}  // namespace sluice::common
