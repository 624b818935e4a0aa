#include "common/array_spec.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sluice::common {
namespace {

constexpr uint32_t kIndexLimit = 4000001;  // Slurm's largest MaxArraySize

absl::Status Invalid() {
  return absl::InvalidArgumentError("Invalid job array specification");
}

uint64_t RunCount(const ArrayIndexSet::Run& r) { return (r.last - r.first) / r.step + 1; }

bool Digits(absl::string_view s) {
  return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == s.npos;
}

// "a", "a-b" or "a-b:s".
absl::StatusOr<ArrayIndexSet::Run> ParseItem(absl::string_view item, uint32_t limit) {
  ArrayIndexSet::Run r;
  absl::string_view range = item, step;
  if (size_t c = item.find(':'); c != item.npos) {
    range = item.substr(0, c);
    step = item.substr(c + 1);
  }
  absl::string_view a = range, b = range;
  if (size_t d = range.find('-'); d != range.npos) {
    a = range.substr(0, d);
    b = range.substr(d + 1);
  } else if (!step.empty()) {
    return Invalid();  // a step needs a range
  }
  uint64_t first, last, by = 1;
  if (!Digits(a) || !Digits(b) || !absl::SimpleAtoi(a, &first) ||
      !absl::SimpleAtoi(b, &last))
    return Invalid();
  if (item.find(':') != item.npos &&
      (!Digits(step) || !absl::SimpleAtoi(step, &by) || by == 0))
    return Invalid();
  if (first > last || last >= limit) return Invalid();
  r.first = static_cast<uint32_t>(first);
  r.step = static_cast<uint32_t>(std::min<uint64_t>(by, kIndexLimit));
  r.last = static_cast<uint32_t>(first + (last - first) / r.step * r.step);
  if (r.first == r.last) r.step = 1;
  return r;
}

absl::StatusOr<ArrayIndexSet> ParseList(absl::string_view text, uint32_t limit) {
  std::vector<ArrayIndexSet::Run> runs;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    auto r = ParseItem(item, limit);
    if (!r.ok()) return r.status();
    runs.push_back(*r);
  }
  if (runs.empty()) return Invalid();
  return ArrayIndexSet::FromRuns(std::move(runs));
}

}  // namespace

ArrayIndexSet ArrayIndexSet::FromRuns(std::vector<Run> runs) {
  ArrayIndexSet s;
  std::sort(runs.begin(), runs.end(),
            [](const Run& x, const Run& y) { return x.first < y.first; });
  bool disjoint = true;
  for (size_t i = 1; i < runs.size(); ++i)
    if (runs[i].first <= runs[i - 1].last) disjoint = false;
  if (disjoint) {
    s.runs_ = std::move(runs);
    return s;
  }
  // Overlapping runs: through a bitmap (bounded by the largest index),
  // then back into runs, each as long as it can be.
  uint32_t top = 0;
  for (const auto& r : runs) top = std::max(top, r.last);
  std::vector<bool> bits(static_cast<size_t>(top) + 1);
  for (const auto& r : runs)
    for (uint64_t i = r.first; i <= r.last; i += r.step) bits[i] = true;
  Run cur;
  uint64_t n = 0;
  for (uint32_t i = 0; i <= top; ++i) {
    if (!bits[i]) continue;
    if (n == 0) {
      cur = {i, i, 1};
      n = 1;
    } else if (n == 1) {
      cur.step = i - cur.first;
      cur.last = i;
      n = 2;
    } else if (i - cur.last == cur.step) {
      cur.last = i;
      ++n;
    } else {
      s.runs_.push_back(cur);
      cur = {i, i, 1};
      n = 1;
    }
  }
  if (n) s.runs_.push_back(cur);
  return s;
}

uint64_t ArrayIndexSet::Count() const {
  uint64_t n = 0;
  for (const auto& r : runs_) n += RunCount(r);
  return n;
}

uint32_t ArrayIndexSet::Min() const { return runs_.front().first; }
uint32_t ArrayIndexSet::Max() const { return runs_.back().last; }

bool ArrayIndexSet::Contains(uint32_t i) const {
  for (const auto& r : runs_)
    if (i >= r.first && i <= r.last && (i - r.first) % r.step == 0) return true;
  return false;
}

bool ArrayIndexSet::Remove(uint32_t i) {
  for (size_t k = 0; k < runs_.size(); ++k) {
    Run& r = runs_[k];
    if (i < r.first || i > r.last || (i - r.first) % r.step != 0) continue;
    if (r.first == r.last) {
      runs_.erase(runs_.begin() + static_cast<long>(k));
    } else if (i == r.first) {
      r.first += r.step;
    } else if (i == r.last) {
      r.last -= r.step;
    } else {
      Run tail{i + r.step, r.last, r.step};
      r.last = i - r.step;
      if (tail.first == tail.last) tail.step = 1;
      runs_.insert(runs_.begin() + static_cast<long>(k) + 1, tail);
    }
    if (k < runs_.size() && runs_[k].first == runs_[k].last) runs_[k].step = 1;
    return true;
  }
  return false;
}

uint32_t ArrayIndexSet::PopFirst() {
  uint32_t i = Min();
  Remove(i);
  return i;
}

std::string ArrayIndexSet::Format() const {
  std::string out;
  int64_t a = -1, b = -1;  // the consecutive range being built
  auto flush = [&] {
    if (a < 0) return;
    if (!out.empty()) out += ',';
    absl::StrAppend(&out, a);
    if (b > a) absl::StrAppend(&out, "-", b);
  };
  auto add = [&](int64_t x, int64_t y) {
    if (a >= 0 && x == b + 1) {
      b = y;
      return;
    }
    flush();
    a = x;
    b = y;
  };
  for (const auto& r : runs_) {
    if (r.step == 1) {
      add(r.first, r.last);
    } else {
      for (uint64_t i = r.first; i <= r.last; i += r.step)
        add(static_cast<int64_t>(i), static_cast<int64_t>(i));
    }
  }
  flush();
  return out;
}

std::string ArrayIndexSet::Encode() const {
  std::string out;
  for (const auto& r : runs_) {
    if (!out.empty()) out += ',';
    absl::StrAppend(&out, r.first);
    if (r.last != r.first) absl::StrAppend(&out, "-", r.last);
    if (r.step != 1) absl::StrAppend(&out, ":", r.step);
  }
  return out;
}

uint32_t ArrayIndexSet::Step() const { return runs_.size() == 1 ? runs_[0].step : 1; }

absl::StatusOr<ArraySpec> ParseArraySpec(absl::string_view text,
                                         uint32_t max_array_size) {
  ArraySpec spec;
  absl::string_view list = text;
  if (size_t p = text.find('%'); p != text.npos) {
    list = text.substr(0, p);
    // Slurm reads the throttle with atoi: anything but a positive number is
    // no limit at all.
    int64_t t = 0;
    if (absl::SimpleAtoi(text.substr(p + 1), &t) && t > 0)
      spec.throttle = static_cast<uint32_t>(std::min<int64_t>(t, kIndexLimit));
  }
  auto set = ParseList(list, std::min(max_array_size, kIndexLimit));
  if (!set.ok()) return set.status();
  spec.indexes = *std::move(set);
  return spec;
}

absl::StatusOr<ArrayIndexSet> ParseTaskSelection(absl::string_view text) {
  absl::string_view t = text;
  if (absl::ConsumePrefix(&t, "[") && !absl::ConsumeSuffix(&t, "]")) return Invalid();
  if (t.find('%') != t.npos) t = t.substr(0, t.find('%'));
  return ParseList(t, kIndexLimit);
}

}  // namespace sluice::common
