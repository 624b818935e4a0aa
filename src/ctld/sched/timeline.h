// A node's free resources over time, as a step function: what is free now,
// and what each running job or reservation gives back when it ends. The
// backfill scheduler asks "does this request fit on this node for
// [start, start+duration)?" and books reservations into it. Value type; not
// thread-safe; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace sluice::sched {

inline constexpr int64_t kForever = std::numeric_limits<int64_t>::max() / 4;

struct Amount {
  int64_t cpus = 0;
  int64_t mem_mb = 0;
  int64_t gpus = 0;
  bool Covers(const Amount& want) const {
    return cpus >= want.cpus && mem_mb >= want.mem_mb && gpus >= want.gpus;
  }
};

class NodeTimeline {
 public:
  // `free_now` is free from `now` on.
  NodeTimeline(int64_t now, Amount free_now);

  // Resources `back` become free again at `when` (a running job's end).
  void Release(int64_t when, const Amount& back);
  // True when `want` is free during all of [start, start + duration).
  bool Fits(int64_t start, int64_t duration, const Amount& want) const;
  // Takes `want` for [start, start + duration).
  void Book(int64_t start, int64_t duration, const Amount& want);
  // The earliest t >= `from` at which `want` fits for [t, t + duration), or
  // kForever. Linear in the number of steps.
  int64_t EarliestFit(int64_t from, int64_t duration, const Amount& want) const;

 private:
  struct Step {
    int64_t from;  // the amount holds from here to the next step's `from`
    Amount free;
  };
  // Index of the step that covers `t` (creating a boundary at t if `split`).
  size_t Find(int64_t t) const;
  size_t SplitAt(int64_t t);

  std::vector<Step> steps_;  // sorted by `from`, first step starts at now
};

}  // namespace sluice::sched
