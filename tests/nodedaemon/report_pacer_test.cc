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

// Liveness apart from telemetry: with its session open a quiet node tells
// its telemetry every five minutes, whatever SlurmdTimeout.
TEST(ReportPacerTest, AnOpenSessionLetsAQuietNodeWaitFiveMinutes) {
  ReportPacer p(2000, 10);
  for (int i = 0; i < 20; ++i) p.NextWaitMs(true, true);
  EXPECT_EQ(p.NextWaitMs(true, true), 300000);
  EXPECT_EQ(p.NextWaitMs(true, false), 3333);  // the session went: SlurmdTimeout/3 again
  EXPECT_EQ(p.NextWaitMs(false, true), 2000);  // news: the heartbeat
}

// 10,000 simulated nodes starting at once retried every 100 ms in step
// until the controller, flooded, answered none of them for minutes.
TEST(ReportPacerTest, FailedReportsBackOffWithJitter) {
  ReportPacer p(2000, 300);
  EXPECT_EQ(p.FailedWaitMs(false, 0), 100);
  EXPECT_EQ(p.FailedWaitMs(false, 0), 200);
  EXPECT_EQ(p.FailedWaitMs(false, 0.5), 500);  // 400 and a quarter more
  for (int i = 0; i < 10; ++i) p.FailedWaitMs(false, 0);
  EXPECT_EQ(p.FailedWaitMs(false, 0), 2000);
  EXPECT_EQ(p.FailedWaitMs(false, 0.999), 2999);
  p.NextWaitMs(true);  // a report got through: start over
  EXPECT_EQ(p.FailedWaitMs(true, 0), 500);
  EXPECT_EQ(p.FailedWaitMs(true, 0), 1000);
  for (int i = 0; i < 10; ++i) p.FailedWaitMs(true, 0);
  EXPECT_EQ(p.FailedWaitMs(true, 0), 5000);
  // After a failure the quiet back-off starts again from the heartbeat.
  EXPECT_EQ(p.NextWaitMs(true), 4000);
}

}  // namespace
}  // namespace sluice::node
