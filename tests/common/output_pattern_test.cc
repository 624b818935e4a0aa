#include "common/output_pattern.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

TEST(OutputPatternTest, ExpandsBatchStepPatterns) {
  OutputPatternVars v{33, "wrap", "root", "vm"};
  EXPECT_EQ(ExpandOutputPattern("slurm-%j.out", v), "slurm-33.out");
  EXPECT_EQ(ExpandOutputPattern("%N-%u-%j.out", v), "vm-root-33.out");
  EXPECT_EQ(ExpandOutputPattern("%x-%J.out", v), "wrap-33.out");
  EXPECT_EQ(ExpandOutputPattern("%A_%a", v), "33_4294967294");
  EXPECT_EQ(ExpandOutputPattern("100%%", v), "100%");
  EXPECT_EQ(ExpandOutputPattern("%5j", v), "00033");
  EXPECT_EQ(ExpandOutputPattern("dir/%j/out", v), "dir/33/out");
  EXPECT_EQ(ExpandOutputPattern("%q%", v), "%q%");
}

}  // namespace
}  // namespace sluice::common
