// scancel's choice of what to signal, as Slurm 22.05 makes it: job and step
// IDs given together with filters act only on the IDs whose jobs match every
// filter; filters alone act on every active job that matches them all; an
// ID that names no active job is reported. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/job_types.h"
#include "ctld.pb.h"
#include "cli/array_ids.h"

namespace sluice::cli {

struct CancelTarget {
  uint64_t job = 0;
  int32_t step = -1;  // -1: the whole job
  int64_t task = -1;  // >= 0: task `task` of array `job` (N_i)
  bool operator==(const CancelTarget&) const = default;
};

// Every filter must hold. Sluice jobs carry no reservation or wckey, and
// a QOS only where accounting applies (as a Slurm 22.05 cluster without
// accounting shows `QOS=`), so a filter on those matches no such job.
struct CancelFilter {
  std::optional<uint32_t> uid;
  std::string user_name;  // as given, for the verbose message
  std::set<std::string> accounts, names, partitions, qos, reservations, wckeys, nodes;
  std::string state;  // PENDING, RUNNING or SUSPENDED (no Sluice job is suspended)
  bool Any() const;
  // "account=a job_name=n ..." in Slurm's order, for "No active jobs match
  // ALL job filters, including: ...".
  std::string Describe() const;
};

struct CancelSelection {
  std::vector<CancelTarget> chosen;   // in the order given (or job order)
  std::vector<CancelTarget> unknown;  // given IDs with no active job
};

// `jobs` is the controller's job list. A step target of a pending job is
// skipped (it has no steps yet), as Slurm does.
// scancel -t: "PENDING", "RUNNING" or "SUSPENDED" for any case of those
// names or their compact forms (PD, R, S); nullopt otherwise.
std::optional<std::string> ParseCancelState(const std::string& text);

CancelSelection SelectCancelTargets(const ::sluice::v1::QueryJobsReply& jobs,
                                    const std::vector<CancelTarget>& targets,
                                    const CancelFilter& filter);

}  // namespace sluice::cli
