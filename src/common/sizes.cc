#include "absl/strings/string_view.h"
#include "common/sizes.h"

#include "absl/status/status.h"

namespace sluice::common {

absl::StatusOr<uint64_t> ParseMemoryMB(absl::string_view s) {
  auto bad = absl::InvalidArgumentError("Invalid --mem specification");
  size_t i = 0;
  uint64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (v > (UINT64_MAX / 10) - 10) return bad;
    v = v * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return bad;
  absl::string_view suffix = s.substr(i);
  if (suffix.size() == 2 && (suffix[1] == 'b' || suffix[1] == 'B'))
    suffix = suffix.substr(0, 1);
  if (suffix.size() > 1) return bad;
  uint64_t mult_kb = 1024;  // in KiB
  if (!suffix.empty()) {
    switch (suffix[0]) {
      case 'k': case 'K': mult_kb = 1; break;
      case 'm': case 'M': mult_kb = 1024; break;
      case 'g': case 'G': mult_kb = 1024ull * 1024; break;
      case 't': case 'T': mult_kb = 1024ull * 1024 * 1024; break;
      default: return bad;
    }
  }
  if (v > UINT64_MAX / mult_kb) return bad;
  uint64_t kb = v * mult_kb;
  return (kb + 1023) / 1024;
}

std::string FormatTresMemMB(uint64_t mb) {
  const char* unit = "M";
  for (const char* next : {"G", "T"}) {
    if (mb == 0 || mb % 1024 != 0) break;
    mb /= 1024;
    unit = next;
  }
  return std::to_string(mb) + unit;
}

}  // namespace sluice::common
