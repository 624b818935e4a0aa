// How long the node daemon waits before its next report (issue 14 point
// 6). A node that runs nothing and had nothing to tell backs off: each
// quiet report doubles the wait, from the heartbeat (2 s) up to a third of
// SlurmdTimeout, as slurmctld pings a node every SlurmdTimeout/3; so the
// controller still sees a dead node within SlurmdTimeout, and 10,000 idle
// nodes under Slurm's default SlurmdTimeout=300 send 100 reports a second
// instead of 5,000. Anything to tell, a job running, or a failed report
// goes back to the heartbeat. Events (a launch, a job's end) still report
// at once. Value type; thread-compatible.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice::node {

class ReportPacer {
 public:
  ReportPacer(int heartbeat_ms, uint32_t slurmd_timeout_s)
      : heartbeat_ms_(heartbeat_ms),
        cap_ms_(std::max<int64_t>(heartbeat_ms, int64_t{slurmd_timeout_s} * 1000 / 3)),
        wait_ms_(heartbeat_ms) {}
  // After a report: `quiet` when the node ran nothing and told nothing new.
  int NextWaitMs(bool quiet) {
    wait_ms_ = quiet ? static_cast<int>(std::min<int64_t>(cap_ms_, int64_t{wait_ms_} * 2)) : heartbeat_ms_;
    return wait_ms_;
  }

 private:
  int heartbeat_ms_;
  int64_t cap_ms_;
  int wait_ms_;
};

}  // namespace sluice::node
