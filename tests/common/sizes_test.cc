#include "common/sizes.h"

#include <gtest/gtest.h>

namespace sluice::common {
namespace {

TEST(SizesTest, ParsesSlurmMemorySizes) {
  EXPECT_EQ(*ParseMemoryMB("4000"), 4000u);
  EXPECT_EQ(*ParseMemoryMB("512M"), 512u);
  EXPECT_EQ(*ParseMemoryMB("100G"), 102400u);
  EXPECT_EQ(*ParseMemoryMB("1GB"), 1024u);
  EXPECT_EQ(*ParseMemoryMB("2T"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseMemoryMB("1024K"), 1u);
  EXPECT_EQ(*ParseMemoryMB("1K"), 1u);  // rounds up
  EXPECT_EQ(*ParseMemoryMB("0"), 0u);
}

TEST(SizesTest, RejectsBadSizes) {
  for (const char* bad : {"", "G", "-1", "1X", "1GBB", "1.5G", "99999999999999999999T"})
    EXPECT_FALSE(ParseMemoryMB(bad).ok()) << bad;
}

}  // namespace
}  // namespace sluice::common
