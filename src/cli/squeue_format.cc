#include "absl/strings/string_view.h"
#include "cli/array_ids.h"
#include "cli/squeue_format.h"
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

std::string Reason(const JobInfo& j) {
  auto r = common::JobReasonFromInt(j.reason());
  return std::string(common::JobReasonName(r ? *r : common::JobReason::kNone));
}

int64_t Elapsed(const JobInfo& j, int64_t now) {
  if (j.start_time() == 0) return 0;
  int64_t end = common::IsFinished(State(j)) ? j.end_time() : now;
  return std::max<int64_t>(0, end - j.start_time());
}

std::string Ts(int64_t t) { return t ? common::FormatTimestamp(t) : "N/A"; }

// A pending job's expected start: its --begin time while it waits for it,
// else the scheduler's estimate; 0 when unknown.
int64_t ShownStart(const JobInfo& j) {
  if (j.reason() == static_cast<uint32_t>(common::JobReason::kBeginTime))
    return j.eligible_time();
  return j.expected_start();
}

struct Field {
  const char* header;
  bool truncate;  // string fields are cut at the width; numbers are not
};

Field FieldInfo(char c) {
  switch (c) {
    case 'i': return {"JOBID", true};
    case 'A': return {"JOBID", true};
    case 'F': return {"ARRAY_JOB_ID", true};
    case 'K': return {"ARRAY_TASK_ID", true};
    case 'P': return {"PARTITION", true};
    case 'j': return {"NAME", true};
    case 'u': return {"USER", true};
    case 'U': return {"UID", false};
    case 'g': return {"GROUP", true};
    case 'G': return {"GID", false};
    case 't': return {"ST", true};
    case 'T': return {"STATE", true};
    case 'M': return {"TIME", false};
    case 'l': return {"TIME_LIMIT", false};
    case 'L': return {"TIME_LEFT", false};
    case 'D': return {"NODES", false};
    case 'C': return {"CPUS", false};
    case 'c': return {"MIN_CPUS", false};
    case 'R': return {"NODELIST(REASON)", true};
    case 'r': return {"REASON", true};
    case 'N': return {"NODELIST", true};
    case 'B': return {"EXEC_HOST", true};
    case 'b': return {"TRES_PER_NODE", true};
    case 'm': return {"MIN_MEMORY", true};
    case 'S': return {"START_TIME", false};
    case 'V': return {"SUBMIT_TIME", false};
    case 'e': return {"END_TIME", false};
    case 'Q': return {"PRIORITY", false};
    case 'p': return {"PRIORITY", false};
    case 'a': return {"ACCOUNT", true};
    case 'q': return {"QOS", true};
    case 'Z': return {"WORK_DIR", true};
    case 'o': return {"COMMAND", true};
    case 'E': return {"DEPENDENCY", true};
    case 'f': return {"FEATURES", true};
    case 'y': return {"NICE", false};
    case 'h': return {"OVER_SUBSCRIBE", true};
    case 'k': return {"COMMENT", true};
    case 'v': return {"RESERVATION", true};
    case 'Y': return {"SCHEDNODES", true};
    default: return {nullptr, true};
  }
}

