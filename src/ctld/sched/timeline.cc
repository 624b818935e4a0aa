#include "ctld/sched/timeline.h"

#include <algorithm>

namespace sluice::sched {

NodeTimeline::NodeTimeline(int64_t now, Amount free_now)
    : steps_{{now, free_now}} {}

size_t NodeTimeline::Find(int64_t t) const {
  // Last step whose `from` <= t (steps_ is small: linear from the back is
  // fine and cache friendly).
  size_t i = steps_.size();
  while (i > 1 && steps_[i - 1].from > t) --i;
  return i - 1;
}

size_t NodeTimeline::SplitAt(int64_t t) {
  size_t i = Find(t);
  if (steps_[i].from == t) return i;
  steps_.insert(steps_.begin() + static_cast<long>(i) + 1, Step{t, steps_[i].free});
  return i + 1;
}

void NodeTimeline::Release(int64_t when, const Amount& back) {
  if (when >= kForever) return;
  when = std::max(when, steps_.front().from);
  for (size_t i = SplitAt(when); i < steps_.size(); ++i) {
    steps_[i].free.cpus += back.cpus;
    steps_[i].free.mem_mb += back.mem_mb;
    steps_[i].free.gpus += back.gpus;
  }
}

bool NodeTimeline::Fits(int64_t start, int64_t duration,
                        const Amount& want) const {
  int64_t end = duration >= kForever ? kForever : start + duration;
  for (size_t i = Find(start); i < steps_.size() && steps_[i].from < end; ++i)
    if (!steps_[i].free.Covers(want)) return false;
  return true;
}

void NodeTimeline::Book(int64_t start, int64_t duration, const Amount& want) {
  int64_t end = duration >= kForever ? kForever : start + duration;
  size_t first = SplitAt(start);
  size_t last = end >= kForever ? steps_.size() : SplitAt(end);
  for (size_t i = first; i < last; ++i) {
    steps_[i].free.cpus -= want.cpus;
    steps_[i].free.mem_mb -= want.mem_mb;
    steps_[i].free.gpus -= want.gpus;
  }
}

int64_t NodeTimeline::EarliestFit(int64_t from, int64_t duration,
                                  const Amount& want) const {
  int64_t start = from;
  for (size_t i = Find(from); i < steps_.size(); ++i) {
    int64_t next = i + 1 < steps_.size() ? steps_[i + 1].from : kForever;
    if (!steps_[i].free.Covers(want)) {
      start = next;  // cannot run across this step: try from its end
      if (start >= kForever) return kForever;
      continue;
    }
    if (duration >= kForever) {
      if (next >= kForever) return start;
    } else if (next >= start + duration) {
      return start;
    }
  }
  return duration >= kForever ? kForever : start;
}

}  // namespace sluice::sched
