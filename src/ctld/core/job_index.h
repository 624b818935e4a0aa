// Which jobs each user owns and which records each array has: kept by the
// Controller beside its job map (every insert and erase of a job goes
// through Controller::AddJob / EraseJob), so that a read naming a user or
// an array (squeue -u, scontrol show job ARRAY) finds its jobs without
// walking every job of a deep queue. A job's owner and array never change
// once it is in the map. Value type; not thread-safe (the strand's, as the
// Controller).
#pragma once

#include <cstdint>
#include <unordered_map>

#include "absl/container/btree_set.h"
#include "ctld/core/job.h"

namespace sluice::ctld {

class JobIndex {
 public:
  using Ids = absl::btree_set<uint64_t>;  // ~10 bytes a job, in ID order

  void Add(const Job& j);
  void Remove(const Job& j);
  // The IDs of `uid`'s jobs; of array `array_id`'s records (its own and
  // every split-off task). Empty when there are none.
  const Ids& OfUser(uint32_t uid) const;
  const Ids& OfArray(uint64_t array_id) const;

 private:
  std::unordered_map<uint32_t, Ids> by_uid_;
  std::unordered_map<uint64_t, Ids> by_array_;
};

}  // namespace sluice::ctld
