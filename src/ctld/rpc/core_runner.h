// How gRPC handler threads reach the controller: they hand a function to the
// strand that owns the Controller and wait for it. Implemented by CtldServer.
// Run() is thread-safe; the function runs on the strand.
#pragma once

#include <cstdint>
#include <functional>

#include "ctld/core/controller.h"
#include "ctld/pass_pacer.h"

namespace sluice::ctld::rpc {

class CoreRunner {
 public:
  virtual ~CoreRunner() = default;
  // Runs fn(controller, now) on the strand and returns when it has run.
  virtual void Run(const std::function<void(Controller&, int64_t now)>& fn) = 0;
  // As Run for an event that says whether it may have changed what
  // QueryJobs shows: only when fn returns true do readers need a new copy
  // (a node's heartbeat that changed no job leaves the copy current).
  virtual void RunEvent(const std::function<bool(Controller&, int64_t now)>& fn) = 0;
  // As Run, then waits until what fn accepted is durable (group commit:
  // concurrent submissions share one transaction). Returns the commit's
  // status.
  virtual absl::Status RunDurable(
      const std::function<void(Controller&, int64_t now)>& fn) = 0;
  // As Run, and commits what fn accepted soon after, without waiting.
  virtual void RunThenCommit(const std::function<void(Controller&, int64_t now)>& fn) = 0;
  // As Run for a function that only reads: no event follows it.
  virtual void RunRead(const std::function<void(const Controller&, int64_t now)>& fn) = 0;
  // As RunRead, but fn runs on the calling thread while the strand waits,
  // parked in a handler: nothing else touches the controller meanwhile.
  // For a long read (the readers' copy of every job): its allocations and
  // cache traffic land on the caller's core and heap, not on the strand's,
  // whose next scheduling pass would otherwise run slower (issue 12 point 5).
  virtual void RunReadHere(const std::function<void(const Controller&, int64_t now)>& fn) = 0;
  // Advances (on the strand) after anything that may have changed the
  // controller; thread-safe. A snapshot taken at generation G holds every
  // change whose call returned before G was read.
  virtual uint64_t Generation() const = 0;
  // The controller's clock (unix seconds): the `now` of a reply answered
  // from a copy that is still current. Thread-safe.
  virtual int64_t WallNow() const = 0;
  // What scheduling passes have cost so far. Call on the strand (inside
  // a function given to Run or RunRead).
  virtual PassStats SchedulingStats() const = 0;
};

}  // namespace sluice::ctld::rpc
