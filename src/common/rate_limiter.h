// Per-user token buckets for the controller's RPCs (SlurmctldParameters=
// rl_enable, issue 13 point 6; Slurm 23.02's scheme): each user starts with
// `bucket_size` tokens, gets `refill_rate` back every `refill_period_ms`
// up to the bucket's size, and spends one per call; a call that finds the
// bucket empty is refused (the client sleeps a second and asks again).
// The clock is injected. Thread-safe (one mutex; a map lookup per call).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace sluice::common {

struct RateLimitConfig {
  bool enabled = false;
  uint32_t bucket_size = 30;      // rl_bucket_size
  uint32_t refill_rate = 2;       // rl_refill_rate: tokens per period
  uint32_t refill_period_s = 1;   // rl_refill_period
};

class RateLimiter {
 public:
  // `now_ms`: a monotonic clock in milliseconds.
  RateLimiter(const RateLimitConfig& c, std::function<int64_t()> now_ms);
  // Spends one of `uid`'s tokens; false when there is none.
  bool Admit(uint32_t uid);
  uint64_t refused() const;

 private:
  struct Bucket {
    double tokens;
    int64_t last_ms;
  };
  RateLimitConfig c_;
  std::function<int64_t()> now_ms_;
  mutable std::mutex mu_;
  std::unordered_map<uint32_t, Bucket> buckets_;
  uint64_t refused_ = 0;
};

}  // namespace sluice::common
