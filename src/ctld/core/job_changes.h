// scontrol update job: the fields a request may change (each optional),
// as the controller validates and applies them. Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::ctld {

struct JobChanges {
  std::optional<int64_t> time_limit_min;  // -1 UNLIMITED
  std::optional<std::string> partition;
  std::optional<uint32_t> num_nodes;
  std::optional<uint64_t> priority;       // 0: back to the computed priority
  std::optional<int32_t> nice;
  std::optional<std::string> dependency;  // "" clears it
  std::optional<int64_t> begin_time;      // StartTime=, unix seconds
  std::optional<std::string> name;
  std::optional<std::string> comment;
  std::optional<std::string> features;    // "" clears them
  std::optional<std::string> req_nodes;   // hostlist; "" clears it
  std::optional<std::string> exc_nodes;
};

// scontrol update PartitionName=...: what may change.
struct PartitionChanges {
  std::optional<std::string> state;  // UP | DOWN | DRAIN | INACTIVE
  std::optional<int64_t> max_time_min;
  std::optional<std::string> nodes;
  std::optional<bool> is_default;
};

}  // namespace sluice::ctld
