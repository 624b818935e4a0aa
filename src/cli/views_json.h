// squeue --json and --yaml, and sinfo's: the jobs and nodes in the shape of
// Slurm 22.05's data_parser output (openapi/v0.0.38). As in Slurm, the
// documents hold every job and node the controller has; the listing
// filters do not narrow them. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "ctld.pb.h"

namespace sluice::cli {

std::string SqueueDocument(const ::sluice::v1::QueryJobsReply& jobs, bool yaml);
std::string SinfoDocument(const ::sluice::v1::QueryClusterReply& cluster, bool yaml);

}  // namespace sluice::cli
