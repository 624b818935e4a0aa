// Which jobs each user owns, which records each array has, and which jobs
// have not finished: kept by the Controller beside its job map (every
// insert and erase of a job goes through Controller::AddJob / EraseJob, every
// change of its state through Controller::SetState), so that a read naming
// a user or an array (squeue -u, scontrol show job ARRAY) finds its jobs,
// and a scheduling pass its pending and running ones, without walking
// every job of a deep queue or every finished job still kept for
// MinJobAge. A job's owner and array never change once it is in the map.
// Live() holds pointers into the Controller's job map (std::map nodes stay
// put); each is removed before its job leaves the map. Not thread-safe
// (the strand's, as the Controller); not copyable, for those pointers.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "ctld/core/job.h"

namespace sluice::ctld {

class JobIndex {
 public:
  using Ids = absl::btree_set<uint64_t>;  // ~10 bytes a job, in ID order
  using Live = absl::btree_map<uint64_t, Job*>;  // ~20 bytes a job, in ID order

  JobIndex() = default;
  JobIndex(const JobIndex&) = delete;
  JobIndex& operator=(const JobIndex&) = delete;

  void Add(Job& j);
  void Remove(const Job& j);
  // `j`'s state changed: it joins or leaves the live jobs.
  void StateChanged(Job& j);
  // The IDs of `uid`'s jobs; of array `array_id`'s records (its own and
  // every split-off task). Empty when there are none.
  const Ids& OfUser(uint32_t uid) const;
  const Ids& OfArray(uint64_t array_id) const;
  // Every job in `jobs` not finished (pending, running, suspended,
  // completing), by ID. Changing a job's state while walking this may
  // invalidate the walk: collect first.
  const Live& LiveJobs() const { return live_; }
  // Whether LiveJobs() is exactly the unfinished jobs of `jobs` (tests).
  bool LiveMatches(const std::map<uint64_t, Job>& jobs) const;

 private:
  std::unordered_map<uint32_t, Ids> by_uid_;
  std::unordered_map<uint64_t, Ids> by_array_;
  Live live_;
};

}  // namespace sluice::ctld
