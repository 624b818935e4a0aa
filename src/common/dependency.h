// --dependency expressions: "afterok:12:13,afterany:14", "afterok:12?afternotok:13",
// "singleton", "after:12+5". Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::common {

enum class DepType { kAfter, kAfterAny, kAfterOk, kAfterNotOk, kAfterCorr, kSingleton };

struct DepTerm {
  DepType type = DepType::kAfterAny;
  std::vector<uint64_t> jobs;  // empty for singleton
  int64_t delay_min = 0;       // after:ID+minutes
};

struct Dependency {
  std::vector<DepTerm> terms;
  bool any = false;  // '?': one satisfied term is enough; ',': all must be
  bool empty() const { return terms.empty(); }
};

// InvalidArgument("Job dependency problem") -- Slurm's text -- on bad input.
absl::StatusOr<Dependency> ParseDependency(absl::string_view s);
// Canonical text, as scontrol shows it (without satisfaction state).
std::string FormatDependency(const Dependency& d);

}  // namespace sluice::common
