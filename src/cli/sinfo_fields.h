// sinfo -o "%P %N %G ..." and -O "NodeList,Gres,GresUsed,...": a format is
// parsed into fields, then rows are one per partition and group of nodes
// with equal values (or one per node and partition with -N), as Slurm
// groups them. GresUsed and the GpuUtil/GpuMem extensions show GPU use per
// node. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld.pb.h"

namespace sluice::cli {

struct SinfoField {
  std::string key;    // canonical name, e.g. "partition", "gresused"
  std::string header;
  int width = 0;      // 0: as long as the value
  bool right = false;
  std::string literal;  // text between fields (key empty)
};

// `-o` style: "%P %.5a %10l %N"; `-O` style: "NodeList:20,GresUsed".
absl::StatusOr<std::vector<SinfoField>> ParseSinfoFormat(const std::string& fmt);
absl::StatusOr<std::vector<SinfoField>> ParseSinfoLongFormat(const std::string& fmt);

// Slurm's numeric node state (base state, DRAIN and NO_RESPOND flags):
// within a partition, sinfo lists the highest first (its "-t" default).
int SinfoStateRank(const ::sluice::v1::NodeInfo& n);

// "gpu:2(IDX:0-1)", Slurm's GresUsed for a node.
std::string SinfoGresUsed(const ::sluice::v1::NodeInfo& n);

// `sort` is -S/SINFO_SORT: format letters, each with an optional '+'
// (ascending, the default) or '-', comma separated; a token that is not
// one letter is ignored, as Slurm ignores it. Empty: Slurm's own order.
// Without `exact` (-e), nodes that differ only in CPUs, memory or disk
// share a line that shows the least value and '+' ("250+").
std::string SinfoFormatted(const ::sluice::v1::QueryClusterReply& cluster,
                           const std::vector<SinfoField>& fields, bool node_view,
                           bool noheader, const std::string& sort = "", bool exact = false);

}  // namespace sluice::cli
