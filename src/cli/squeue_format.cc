#include "absl/strings/string_view.h"
#include "cli/array_ids.h"
#include "cli/squeue_format.h"
#include "cli/squeue_fields.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/job_types.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

using ::sluice::v1::JobInfo;
using common::JobState;

JobState State(const JobInfo& j) { return static_cast<JobState>(j.state()); }

std::string Value(const FormatItem& it, const JobInfo& j, int64_t now) {
  return it.field ? it.field->value(j, now) : "";
}

std::string Pad(std::string s, const FormatItem& it, bool truncate) {
  if (it.width <= 0) return s;
  size_t w = static_cast<size_t>(it.width);
  if (s.size() > w) {
    if (truncate) s.resize(w);
    return s;
  }
  std::string pad(w - s.size(), ' ');
  return it.right ? pad + s : s + pad;
}

// Pad's result appended to `out` in place (a listing's rows: no temporaries).
void AppendPadded(std::string* out, absl::string_view s, const FormatItem& it, bool truncate) {
  size_t w = it.width > 0 ? static_cast<size_t>(it.width) : 0;
  if (w == 0 || s.size() >= w) {
    out->append(s.data(), truncate && w && s.size() > w ? w : s.size());
    return;
  }
  if (it.right) out->append(w - s.size(), ' ');
  out->append(s.data(), s.size());
  if (!it.right) out->append(w - s.size(), ' ');
}

}  // namespace

std::vector<FormatItem> ParseSqueueFormat(absl::string_view fmt) {
  std::vector<FormatItem> items;
  FormatItem cur;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 >= fmt.size()) {
      cur.literal += fmt[i];
      continue;
    }
    size_t j = i + 1;
    bool right = false;
    if (fmt[j] == '-') ++j;  // explicit left justification, the default
    if (j < fmt.size() && fmt[j] == '.') {
      right = true;
      ++j;
    }
    int width = 0;
    while (j < fmt.size() && fmt[j] >= '0' && fmt[j] <= '9' && width < 10000)
      width = width * 10 + (fmt[j++] - '0');
    if (j >= fmt.size()) {
      cur.literal.append(fmt.data() + i, fmt.size() - i);
      break;
    }
    cur.field = SqueueFieldByLetter(fmt[j]);
    cur.unknown = cur.field == nullptr;
    cur.width = width;
    cur.right = right;
    items.push_back(std::move(cur));
    cur = FormatItem();
    i = j;
  }
  if (!cur.literal.empty()) items.push_back(std::move(cur));
  return items;
}

std::vector<FormatItem> ParseSqueueLongFormat(absl::string_view fmt,
                                              std::vector<std::string>* unknown) {
  std::vector<FormatItem> items;
  for (absl::string_view spec : absl::StrSplit(fmt, ',', absl::SkipEmpty())) {
    size_t colon = spec.find(':');
    absl::string_view name = spec.substr(0, colon);
    FormatItem it;
    it.field = SqueueFieldByName(name);
    if (!it.field) {
      unknown->emplace_back(name);
      continue;
    }
    it.cut = true;
    it.width = 20;
    if (colon != absl::string_view::npos) {
      absl::string_view rest = spec.substr(colon + 1);
      it.right = absl::ConsumePrefix(&rest, ".");
      size_t d = 0;
      while (d < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[d])) && d < 6)
        ++d;
      it.width = 0;
      if (d) (void)absl::SimpleAtoi(rest.substr(0, d), &it.width);
      it.suffix = std::string(rest.substr(d));
    }
    items.push_back(std::move(it));
  }
  return items;
}

std::string SqueueHeader(const std::vector<FormatItem>& items) {
  std::string out;
  for (const auto& it : items) {
    out += it.literal;
    if (!it.field) {
      if (it.unknown) out += Pad("", it, true);
      continue;
    }
    out += Pad(it.field->header, it, true) + it.suffix;
  }
  return out;
}

std::string SqueueRow(const std::vector<FormatItem>& items, const JobInfo& job,
                      int64_t now) {
  std::string out;
  AppendSqueueRow(&out, items, job, now);
  return out;
}

