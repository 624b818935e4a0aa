// scontrol show config: Slurm 22.05's "Key = Value" listing, one table of
// its keys in its order. A value is what Sluice runs with where Sluice
// acts on the key (its parsed slurm.conf), else the key as slurm.conf
// writes it, else Slurm's default. Pure; thread-safe.
#pragma once

#include <string>

#include "common/slurm_conf.h"
#include "ctld.pb.h"

namespace sluice::cli {

// `rep` is the controller's QueryCluster answer (boot time, next job ID,
// its slurm.conf's hash); `host` names the controller as ping does.
std::string ShowConfig(const common::SlurmConfig& cfg, const ::sluice::v1::QueryClusterReply& rep,
                       const std::string& host);

}  // namespace sluice::cli
