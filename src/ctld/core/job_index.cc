#include "ctld/core/job_index.h"

namespace sluice::ctld {

namespace {

const JobIndex::Ids& None() {
  static const JobIndex::Ids none;
  return none;
}

template <typename Map, typename Key>
void Drop(Map& m, const Key& k, uint64_t id) {
  auto it = m.find(k);
  if (it == m.end()) return;
  it->second.erase(id);
  if (it->second.empty()) m.erase(it);
}

}  // namespace

void JobIndex::Add(Job& j) {
  by_uid_[j.spec.uid].insert(j.id.value());
  if (j.array_job_id) by_array_[j.array_job_id].insert(j.id.value());
  StateChanged(j);
}

void JobIndex::Remove(const Job& j) {
  Drop(by_uid_, j.spec.uid, j.id.value());
  if (j.array_job_id) Drop(by_array_, j.array_job_id, j.id.value());
  live_.erase(j.id.value());
}

void JobIndex::StateChanged(Job& j) {
  if (common::IsFinished(j.state)) live_.erase(j.id.value());
  else live_[j.id.value()] = &j;
}

bool JobIndex::LiveMatches(const std::map<uint64_t, Job>& jobs) const {
  size_t unfinished = 0;
  for (const auto& [id, j] : jobs) {
    if (common::IsFinished(j.state)) continue;
    ++unfinished;
    auto it = live_.find(id);
    if (it == live_.end() || it->second != &j) return false;
  }
  return unfinished == live_.size();
}

const JobIndex::Ids& JobIndex::OfUser(uint32_t uid) const {
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? None() : it->second;
}

const JobIndex::Ids& JobIndex::OfArray(uint64_t array_id) const {
  auto it = by_array_.find(array_id);
  return it == by_array_.end() ? None() : it->second;
}

}  // namespace sluice::ctld
