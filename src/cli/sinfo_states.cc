#include "cli/sinfo_states.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/job_types.h"

namespace sluice::cli {
namespace {

// Slurm 22.05's list, in its order (its error message prints it so, with
// "unknown" twice).
constexpr const char* kStates[] = {
    "unknown", "down", "idle", "allocated", "?", "mixed", "future", "drain", "drained",
    "draining", "no_respond", "reserved", "perfctrs", "cloud", "completing", "powering_down",
    "powered_down", "power_down", "powering_up", "fail", "maint", "reboot", "reboot^"};

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseNodeStates(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view word : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    if (absl::EqualsIgnoreCase(word, "all")) return std::vector<std::string>{};
    const char* found = nullptr;
    for (const char* s : kStates)
      if (absl::StartsWithIgnoreCase(s, word)) {
        found = s;
        break;
      }
    if (!found) {
      std::string valid;
      for (const char* s : kStates) absl::StrAppend(&valid, s, ",");
      return absl::InvalidArgumentError(absl::StrCat("Bad state string: \"", word,
                                                     "\"\nvalid states: ", valid, "unknown"));
    }
    out.emplace_back(found);
  }
  return out;
}

bool NodeInStates(const ::sluice::v1::NodeInfo& n, const std::vector<std::string>& states) {
  if (states.empty()) return true;
  using common::NodeBaseState;
  auto base = static_cast<NodeBaseState>(n.state());
  bool busy = base == NodeBaseState::kAllocated || base == NodeBaseState::kMixed;
  for (const std::string& s : states) {
    // The base state matches whatever the drain flag; the flags match alone.
    if ((s == "unknown" && base == NodeBaseState::kUnknown) ||
        (s == "down" && base == NodeBaseState::kDown) ||
        (s == "idle" && base == NodeBaseState::kIdle) ||
        (s == "allocated" && base == NodeBaseState::kAllocated) ||
        (s == "mixed" && base == NodeBaseState::kMixed) || (s == "drain" && n.drain()) ||
        (s == "drained" && n.drain() && !busy) || (s == "draining" && n.drain() && busy) ||
        (s == "no_respond" && !n.responding()))
      return true;
    // The other states (future, cloud, powering, maint, reboot, ...) are
    // ones no node here is ever in.
  }
  return false;
}

}  // namespace sluice::cli
