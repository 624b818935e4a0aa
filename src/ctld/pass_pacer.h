// When the next event-driven scheduling pass may run (issue 14 point 2).
// Every submission, job end or node change asks for a pass; over a deep
// queue a pass costs tens of milliseconds, and one per group commit left
// the strand little time for the submissions themselves, so throughput fell
// as the queue grew. After a pass that took d, the next waits until 3·d has
// passed (at most kMaxGap): passes then take at most a quarter of the
// strand, and a small queue (d well under a millisecond) sees no delay.
// Value type; thread-compatible (the strand owns it).
#pragma once

#include <algorithm>
#include <chrono>

namespace sluice::ctld {

class PassPacer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kGapFactor = 3;
  static constexpr std::chrono::milliseconds kMaxGap{1000};

  // A pass ran from `start` to `end`.
  void Ran(Clock::time_point start, Clock::time_point end) {
    next_ = end + std::min<Clock::duration>(kGapFactor * (end - start), kMaxGap);
  }
  // The earliest time the next pass may start.
  Clock::time_point NextAt() const { return next_; }

 private:
  Clock::time_point next_{};
};

}  // namespace sluice::ctld
