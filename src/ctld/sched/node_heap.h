// NodeHeap: the scheduler's per-shape queue of nodes by the earliest time
// each could take a job of that shape (scheduler.cc). A 4-ary min-heap of
// 16-byte entries ordered by (time, node): a node's four children share a
// cache line and the heap is half as deep as a binary one, and a stale top
// is refreshed in place (ReplaceTop: one sift down instead of a pop and a
// push). Entries are unique by node in each heap, so (time, node) is a
// total order and the pops come in the same order as from any other heap.
// A value type; not thread-safe (one pass owns it).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::sched {

struct NodeHeapEntry {
  int64_t time;
  int32_t node;
  uint32_t version;  // the node's booking count when `time` was computed
};

class NodeHeap {
 public:
  bool empty() const { return v_.empty(); }
  size_t size() const { return v_.size(); }
  const NodeHeapEntry& top() const { return v_.front(); }
  void push(const NodeHeapEntry& e) {
    v_.push_back(e);
    SiftUp(v_.size() - 1);
  }
  void pop() {
    v_.front() = v_.back();
    v_.pop_back();
    if (!v_.empty()) SiftDown(0);
  }
  // Replaces the top with `e` (pop() then push(e), in one pass).
  void ReplaceTop(const NodeHeapEntry& e) {
    v_.front() = e;
    SiftDown(0);
  }

 private:
  static constexpr size_t kArity = 4;
  static bool Before(const NodeHeapEntry& a, const NodeHeapEntry& b) {
    return a.time != b.time ? a.time < b.time : a.node < b.node;
  }
  void SiftUp(size_t i) {
    const NodeHeapEntry e = v_[i];
    while (i > 0) {
      const size_t parent = (i - 1) / kArity;
      if (!Before(e, v_[parent])) break;
      v_[i] = v_[parent];
      i = parent;
    }
    v_[i] = e;
  }
  void SiftDown(size_t i) {
    const NodeHeapEntry e = v_[i];
    const size_t n = v_.size();
    for (;;) {
      const size_t first = kArity * i + 1;
      if (first >= n) break;
      size_t best = first;
      for (size_t c = first + 1; c < std::min(first + kArity, n); ++c)
        if (Before(v_[c], v_[best])) best = c;
      if (!Before(v_[best], e)) break;
      v_[i] = v_[best];
      i = best;
    }
    v_[i] = e;
  }

  std::vector<NodeHeapEntry> v_;
};

}  // namespace sluice::sched
