// ReturnFreedMemory: what a thread allocated and freed goes back to the
// system, its arena's free top included (the controller after a purge,
// issue 14 point 3). Memory, not time: glibc's default keeps 128 KiB of
// free top in every thread's arena; with the setting, a few pages stay.
#include "common/process_init.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace sluice::common {
namespace {

long RssAnonKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("RssAnon:", 0) == 0) return std::strtol(line.c_str() + 8, nullptr, 10);
  return -1;
}

TEST(ReturnFreedMemoryTest, AThreadsFreedArenaTopGoesBack) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator stands in for glibc's here";
#endif
  unsetenv("GLIBC_TUNABLES");  // the setting yields to an admin's; none here
  ReturnFreedMemory();
  const long before = RssAnonKb();
  ASSERT_GT(before, 0);
  // A thread of its own, so its blocks come from an arena of their own,
  // as a gRPC thread's do: 3 MB in 1 KB blocks, all freed.
  std::thread([] {
    std::vector<char*> blocks;
    for (int i = 0; i < 3000; ++i) {
      blocks.push_back(static_cast<char*>(std::malloc(1000)));
      for (int k = 0; k < 1000; k += 64) blocks.back()[k] = 1;
    }
    for (char* b : blocks) std::free(b);
  }).join();
  malloc_trim(0);
  // About 40 KB stay (the thread's cached stack, a few pages of arena);
  // without the setting, 128 KB more.
  EXPECT_LT(RssAnonKb() - before, 100) << "KB of the freed 3 MB still resident";
}

}  // namespace
}  // namespace sluice::common
