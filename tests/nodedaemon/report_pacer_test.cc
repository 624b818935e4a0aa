#include "nodedaemon/report_pacer.h"

#include <gtest/gtest.h>

namespace sluice::node {
namespace {

TEST(ReportPacerTest, AQuietNodeBacksOffToAThirdOfSlurmdTimeout) {
  ReportPacer p(2000, 300);  // Slurm's default SlurmdTimeout
  EXPECT_EQ(p.NextWaitMs(true), 4000);
  EXPECT_EQ(p.NextWaitMs(true), 8000);
  for (int i = 0; i < 10; ++i) p.NextWaitMs(true);
  EXPECT_EQ(p.NextWaitMs(true), 100000);  // never past 300 s / 3
  EXPECT_EQ(p.NextWaitMs(false), 2000);   // news, or a job running: the heartbeat again
  EXPECT_EQ(p.NextWaitMs(true), 4000);
}

TEST(ReportPacerTest, AShortSlurmdTimeoutKeepsTheHeartbeat) {
  ReportPacer p(2000, 3);  // a third of 3 s is under the heartbeat
  EXPECT_EQ(p.NextWaitMs(true), 2000);
  ReportPacer q(2000, 10);  // Sluice's default: at most 3.3 s
  q.NextWaitMs(true);
  EXPECT_EQ(q.NextWaitMs(true), 3333);
}

}  // namespace
}  // namespace sluice::node
