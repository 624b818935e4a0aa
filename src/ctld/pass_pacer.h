// When the next event-driven scheduling pass may run (issue 14 point 2).
// Every submission, job end or node change asks for a pass; over a deep
// queue a pass costs tens of milliseconds, and one per group commit left
// the strand little time for the submissions themselves, so throughput fell
// as the queue grew. After a pass that took d, the next waits until 3·d has
// passed (at most kMaxGap): passes then take at most a quarter of the
// strand, and a small queue (d well under a millisecond) sees no delay.
// It also keeps what passes cost so far (PassStats): how long they ran, and
// how long each event's pass waited between being asked for and starting
// (the pacer's gap plus whatever the strand did first), which is how a
// benchmark sees whether readers delay scheduling (issue 12 point 5).
// Value type; thread-compatible (the strand owns it).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace sluice::ctld {

struct PassStats {
  uint64_t passes = 0;            // every pass, periodic ones included
  uint64_t run_us_total = 0, run_us_max = 0, run_us_last = 0;
  uint64_t asked_passes = 0;      // passes an event asked for
  uint64_t wait_us_total = 0, wait_us_max = 0;
};

class PassPacer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kGapFactor = 3;
  static constexpr std::chrono::milliseconds kMaxGap{1000};

  // An event asked for a pass at `t` (the first ask of those one pass serves).
  void Asked(Clock::time_point t) {
    if (!asked_) asked_at_ = t;
    asked_ = true;
  }
  // A pass ran from `start` to `end`; `paced`: it is subject to the gap
  // (the event-driven passes; the periodic pass only counts).
  void Ran(Clock::time_point start, Clock::time_point end, bool paced = true) {
    if (paced) next_ = end + std::min<Clock::duration>(kGapFactor * (end - start), kMaxGap);
    uint64_t run = Micros(end - start);
    ++stats_.passes;
    stats_.run_us_total += run;
    stats_.run_us_max = std::max(stats_.run_us_max, run);
    stats_.run_us_last = run;
    if (asked_ && start >= asked_at_) {
      uint64_t wait = Micros(start - asked_at_);
      ++stats_.asked_passes;
      stats_.wait_us_total += wait;
      stats_.wait_us_max = std::max(stats_.wait_us_max, wait);
      asked_ = false;
    }
  }
  // The earliest time the next pass may start.
  Clock::time_point NextAt() const { return next_; }
  const PassStats& stats() const { return stats_; }

 private:
  static uint64_t Micros(Clock::duration d) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  }
  Clock::time_point next_{};
  bool asked_ = false;
  Clock::time_point asked_at_{};
  PassStats stats_;
};

}  // namespace sluice::ctld
