// scontrol update JobId=N KEY=VALUE...: the keys Slurm 22.05 takes for a
// job, one table; each value parsed as Slurm parses it. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld.pb.h"

namespace sluice::cli {

// True when the words name a job (JobId=, Job=).
bool IsJobUpdate(const std::vector<std::string>& words);

// The request for `words` (KEY=VALUE, any case); on error the text Slurm
// prints (the whole of it, lines included) and nothing is sent.
absl::StatusOr<::sluice::v1::ModifyJobRequest> ParseJobUpdate(
    const std::vector<std::string>& words, int64_t now);

// update PartitionName=X State=|MaxTime=|Nodes=|Default=: the request, or
// the lines Slurm prints for a bad value.
bool IsPartitionUpdate(const std::vector<std::string>& words);
absl::StatusOr<::sluice::v1::UpdatePartitionRequest> ParsePartitionUpdate(
    const std::vector<std::string>& words);

}  // namespace sluice::cli
