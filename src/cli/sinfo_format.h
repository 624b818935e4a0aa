// sinfo's default view: one line per partition and node state, as Slurm
// groups them. Pure; thread-safe.
#pragma once

#include <string>

#include "ctld.pb.h"

namespace sluice::cli {

// "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST" and its rows.
std::string SinfoDefault(const ::sluice::v1::QueryClusterReply& cluster,
                         bool noheader);
// sinfo -N: one line per node and partition.
std::string SinfoNodes(const ::sluice::v1::QueryClusterReply& cluster,
                       bool noheader);
// sinfo -R: down/drained nodes with their reasons.
std::string SinfoReasons(const ::sluice::v1::QueryClusterReply& cluster,
                         bool noheader);

}  // namespace sluice::cli
