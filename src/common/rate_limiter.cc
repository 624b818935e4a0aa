#include "common/rate_limiter.h"

#include <algorithm>

namespace sluice::common {

RateLimiter::RateLimiter(const RateLimitConfig& c, std::function<int64_t()> now_ms)
    : c_(c), now_ms_(std::move(now_ms)) {
  c_.refill_period_s = std::max<uint32_t>(1, c_.refill_period_s);
}

bool RateLimiter::Admit(uint32_t uid) {
  const int64_t now = now_ms_();
  std::lock_guard<std::mutex> l(mu_);
  auto [it, fresh] = buckets_.try_emplace(uid, Bucket{static_cast<double>(c_.bucket_size), now});
  Bucket& b = it->second;
  if (!fresh && now > b.last_ms) {
    double per_ms = static_cast<double>(c_.refill_rate) / (1000.0 * c_.refill_period_s);
    b.tokens = std::min<double>(c_.bucket_size, b.tokens + per_ms * static_cast<double>(now - b.last_ms));
    b.last_ms = now;
  }
  if (b.tokens < 1.0) {
    ++refused_;
    return false;
  }
  b.tokens -= 1.0;
  return true;
}

uint64_t RateLimiter::refused() const {
  std::lock_guard<std::mutex> l(mu_);
  return refused_;
}

}  // namespace sluice::common
