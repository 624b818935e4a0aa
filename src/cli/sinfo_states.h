// sinfo -t/--states: the node state names Slurm 22.05 takes, matched by
// prefix as Slurm matches them ("alloc" is allocated), and which of them a
// node is in. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld.pb.h"

namespace sluice::cli {

// The canonical names of a comma list ("all" is every state: an empty
// list). A word that names no state is Slurm's two lines, as the error's
// message: 'Bad state string: "X"' and 'valid states: ...'.
absl::StatusOr<std::vector<std::string>> ParseNodeStates(const std::string& text);

// Whether the node is in any of `states` (canonical names); all when empty.
bool NodeInStates(const ::sluice::v1::NodeInfo& node, const std::vector<std::string>& states);

}  // namespace sluice::cli