std::string Value(char c, const JobInfo& j, int64_t now) {
  JobState st = State(j);
  bool pending = st == JobState::kPending;
  switch (c) {
    case 'i': return ArrayJobIdText(j);
    case 'A': return absl::StrCat(j.job_id());
    case 'F': return absl::StrCat(j.array_job_id() ? j.array_job_id() : j.job_id());
    case 'K': return ArrayTaskText(j);
    case 'P': return j.partition();
    case 'j': return j.name();
    case 'u': return j.user_name();
    case 'U': return absl::StrCat(j.user_id());
    case 'g': return j.group_name();
    case 'G': return absl::StrCat(j.group_id());
    case 't':
      return std::string(common::JobStateCompact(
          j.completing() ? JobState::kCompleting : st));
    case 'T':
      return std::string(
          common::JobStateName(j.completing() ? JobState::kCompleting : st));
    case 'M': return common::FormatDuration(Elapsed(j, now));
    case 'l': return common::FormatTimeLimit(j.time_limit_min());
    case 'L': {
      if (j.time_limit_min() < 0) return common::FormatTimeLimit(j.time_limit_min());
      int64_t left = j.time_limit_min() * 60 - Elapsed(j, now);
      return common::FormatDuration(std::max<int64_t>(0, left));
    }
    case 'D': return absl::StrCat(j.num_nodes());
    case 'C': return absl::StrCat(j.num_cpus());
    case 'c': return absl::StrCat(j.cpus_per_task());
    case 'R':
      if (pending || st == JobState::kFailed || st == JobState::kTimeout ||
          st == JobState::kNodeFail)
        return absl::StrCat("(", Reason(j), ")");
      return j.node_list();
    case 'r': return Reason(j);
    case 'N': return j.node_list();
    case 'B': return j.batch_host().empty() ? "n/a" : j.batch_host();
    case 'b': return j.tres_per_node().empty() ? "N/A" : j.tres_per_node();
    case 'm': return j.min_mem_mb() ? absl::StrCat(j.min_mem_mb(), "M") : "0";
    case 'S':
      return Ts(pending ? ShownStart(j) : j.start_time());
    case 'Y': return j.sched_nodes().empty() ? "(null)" : j.sched_nodes();
    case 'V': return Ts(j.submit_time());
    case 'e':
      return common::IsFinished(st) ? Ts(j.end_time()) : "N/A";
    case 'Q': return absl::StrCat(j.priority());
    case 'p':
      return absl::StrFormat("%.14f", static_cast<double>(j.priority()) /
                                          4294967295.0);
    case 'E': return j.dependency().empty() ? "(null)" : j.dependency();
    case 'a': return j.account().empty() ? "(null)" : j.account();
    case 'k': return j.comment().empty() ? "(null)" : j.comment();
    case 'q': case 'f': case 'v':
      return "(null)";
    case 'Z': return j.work_dir();
    case 'o': return j.command().empty() ? "(null)" : j.command();
    case 'y': return absl::StrCat(j.nice());
    case 'h': return "OK";
    default: return "";
  }
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
    cur.field = fmt[j];
    cur.width = width;
    cur.right = right;
    items.push_back(std::move(cur));
    cur = FormatItem();
    i = j;
  }
  if (!cur.literal.empty()) items.push_back(std::move(cur));
  return items;
}

std::string SqueueHeader(const std::vector<FormatItem>& items) {
  std::string out;
  for (const auto& it : items) {
    out += it.literal;
    if (!it.field) continue;
    Field f = FieldInfo(it.field);
    out += Pad(f.header ? f.header : "", it, true);
  }
  return out;
}

std::string SqueueRow(const std::vector<FormatItem>& items, const JobInfo& job,
                      int64_t now) {
  std::string out;
  for (const auto& it : items) {
    out += it.literal;
    if (!it.field) continue;
    out += Pad(Value(it.field, job, now), it, FieldInfo(it.field).truncate);
  }
  return out;
}

void SortJobsByStart(std::vector<const JobInfo*>* jobs) {
  std::stable_sort(jobs->begin(), jobs->end(),
                   [](const JobInfo* a, const JobInfo* b) {
                     // Known starts first, earliest first; then priority.
                     int64_t sa = ShownStart(*a) ? ShownStart(*a) : INT64_MAX;
                     int64_t sb = ShownStart(*b) ? ShownStart(*b) : INT64_MAX;
                     if (sa != sb) return sa < sb;
                     if (a->priority() != b->priority())
                       return a->priority() > b->priority();
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
    if (k.size() != 1 || FieldInfo(k[0]).header == nullptr)
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
        cmp = Value(k.field, *a, now).compare(Value(k.field, *b, now));
      }
      if (cmp != 0) return k.descending ? cmp > 0 : cmp < 0;
    }
    return false;
  });
  return absl::OkStatus();
}

}  // namespace sluice::cli
