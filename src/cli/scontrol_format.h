// scontrol's "show" views: jobs, nodes and partitions as Slurm 22.05 lays
// them out (Key=Value lines, or one line with -o). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ctld.pb.h"

namespace sluice::cli {

// scontrol show hostlist[sorted] EXPR: the names EXPR stands for (a list,
// brackets too), compressed in their order or sorted, as Slurm prints them.
absl::StatusOr<std::string> ShowHostlist(const std::string& expr, bool sorted);

// scontrol show step: a running job's batch step (`step` nullptr) or one of
// its srun steps, in Slurm's layout.
std::string ScontrolStep(const ::sluice::v1::JobInfo& j, const ::sluice::v1::StepInfo* step,
                         bool one_liner);

// The GPUs a job holds on one node as Slurm details them ("gpu:1(IDX:0)");
// "" when none.
std::string JobNodeGres(const ::sluice::v1::JobInfo& j, const ::sluice::v1::NodeAlloc& a);

// A pending job's dependencies with their state ("afterok:5(unfulfilled)"),
// "(null)" when it has none or has left pending.
std::string ScontrolDependency(const ::sluice::v1::JobInfo& j);

// `details` (-d) adds DerivedExitCode and, for a started job, JOB_GRES and
// a line per node (its CPU IDs, memory and GPUs).
std::string ScontrolJob(const ::sluice::v1::JobInfo& j, int64_t now,
                        bool one_liner, bool details = false);
// `cluster` supplies partition membership and totals.
// `details` (-d) adds GresDrain= and GresUsed= as Slurm does.
std::string ScontrolNode(const ::sluice::v1::NodeInfo& n, bool one_liner,
                         bool details = false);
std::string ScontrolPartition(const ::sluice::v1::PartitionInfo& p,
                              const ::sluice::v1::QueryClusterReply& cluster,
                              bool one_liner);

}  // namespace sluice::cli
