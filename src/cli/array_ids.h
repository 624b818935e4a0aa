// How the commands name and show job array records: "N_i" for a task,
// "N_[1-3,5%2]" for the tasks still waiting, and the selectors users type
// (N, N_i, N_[a-b]). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/array_spec.h"
#include "ctld.pb.h"

namespace sluice::cli {

// A job ID as typed: N, or N_i / N_[list] for tasks of array N.
struct JobSelector {
  uint64_t job = 0;
  std::optional<common::ArrayIndexSet> tasks;
};
// InvalidArgument on anything else.
absl::StatusOr<JobSelector> ParseJobSelector(absl::string_view text);

// Splits "12,13_[1-3,5] 14" at commas and spaces outside brackets.
std::vector<std::string> SplitJobList(absl::string_view text);

// squeue's %i and scontrol's view of the ID: "N_i", "N_[set%t]" or "N".
std::string ArrayJobIdText(const ::sluice::v1::JobInfo& j);
// %K: the task index, the waiting set ("1-3%2"), or "N/A".
std::string ArrayTaskText(const ::sluice::v1::JobInfo& j);

// True when `j` is (or, for the waiting rest, holds) what `sel` names.
bool SelectorMatches(const JobSelector& sel, const ::sluice::v1::JobInfo& j);

// The waiting rest of an array as one record per task (squeue -r, or the
// tasks a selector names), each shown as N_i; `only` narrows the tasks.
std::vector<::sluice::v1::JobInfo> SplitPendingRest(
    const ::sluice::v1::JobInfo& rest, const common::ArrayIndexSet* only);

}  // namespace sluice::cli
