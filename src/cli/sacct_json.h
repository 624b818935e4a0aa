// sacct --json and --yaml: the records in the shape of Slurm 22.05's
// data_parser output (openapi/dbv0.0.38), printed in Slurm's layout by
// cli/data_doc. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "ctld.pb.h"

namespace sluice::cli {

std::string AcctJson(const std::vector<const ::sluice::v1::AcctJob*>& jobs,
                     const std::string& cluster, int64_t now, bool yaml = false);

}  // namespace sluice::cli
