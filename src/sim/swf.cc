#include "sim/swf.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sluice::sim {

absl::StatusOr<std::vector<SwfJob>> ParseSwf(absl::string_view text) {
  std::vector<SwfJob> jobs;
  int lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == ';') continue;
    std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat("SWF line ", lineno, ": ", what));
    };
    if (f.size() < 9) return bad("expected at least 9 fields");
    int64_t v[9];
    for (int i = 0; i < 9; ++i) {
      double d;
      // Some archives write fractional seconds; whole seconds are enough.
      if (!absl::SimpleAtod(f[i], &d) || d > 1e15 || d < -1e15)
        return bad(absl::StrCat("field ", i + 1, " is not a number: ", f[i]));
      v[i] = static_cast<int64_t>(d);
    }
    SwfJob j;
    if (v[0] <= 0) return bad("job number must be positive");
    j.id = static_cast<uint64_t>(v[0]);
    j.submit_s = v[1];
    j.run_s = v[3];
    j.procs = v[7] > 0 ? v[7] : v[4];
    j.req_time_s = v[8] > 0 ? v[8] : v[3];
    if (j.submit_s < 0) return bad("negative submit time");
    if (j.run_s < 0) continue;  // cancelled before it ran: not a workload job
    if (j.procs <= 0) return bad("no processor count");
    if (j.req_time_s < j.run_s) j.req_time_s = j.run_s;
    for (size_t k = 18; k < f.size() && k < 20; ++k) {
      uint32_t x;
      if (!absl::SimpleAtoi(f[k], &x) || x > 4000001)
        return bad(absl::StrCat("field ", k + 1, " is not an array count: ", f[k]));
      (k == 18 ? j.array_tasks : j.array_throttle) = x;
    }
    jobs.push_back(j);
  }
  return jobs;
}

}  // namespace sluice::sim
