// Slurm hostlist expressions: "mlmini-g2-ghpc-[0-1,5]", "n[01-10]",
// "a[1-2]b[3-4]", "a1,b[2-3]". Pure functions; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sluice::common {

// Expands a hostlist into host names, in order, keeping duplicates.
// Several bracket groups in one name expand as a cartesian product; a range
// keeps the zero padding of its lower bound ("n[08-10]" -> n08 n09 n10).
// Errors: unbalanced brackets, empty or reversed ranges, non-numeric bounds,
// or more than `max_hosts` names.
absl::StatusOr<std::vector<std::string>> ExpandHostlist(
    absl::string_view expr, size_t max_hosts = 1 << 20);

// Compresses names as Slurm prints them: names are sorted by prefix, the
// form of their number and its value, duplicates dropped, runs of
// consecutive numbers merged where written alike -- the same width, or
// neither zero-padded: {n1,n2,n3,n5} -> "n[1-3,5]", {n8..n11} ->
// "n[8-11]", {gpu001..gpu100} -> "gpu[001-100]", {n08,n9} -> "n[9,08]".
std::string CompressHostlist(const std::vector<std::string>& hosts);

// scontrol show hostlistsorted: sorted as above, duplicates kept
// ({n1,n2,n1} -> "n[1,1-2]").
std::string CompressHostlistSorted(const std::vector<std::string>& hosts);

// As CompressHostlist but keeps the given order (used for node lists that
// follow the configuration order, as Slurm's bitmaps do).
std::string CompressHostlistOrdered(const std::vector<std::string>& hosts);

// Slurm's per-node counts, runs of equal values folded: {2,2,1} -> "2(x2),1".
std::string FormatRepeatedCounts(const std::vector<uint32_t>& counts);
// Sorted, de-duplicated ids as ranges: {3,0,1,2,8} -> "0-3,8" (CPU lists,
// task ranges).
std::string FormatIdRanges(const std::vector<uint32_t>& ids);

}  // namespace sluice::common
