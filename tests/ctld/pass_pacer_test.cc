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

TEST(PassPacerTest, StatsCountEveryPassAndTheWaitFromTheFirstAskToTheStart) {
  PassPacer p;
  const auto t0 = PassPacer::Clock::time_point{} + std::chrono::hours(1);
  p.Asked(t0);
  p.Asked(t0 + milliseconds(3));  // served by the same pass: the first ask counts
  p.Ran(t0 + milliseconds(5), t0 + milliseconds(7));
  const auto next = p.NextAt();
  p.Ran(t0 + milliseconds(10), t0 + milliseconds(14), /*paced=*/false);  // periodic
  EXPECT_EQ(p.NextAt(), next);  // a periodic pass does not move the gap
  p.Asked(t0 + milliseconds(20));
  p.Ran(t0 + milliseconds(21), t0 + milliseconds(22));
  const PassStats& s = p.stats();
  EXPECT_EQ(s.passes, 3u);
  EXPECT_EQ(s.run_us_total, 7000u);
  EXPECT_EQ(s.run_us_max, 4000u);
  EXPECT_EQ(s.run_us_last, 1000u);
  EXPECT_EQ(s.asked_passes, 2u);
  EXPECT_EQ(s.wait_us_total, 6000u);
  EXPECT_EQ(s.wait_us_max, 5000u);
}

}  // namespace
}  // namespace sluice::ctld
