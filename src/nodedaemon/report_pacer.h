// How long the node daemon waits before its next report (issue 14 point
// 6). A node that runs nothing and had nothing to tell backs off: each
// quiet report doubles the wait, from the heartbeat (2 s) up to a third of
// SlurmdTimeout, as slurmctld pings a node every SlurmdTimeout/3; so the
// controller still sees a dead node within SlurmdTimeout, and 10,000 idle
// nodes under Slurm's default SlurmdTimeout=300 send 100 reports a second
// instead of 5,000. Anything to tell, a job running, or a failed report
// goes back to the heartbeat. Events (a launch, a job's end) still report
// at once. While the node daemon's NodeSession is open the controller knows
// the node is alive without reports, so a quiet node backs off further, to
// five minutes (the telemetry's age on an idle node). A failed report is tried again soon, sooner while the node is
// not registered yet (the controller may be starting too), backing off and
// spread by a random jitter so that thousands of nodes that start at once
// do not retry in step. Value type; thread-compatible.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice::node {

// A retry's wait: `base` doubled per earlier failure up to `cap`, plus up
// to half again by `jitter` in [0, 1) (reports and the node session alike).
inline int BackoffMs(int64_t base, int64_t cap, int failures, double jitter) {
  const int64_t w = std::min(cap, base << std::min(failures, 6));
  return static_cast<int>(w + static_cast<int64_t>(static_cast<double>(w) * jitter / 2));
}

class ReportPacer {
 public:
  ReportPacer(int heartbeat_ms, uint32_t slurmd_timeout_s)
      : heartbeat_ms_(heartbeat_ms),
        cap_ms_(std::max<int64_t>(heartbeat_ms, int64_t{slurmd_timeout_s} * 1000 / 3)),
        wait_ms_(heartbeat_ms) {}
  // After a report: `quiet` when the node ran nothing and told nothing new;
  // `session` while a NodeSession proves the node alive, when the reports
  // carry only telemetry and may back off to kSessionCapMs.
  int NextWaitMs(bool quiet, bool session = false) {
    failures_ = 0;
    const int64_t cap = session ? std::max<int64_t>(cap_ms_, kSessionCapMs) : cap_ms_;
    wait_ms_ = quiet ? static_cast<int>(std::min<int64_t>(cap, int64_t{wait_ms_} * 2)) : heartbeat_ms_;
    return wait_ms_;
  }
  static constexpr int64_t kSessionCapMs = 300'000;
  // After a failed report: 100 ms doubling to 2 s before registration,
  // 500 ms doubling to 5 s after; `jitter` in [0, 1) adds up to half again.
  int FailedWaitMs(bool registered, double jitter) {
    wait_ms_ = heartbeat_ms_;
    return registered ? BackoffMs(500, 5000, failures_++, jitter)
                      : BackoffMs(100, 2000, failures_++, jitter);
  }

 private:
  int heartbeat_ms_;
  int64_t cap_ms_;
  int wait_ms_;
  int failures_ = 0;
};

}  // namespace sluice::node
