// NodeHeap against an ordered set: after any mix of pushes, pops and
// in-place refreshes of the top, its top is the smallest (time, node).
#include "ctld/sched/node_heap.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <utility>

namespace sluice::sched {
namespace {

TEST(NodeHeapTest, ItsTopIsAlwaysTheEarliestNodeAsAnOrderedSetSaysThroughAnyMix) {
  std::mt19937 rng(7);
  NodeHeap heap;
  std::set<std::pair<int64_t, int32_t>> want;  // (time, node)
  std::set<int32_t> absent;
  for (int32_t n = 0; n < 300; ++n) absent.insert(n);
  for (int step = 0; step < 20000; ++step) {
    const int op = static_cast<int>(rng() % 3);
    if (op == 0 && !absent.empty()) {  // a node enters (one entry per node)
      auto it = std::next(absent.begin(), static_cast<long>(rng() % absent.size()));
      const int64_t t = rng() % 50;  // few times: many ties, broken by node
      heap.push({t, *it, 0});
      want.insert({t, *it});
      absent.erase(it);
    } else if (op == 1 && !want.empty()) {  // the earliest leaves
      absent.insert(want.begin()->second);
      want.erase(want.begin());
      heap.pop();
    } else if (!want.empty()) {  // the earliest is refreshed to a later time
      auto [t, n] = *want.begin();
      want.erase(want.begin());
      t += static_cast<int64_t>(rng() % 20);
      want.insert({t, n});
      heap.ReplaceTop({t, n, 1});
    }
    ASSERT_EQ(heap.size(), want.size());
    if (!want.empty()) {
      ASSERT_EQ(heap.top().time, want.begin()->first) << "step " << step;
      ASSERT_EQ(heap.top().node, want.begin()->second) << "step " << step;
    }
  }
}

}  // namespace
}  // namespace sluice::sched
