// sacctmgr show ... --json/--yaml (issue 13 point 1): the rows a listing
// selected as a Slurm OpenAPI DB v0.0.38 document ("accounts", "users",
// "associations", "qos" or "clusters", each in the shape slurmrestd's
// dbv0.0.38 gives them). Slurm 22.05's sacctmgr has no --json; this follows
// its REST shapes so that tools read one format. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/sacctmgr_format.h"
#include "ctld.pb.h"

namespace sluice::cli {

// `rep` supplies what a row does not carry (accounts' parents, users'
// associations).
std::string MgrDocument(MgrEntity e, const std::vector<MgrRow>& rows,
                        const ::sluice::v1::AcctMgrReply& rep, bool yaml);

}  // namespace sluice::cli
