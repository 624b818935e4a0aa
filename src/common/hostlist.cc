#include "absl/strings/string_view.h"
#include "common/hostlist.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sluice::common {
namespace {

absl::Status Bad(absl::string_view expr) {
  return absl::InvalidArgumentError(
      absl::StrCat("Unable to create hostlist from \"", expr, "\""));
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Splits at commas that are outside brackets.
absl::StatusOr<std::vector<absl::string_view>> SplitTop(absl::string_view expr) {
  std::vector<absl::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < expr.size(); ++i) {
    char c = expr[i];
    if (c == '[') {
      if (++depth > 1) return Bad(expr);
    } else if (c == ']') {
      if (--depth < 0) return Bad(expr);
    } else if ((c == ',' || c == ' ') && depth == 0) {
      if (i > start) parts.push_back(expr.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return Bad(expr);
  if (start < expr.size()) parts.push_back(expr.substr(start));
  return parts;
}

// Expands one bracket body "1-3,05" into strings.
absl::StatusOr<std::vector<std::string>> ExpandRanges(absl::string_view body,
                                                      absl::string_view expr,
                                                      size_t max_hosts) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t comma = body.find(',', pos);
    if (comma == absl::string_view::npos) comma = body.size();
    absl::string_view item = body.substr(pos, comma - pos);
    size_t dash = item.find('-');
    absl::string_view lo = item.substr(0, dash);
    absl::string_view hi =
        dash == absl::string_view::npos ? lo : item.substr(dash + 1);
    if (!AllDigits(lo) || !AllDigits(hi) || lo.size() > 18 || hi.size() > 18)
      return Bad(expr);
    unsigned long long a = std::stoull(std::string(lo));
    unsigned long long b = std::stoull(std::string(hi));
    if (b < a) return Bad(expr);
    if (b - a + 1 > max_hosts || out.size() + (b - a + 1) > max_hosts)
      return absl::InvalidArgumentError("Too many hosts in hostlist");
    size_t width = lo.size();
    for (unsigned long long v = a; v <= b; ++v) {
      std::string num = std::to_string(v);
      if (num.size() < width) num.insert(0, width - num.size(), '0');
      out.push_back(std::move(num));
    }
    pos = comma + 1;
  }
  return out;
}

struct Parsed {
  std::string prefix;
  bool has_num = false;
  unsigned long long num = 0;
  size_t width = 0;
  size_t form = 0;  // sort key of how the number is written (SortedNames)
};

Parsed SplitName(const std::string& host) {
  Parsed p;
  size_t i = host.size();
  while (i > 0 && host[i - 1] >= '0' && host[i - 1] <= '9') --i;
  if (i == host.size() || host.size() - i > 18) {
    p.prefix = host;
    return p;
  }
  p.prefix = host.substr(0, i);
  p.has_num = true;
  p.width = host.size() - i;
  p.num = std::stoull(host.substr(i));
  return p;
}

std::string FormatNum(unsigned long long v, size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

// Whether the number was written with leading zeros ("n08": width 2, one
// digit of value).
bool Padded(const Parsed& p) { return p.width > std::to_string(p.num).size(); }

// Two numbers may share a range when written alike: the same width, or
// neither zero-padded ("n9" and "n10" are n[9-10]; "n08" and "n9" are not),
// as Slurm's hostlists combine them.
bool SameForm(const Parsed& a, const Parsed& b) {
  return a.width == b.width || (!Padded(a) && !Padded(b));
}

// Compresses a sequence already in output order.
std::string CompressSequence(const std::vector<Parsed>& items) {
  std::string out;
  size_t i = 0;
  while (i < items.size()) {
    const Parsed& first = items[i];
    if (!out.empty()) out += ',';
    if (!first.has_num) {
      out += first.prefix;
      ++i;
      continue;
    }
    // Gather every following item with the same prefix into one bracket.
    std::vector<std::pair<std::string, int>> ranges;  // text, count
    size_t j = i;
    int total = 0;
    while (j < items.size() && items[j].has_num &&
           items[j].prefix == first.prefix) {
      size_t k = j;
      while (k + 1 < items.size() && items[k + 1].has_num &&
             items[k + 1].prefix == first.prefix &&
             SameForm(items[k + 1], items[k]) &&
             items[k + 1].num == items[k].num + 1)
        ++k;
      std::string r = FormatNum(items[j].num, items[j].width);
      if (k > j) r += "-" + FormatNum(items[k].num, items[k].width);
      ranges.emplace_back(r, static_cast<int>(k - j + 1));
      total += static_cast<int>(k - j + 1);
      j = k + 1;
    }
    out += first.prefix;
    if (total == 1) {
      out += ranges[0].first;
    } else {
      out += '[';
      for (size_t r = 0; r < ranges.size(); ++r) {
        if (r) out += ',';
        out += ranges[r].first;
      }
      out += ']';
    }
    i = j;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ExpandHostlist(absl::string_view expr,
                                                        size_t max_hosts) {
  auto parts = SplitTop(expr);
  if (!parts.ok()) return parts.status();
  std::vector<std::string> hosts;
  for (absl::string_view part : *parts) {
    std::vector<std::string> acc = {""};
    size_t pos = 0;
    while (pos < part.size()) {
      size_t open = part.find('[', pos);
      absl::string_view lit = part.substr(
          pos, open == absl::string_view::npos ? absl::string_view::npos
                                              : open - pos);
      if (lit.find(']') != absl::string_view::npos) return Bad(expr);
      for (auto& a : acc) a.append(lit.data(), lit.size());
      if (open == absl::string_view::npos) break;
      size_t close = part.find(']', open);
      if (close == absl::string_view::npos) return Bad(expr);
      auto nums = ExpandRanges(part.substr(open + 1, close - open - 1), expr,
                               max_hosts);
      if (!nums.ok()) return nums.status();
      if (acc.size() * nums->size() > max_hosts)
        return absl::InvalidArgumentError("Too many hosts in hostlist");
      std::vector<std::string> next;
      next.reserve(acc.size() * nums->size());
      for (const auto& a : acc)
        for (const auto& n : *nums) next.push_back(a + n);
      acc = std::move(next);
      pos = close + 1;
    }
    for (auto& a : acc) {
      if (a.empty()) return Bad(expr);
      hosts.push_back(std::move(a));
      if (hosts.size() > max_hosts)
        return absl::InvalidArgumentError("Too many hosts in hostlist");
    }
  }
  return hosts;
}

namespace {
// Sorted as Slurm sorts hostlists: by prefix, then by the form the number
// is written in, then by value. A zero-padded number's form is its width;
// an unpadded one keeps with zero-padded numbers of its digit count under
// the same prefix (gpu001..gpu099 and gpu100 are one run, gpu[001-100]),
// and otherwise with the other unpadded numbers (n9 and n10: n[9-10]).
std::vector<Parsed> SortedNames(const std::vector<std::string>& hosts) {
  std::vector<Parsed> items;
  items.reserve(hosts.size());
  for (const auto& h : hosts) items.push_back(SplitName(h));
  // Each name's form once, before sorting (node lists are compressed for
  // every job squeue shows).
  std::set<std::pair<std::string, size_t>> padded_widths;
  for (const Parsed& p : items)
    if (p.has_num && Padded(p)) padded_widths.insert({p.prefix, p.width});
  for (Parsed& p : items)
    p.form = !p.has_num || Padded(p) ||
                     (!padded_widths.empty() && padded_widths.count({p.prefix, p.width}))
                 ? p.width
                 : 0;
  std::stable_sort(items.begin(), items.end(), [](const Parsed& a, const Parsed& b) {
    return std::tie(a.prefix, a.has_num, a.form, a.num) <
           std::tie(b.prefix, b.has_num, b.form, b.num);
  });
  return items;
}
}  // namespace

std::string CompressHostlistSorted(const std::vector<std::string>& hosts) {
  return CompressSequence(SortedNames(hosts));
}

std::string CompressHostlist(const std::vector<std::string>& hosts) {
  std::vector<Parsed> items = SortedNames(hosts);
  items.erase(std::unique(items.begin(), items.end(),
                          [](const Parsed& a, const Parsed& b) {
                            return a.prefix == b.prefix &&
                                   a.has_num == b.has_num && a.num == b.num &&
                                   a.width == b.width;
                          }),
              items.end());
  return CompressSequence(items);
}

std::string CompressHostlistOrdered(const std::vector<std::string>& hosts) {
  std::vector<Parsed> items;
  items.reserve(hosts.size());
  for (const auto& h : hosts) items.push_back(SplitName(h));
  return CompressSequence(items);
}

std::string FormatRepeatedCounts(const std::vector<uint32_t>& v) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[i]) ++j;
    parts.push_back(j > i ? absl::StrCat(v[i], "(x", j - i + 1, ")") : absl::StrCat(v[i]));
    i = j + 1;
  }
  return absl::StrJoin(parts, ",");
}

std::string FormatIdRanges(const std::vector<uint32_t>& ids) {
  std::set<uint32_t> s(ids.begin(), ids.end());
  std::vector<std::string> parts;
  for (auto it = s.begin(); it != s.end();) {
    uint32_t lo = *it, hi = lo;
    while (++it != s.end() && *it == hi + 1) hi = *it;
    parts.push_back(lo == hi ? std::to_string(lo) : absl::StrCat(lo, "-", hi));
  }
  return absl::StrJoin(parts, ",");
}

}  // namespace sluice::common
