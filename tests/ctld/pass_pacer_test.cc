#include "ctld/pass_pacer.h"

#include <gtest/gtest.h>

namespace sluice::ctld {
namespace {

using std::chrono::milliseconds;

TEST(PassPacerTest, ALongPassHoldsTheNextBackThreeTimesItsLength) {
  PassPacer p;
  const auto t0 = PassPacer::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_LE(p.NextAt(), t0);  // nothing ran yet: at once
  p.Ran(t0, t0 + milliseconds(20));
  EXPECT_EQ(p.NextAt(), t0 + milliseconds(80));  // at most a quarter of the strand
  p.Ran(t0, t0 + std::chrono::microseconds(100));  // a small queue: hardly any wait
  EXPECT_EQ(p.NextAt(), t0 + std::chrono::microseconds(400));
  p.Ran(t0, t0 + milliseconds(900));  // never more than a second
  EXPECT_EQ(p.NextAt(), t0 + milliseconds(1900));
}

}  // namespace
}  // namespace sluice::ctld
