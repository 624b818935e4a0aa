// Strong ID types so a job ID is never confused with a count or a uid.
// Value types; thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <utility>

namespace sluice::common {

template <typename Tag, typename T>
class StrongId {
 public:
  constexpr StrongId() = default;
  constexpr explicit StrongId(T v) : v_(std::move(v)) {}
  constexpr const T& value() const { return v_; }
  auto operator<=>(const StrongId&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const StrongId& id) {
    return H::combine(std::move(h), id.v_);
  }

 private:
  T v_{};
};

using JobId = StrongId<struct JobIdTag, uint64_t>;
using NodeName = StrongId<struct NodeNameTag, std::string>;

}  // namespace sluice::common