void AppendSqueueRow(std::string* out, const std::vector<FormatItem>& items, const JobInfo& job,
                     int64_t now) {
  for (const auto& it : items) {
    out->append(it.literal);
    if (!it.field) {
      if (it.unknown) AppendPadded(out, "", it, true);
      continue;
    }
    AppendPadded(out, Value(it, job, now), it, it.cut || it.field->truncate);
    out->append(it.suffix);
  }
}

void SortJobsByStart(std::vector<const JobInfo*>* jobs) {
  std::stable_sort(jobs->begin(), jobs->end(),
                   [](const JobInfo* a, const JobInfo* b) {
                     // Known starts first, earliest first; then by ID, as Slurm.
                     int64_t sa = ShownStart(*a) ? ShownStart(*a) : INT64_MAX;
                     int64_t sb = ShownStart(*b) ? ShownStart(*b) : INT64_MAX;
                     if (sa != sb) return sa < sb;
                     return a->job_id() < b->job_id();
                   });
}

void SortJobsDefault(std::vector<const JobInfo*>* jobs) {
  std::stable_sort(jobs->begin(), jobs->end(),
                   [](const JobInfo* a, const JobInfo* b) {
                     if (a->partition() != b->partition())
                       return a->partition() < b->partition();
                     auto sa = common::JobStateCompact(State(*a));
                     auto sb = common::JobStateCompact(State(*b));
                     if (sa != sb) return sa < sb;
                     if (a->priority() != b->priority())
                       return a->priority() > b->priority();
                     // Ties: newest first while pending, as Slurm lists them.
                     if (State(*a) == JobState::kPending)
                       return a->job_id() > b->job_id();
                     return a->job_id() < b->job_id();
                   });
}

absl::Status SortJobsBy(std::vector<const JobInfo*>* jobs, absl::string_view spec,
                        int64_t now) {
  struct Key {
    char field;
    bool descending;
  };
  std::vector<Key> keys;
  for (absl::string_view k : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    bool desc = absl::ConsumePrefix(&k, "-");
    if (!desc) absl::ConsumePrefix(&k, "+");
    if (k.size() != 1 || SqueueFieldByLetter(k[0]) == nullptr)
      return absl::InvalidArgumentError(absl::StrCat("Invalid sort specification: ", spec));
    keys.push_back({k[0], desc});
  }
  // Numeric keys where the text would sort wrongly.
  auto number = [now](char f, const JobInfo& j, int64_t* out) {
    switch (f) {
      case 'i': case 'F':
        *out = static_cast<int64_t>(j.array_job_id() ? j.array_job_id() : j.job_id());
        return true;
      case 'A': *out = static_cast<int64_t>(j.job_id()); return true;
      case 'Q': case 'p': *out = static_cast<int64_t>(j.priority()); return true;
      case 'D': *out = j.num_nodes(); return true;
      case 'C': *out = j.num_cpus(); return true;
      case 'M': *out = j.start_time() ? now - j.start_time() : 0; return true;
      case 'l': *out = j.time_limit_min(); return true;
      case 'S': *out = j.start_time() ? j.start_time() : j.expected_start(); return true;
      case 'V': *out = j.submit_time(); return true;
      case 'e': *out = j.end_time(); return true;
      case 'U': *out = j.user_id(); return true;
      default: return false;
    }
  };
  std::stable_sort(jobs->begin(), jobs->end(), [&](const JobInfo* a, const JobInfo* b) {
    for (const Key& k : keys) {
      int64_t x = 0, y = 0;
      int cmp;
      if (number(k.field, *a, &x) && number(k.field, *b, &y)) {
        cmp = x < y ? -1 : x > y ? 1 : 0;
      } else {
        const SqueueField* f = SqueueFieldByLetter(k.field);
        cmp = f->value(*a, now).compare(f->value(*b, now));
      }
      if (cmp != 0) return k.descending ? cmp > 0 : cmp < 0;
    }
    return false;
  });
  return absl::OkStatus();
}

}  // namespace sluice::cli
