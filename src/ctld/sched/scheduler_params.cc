// SchedulerParameters parsing and job array offers (scheduler.h).
#include <algorithm>

#include "ctld/sched/scheduler.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sluice::sched {

absl::StatusOr<SchedulerConfig> ParseSchedulerParameters(absl::string_view s) {
  SchedulerConfig c;
  for (absl::string_view item : absl::StrSplit(s, ',', absl::SkipEmpty())) {
    absl::string_view key = item.substr(0, item.find('='));
    absl::string_view val =
        item.find('=') == absl::string_view::npos ? "" : item.substr(item.find('=') + 1);
    int64_t v = 0;
    bool numeric = key == "bf_window" || key == "bf_resolution" ||
                   key == "bf_max_job_test";
    if (numeric && (!absl::SimpleAtoi(val, &v) || v <= 0))
      return absl::InvalidArgumentError(
          absl::StrCat("SchedulerParameters: invalid value for ", key, ": ", val));
    if (key == "bf_window") c.bf_window_s = v * 60;
    if (key == "bf_resolution") c.bf_resolution_s = v;
    if (key == "bf_max_job_test") c.bf_max_job_test = static_cast<size_t>(v);
  }
  return c;
}

uint64_t ArrayOffers(uint64_t waiting, uint32_t throttle, uint32_t active,
                     uint64_t free_cpus, uint32_t cpus_per_task) {
  if (waiting == 0) return 0;
  uint64_t room = waiting;
  if (throttle) {
    if (active >= throttle) return 0;
    room = std::min<uint64_t>(room, throttle - active);
  }
  return std::max<uint64_t>(1, std::min<uint64_t>(room, free_cpus / std::max<uint32_t>(1, cpus_per_task)));
}

}  // namespace sluice::sched
