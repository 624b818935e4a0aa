#include "absl/strings/string_view.h"
#include "common/time_spec.h"

#include <ctime>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace sluice::common {
namespace {

absl::Status BadTime() {
  return absl::InvalidArgumentError("Invalid --time specification");
}

bool ParseUint(absl::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 9) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

absl::StatusOr<int64_t> ParseTimeLimit(absl::string_view s) {
  std::string lower = absl::AsciiStrToLower(s);
  if (lower == "unlimited" || lower == "infinite") return kTimeInfinite;
  if (s.empty()) return BadTime();
  if (s[0] == '-') {
    // Slurm 22.05 takes "-5" and stores a value squeue shows as INVALID.
    auto rest = ParseTimeLimit(s.substr(1));
    if (!rest.ok()) return rest.status();
    return kTimeInvalid;
  }
  int64_t days = 0, hours = 0, minutes = 0, seconds = 0;
  absl::string_view rest = s;
  size_t dash = s.find('-');
  bool has_days = dash != absl::string_view::npos;
  if (has_days) {
    if (!ParseUint(s.substr(0, dash), &days)) return BadTime();
    rest = s.substr(dash + 1);
  }
  std::vector<absl::string_view> parts = absl::StrSplit(rest, ':');
  std::vector<int64_t> v;
  for (auto p : parts) {
    int64_t x;
    if (!ParseUint(p, &x)) return BadTime();
    v.push_back(x);
  }
  if (has_days) {
    // D-H, D-H:M, D-H:M:S
    if (v.size() > 3) return BadTime();
    hours = v[0];
    if (v.size() > 1) minutes = v[1];
    if (v.size() > 2) seconds = v[2];
  } else {
    // M, M:S, H:M:S
    if (v.size() == 1) {
      minutes = v[0];
    } else if (v.size() == 2) {
      minutes = v[0];
      seconds = v[1];
    } else if (v.size() == 3) {
      hours = v[0];
      minutes = v[1];
      seconds = v[2];
    } else {
      return BadTime();
    }
  }
  int64_t total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
  return (total + 59) / 60;
}

namespace {
// squeue drops leading zero fields ("0:34"); scontrol keeps HH:MM:SS.
std::string Duration(int64_t seconds, bool fixed) {
  if (seconds < 0) return "INVALID";
  int64_t days = seconds / 86400;
  int64_t h = (seconds / 3600) % 24;
  int64_t m = (seconds / 60) % 60;
  int64_t s = seconds % 60;
  if (days > 0) return absl::StrFormat("%d-%02d:%02d:%02d", days, h, m, s);
  if (fixed) return absl::StrFormat("%02d:%02d:%02d", h, m, s);
  if (h > 0) return absl::StrFormat("%d:%02d:%02d", h, m, s);
  return absl::StrFormat("%d:%02d", m, s);
}
}  // namespace

std::string FormatDuration(int64_t seconds) { return Duration(seconds, false); }

std::string FormatTimeLimit(int64_t minutes) {
  if (minutes == kTimeInfinite) return "UNLIMITED";
  if (minutes < 0) return "INVALID";
  return FormatDuration(minutes * 60);
}

std::string FormatDurationLong(int64_t seconds) {
  return Duration(seconds, true);
}

std::string FormatTimestamp(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

}  // namespace sluice::common
