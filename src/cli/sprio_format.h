// sprio's output: the one table of its format letters (weighted and
// normalised factors, job, partition, user), -o parsing ("%.15i %9r":
// '.' right-aligns, a width pads, other text is kept), the default formats
// Slurm 22.05 builds from the weights, and the Weights line of -w. Pure;
// thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld.pb.h"

namespace sluice::cli {

struct PrioItem {
  std::string literal;   // text before the field (or the whole item when no field)
  char letter = 0;       // 0: literal only
  int width = 0;         // 0: as long as it is
  bool right = false;
};
// An unknown letter: "Invalid job format specification: X".
absl::StatusOr<std::vector<PrioItem>> ParsePrioFormat(const std::string& spec);
// Slurm's default: the columns whose weight is set (every one with -l),
// USER with -l or -u, normalised values with -n.
std::string DefaultPrioFormat(const ::sluice::v1::SharesReply& w, bool long_format, bool norm,
                              bool user);

std::string PrioHeader(const std::vector<PrioItem>& f);
std::string PrioLine(const std::vector<PrioItem>& f, const ::sluice::v1::JobPriorityRecord& j,
                     const ::sluice::v1::SharesReply& w);
std::string PrioWeights(const std::vector<PrioItem>& f, const ::sluice::v1::SharesReply& w);

}  // namespace sluice::cli
