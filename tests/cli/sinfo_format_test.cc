#include "cli/sinfo_format.h"

#include "cli/sinfo_fields.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

::sluice::v1::QueryClusterReply Reference() {
  ::sluice::v1::QueryClusterReply c;
  for (int i = 1; i <= 4; ++i) {
    auto* n = c.add_nodes();
    n->set_name("n" + std::to_string(i));
    n->set_state(::sluice::v1::NODE_STATE_IDLE);
    n->set_responding(true);
  }
  auto* g2 = c.add_partitions();
  g2->set_name("g2");
  g2->set_is_default(true);
  g2->set_up(true);
  g2->set_max_time_min(-1);
  for (int i = 1; i <= 4; ++i) g2->add_nodes("n" + std::to_string(i));
  auto* s = c.add_partitions();
  s->set_name("short");
  s->set_up(true);
  s->set_max_time_min(30);
  s->add_nodes("n1");
  s->add_nodes("n2");
  return c;
}

TEST(SinfoFormatTest, DefaultViewMatchesSlurm) {
  EXPECT_EQ(SinfoDefault(Reference(), false),
            "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n"
            "g2*          up   infinite      4   idle n[1-4]\n"
            "short        up      30:00      2   idle n[1-2]\n");
}

TEST(SinfoFormatTest, GroupsNodesByState) {
  auto c = Reference();
  c.mutable_nodes(3)->set_drain(true);
  EXPECT_EQ(SinfoDefault(c, true),
            "g2*          up   infinite      1  drain n4\n"
            "g2*          up   infinite      3   idle n[1-3]\n"
            "short        up      30:00      2   idle n[1-2]\n");
}

TEST(SinfoFormatTest, NodeViewListsEachPartition) {
  EXPECT_EQ(SinfoNodes(Reference(), false),
            "NODELIST   NODES PARTITION STATE \n"
            "n1             1     short idle  \n"
            "n1             1       g2* idle  \n"
            "n2             1     short idle  \n"
            "n2             1       g2* idle  \n"
            "n3             1       g2* idle  \n"
            "n4             1       g2* idle  \n");
}

// Slurm's own order within a partition ("-t" on its numeric states): a
// drained or unresponsive node's line first, then mixed, allocated, idle.
TEST(SinfoFormatTest, StatesInSlurmsNumericOrder) {
  auto c = Reference();
  c.mutable_nodes(0)->set_state(::sluice::v1::NODE_STATE_IDLE);
  c.mutable_nodes(1)->set_state(::sluice::v1::NODE_STATE_ALLOCATED);
  c.mutable_nodes(2)->set_state(::sluice::v1::NODE_STATE_MIXED);
  c.mutable_nodes(3)->set_drain(true);
  EXPECT_EQ(SinfoDefault(c, true),
            "g2*          up   infinite      1  drain n4\n"
            "g2*          up   infinite      1    mix n3\n"
            "g2*          up   infinite      1  alloc n2\n"
            "g2*          up   infinite      1   idle n1\n"
            "short        up      30:00      1  alloc n2\n"
            "short        up      30:00      1   idle n1\n");
  auto fields = ParseSinfoFormat("%P %t %N");
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(SinfoFormatted(c, *fields, false, true),
            "g2* drain n4\ng2* mix n3\ng2* alloc n2\ng2* idle n1\nshort alloc n2\nshort idle n1\n");
}

// sinfo(1): without -e, nodes that differ only in CPUs, memory or disk
// share a line showing the least value and '+'; with -e they do not.
TEST(SinfoFormatTest, WithoutExactSizesFoldIntoTheLeastWithAPlus) {
  auto c = Reference();
  for (int i = 0; i < 4; ++i) {
    c.mutable_nodes(i)->set_cpus(i < 2 ? 8 : 16);
    c.mutable_nodes(i)->set_real_memory_mb(i == 3 ? 2000 : 4000);
    c.mutable_nodes(i)->set_tmp_disk_mb(100);
  }
  auto fields = ParseSinfoFormat("%P %c %m %d %D %N");
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(SinfoFormatted(c, *fields, false, true),
            "g2* 8+ 2000+ 100 4 n[1-4]\n"
            "short 8 4000 100 2 n[1-2]\n");
  EXPECT_EQ(SinfoFormatted(c, *fields, false, true, "", /*exact=*/true),
            "g2* 8 4000 100 2 n[1-2]\n"
            "g2* 16 4000 100 1 n3\n"
            "g2* 16 2000 100 1 n4\n"
            "short 8 4000 100 2 n[1-2]\n");
  // -S sorts the lines: by node count, then partition descending.
  EXPECT_EQ(SinfoFormatted(c, *fields, false, true, "D,-P", true),
            "g2* 16 2000 100 1 n4\n"
            "g2* 16 4000 100 1 n3\n"
            "short 8 4000 100 2 n[1-2]\n"
            "g2* 8 4000 100 2 n[1-2]\n");
}

}  // namespace
}  // namespace sluice::cli
