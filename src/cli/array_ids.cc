#include "cli/array_ids.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sluice::cli {

using ::sluice::v1::JobInfo;

absl::StatusOr<JobSelector> ParseJobSelector(absl::string_view text) {
  JobSelector sel;
  absl::string_view id = text, tasks;
  bool has_tasks = false;
  if (size_t u = text.find('_'); u != text.npos) {
    id = text.substr(0, u);
    tasks = text.substr(u + 1);
    has_tasks = true;
  }
  if (!absl::SimpleAtoi(id, &sel.job) || sel.job == 0 ||
      id.find_first_not_of("0123456789") != id.npos)
    return absl::InvalidArgumentError(absl::StrCat("Invalid job id: ", text));
  if (has_tasks) {
    auto set = common::ParseTaskSelection(tasks);
    if (!set.ok()) return absl::InvalidArgumentError(absl::StrCat("Invalid job id: ", text));
    sel.tasks = *std::move(set);
  }
  return sel;
}

std::vector<std::string> SplitJobList(absl::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '[') ++depth;
    if (c == ']' && depth > 0) --depth;
    if (depth == 0 && (c == ',' || c == ' ')) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

namespace {
std::string Throttled(const JobInfo& j) {
  std::string s = j.array_pending();
  if (j.array_throttle()) absl::StrAppend(&s, "%", j.array_throttle());
  return s;
}
}  // namespace

std::string ArrayJobIdText(const JobInfo& j) {
  if (!j.array_job_id()) return absl::StrCat(j.job_id());
  if (j.array_task_id() >= 0) return absl::StrCat(j.array_job_id(), "_", j.array_task_id());
  return absl::StrCat(j.array_job_id(), "_[", Throttled(j), "]");
}

std::string ArrayTaskText(const JobInfo& j) {
  if (!j.array_job_id()) return "N/A";
  if (j.array_task_id() >= 0) return absl::StrCat(j.array_task_id());
  return Throttled(j);
}

bool SelectorMatches(const JobSelector& sel, const JobInfo& j) {
  if (!sel.tasks) return j.job_id() == sel.job || j.array_job_id() == sel.job;
  if (j.array_job_id() != sel.job) return false;
  if (j.array_task_id() >= 0)
    return sel.tasks->Contains(static_cast<uint32_t>(j.array_task_id()));
  auto pending = common::ParseTaskSelection(j.array_pending());
  if (!pending.ok()) return false;
  bool any = false;
  sel.tasks->ForEach([&](uint32_t i) {
    any = pending->Contains(i);
    return !any;
  });
  return any;
}

std::vector<JobInfo> SplitPendingRest(const JobInfo& rest,
                                      const common::ArrayIndexSet* only) {
  std::vector<JobInfo> out;
  auto pending = common::ParseTaskSelection(rest.array_pending());
  if (!pending.ok()) return out;
  pending->ForEach([&](uint32_t i) {
    if (only && !only->Contains(i)) return true;
    JobInfo t = rest;
    t.set_array_task_id(i);
    t.clear_array_pending();
    out.push_back(std::move(t));
    return true;
  });
  return out;
}

}  // namespace sluice::cli
