// Fair Tree against real Slurm 22.05's figures
// (tests/reference/slurm-22.05/extra/13_fairshare_usage.txt): accounts ml
// (3 shares) and cv (1) under root with root's own user (1); alice (1) and
// bob (2) in ml, carol in cv.
#include "ctld/core/fair_tree.h"

#include <cmath>

#include <gtest/gtest.h>

namespace sluice::ctld {
namespace {

std::vector<ShareNode> Tree(double alice, double bob, double root_user = 0) {
  return {{"root", "", "", "", 1, 0},      {"root", "root", "", "", 1, root_user},
          {"cv", "", "", "root", 1, 0},    {"cv", "carol", "", "", 1, 0},
          {"ml", "", "", "root", 3, 0},    {"ml", "alice", "", "", 1, alice},
          {"ml", "bob", "", "", 2, bob}};
}

const ShareFigures& Row(const std::vector<ShareFigures>& r, const std::string& a,
                        const std::string& u) {
  for (const auto& f : r)
    if (f.account == a && f.user == u) return f;
  ADD_FAILURE() << a << "/" << u;
  return r.front();
}

TEST(FairTreeTest, NoUsageEveryUserRanksFirst) {
  auto r = FairTree(Tree(0, 0));
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[0].account, "root");
  EXPECT_EQ(r[0].raw_shares, 0u);
  EXPECT_DOUBLE_EQ(r[0].effective_usage, 1.0);
  EXPECT_NEAR(Row(r, "cv", "").norm_shares, 0.2, 1e-9);
  EXPECT_NEAR(Row(r, "ml", "").norm_shares, 0.6, 1e-9);
  EXPECT_NEAR(Row(r, "ml", "alice").norm_shares, 1.0 / 3, 1e-9);
  for (const auto& f : r)
    if (f.is_user) {
      EXPECT_DOUBLE_EQ(f.fairshare, 1.0) << f.user;
      EXPECT_TRUE(std::isinf(f.level_fs));
    }
  // Depth first: an account, its users, its sub-accounts.
  EXPECT_EQ(r[1].user, "root");
  EXPECT_EQ(r[1].depth, 1);
  EXPECT_EQ(r[3].user, "carol");
  EXPECT_EQ(r[3].depth, 2);
}

TEST(FairTreeTest, MatchesSlurmAfterUsage) {
  // alice used 8 CPUs and bob 2 for 30 s (a little decayed in Slurm).
  auto r = FairTree(Tree(239.98, 59.99));
  EXPECT_NEAR(Row(r, "ml", "").effective_usage, 1.0, 1e-9);
  EXPECT_NEAR(Row(r, "ml", "").level_fs, 0.6, 1e-6);
  EXPECT_NEAR(Row(r, "ml", "alice").effective_usage, 0.8, 1e-4);
  EXPECT_NEAR(Row(r, "ml", "alice").level_fs, 0.416667, 1e-4);
  EXPECT_NEAR(Row(r, "ml", "bob").level_fs, 3.333333, 1e-3);
  // root's user and cv tie (no usage): root's user and carol share rank 4.
  EXPECT_DOUBLE_EQ(Row(r, "root", "root").fairshare, 1.0);
  EXPECT_DOUBLE_EQ(Row(r, "cv", "carol").fairshare, 1.0);
  EXPECT_DOUBLE_EQ(Row(r, "ml", "bob").fairshare, 0.5);
  EXPECT_DOUBLE_EQ(Row(r, "ml", "alice").fairshare, 0.25);
  EXPECT_NEAR(Row(r, "ml", "alice").norm_usage, 0.8, 1e-4);
  EXPECT_NEAR(r[0].raw_usage, 299.97, 1e-9);
}

TEST(FairTreeTest, ABusyRootUserFallsBelowEveryAccount) {
  // sprio's moment in the capture: root's 32-CPU job has run a little.
  auto r = FairTree(Tree(239.98, 59.99, 150));
  EXPECT_DOUBLE_EQ(Row(r, "cv", "carol").fairshare, 1.0);
  EXPECT_DOUBLE_EQ(Row(r, "ml", "bob").fairshare, 0.75);
  EXPECT_DOUBLE_EQ(Row(r, "ml", "alice").fairshare, 0.5);
  EXPECT_DOUBLE_EQ(Row(r, "root", "root").fairshare, 0.25);
}

TEST(FairTreeTest, ParentSharesMakeChildrenTheParentsOwn) {
  // Slurm: zz (FairShare=parent) under root with alice (7) in it; root's
  // user has 1: alice's NormShares is 7/8.
  std::vector<ShareNode> t = {{"root", "", "", "", 1, 0},
                              {"root", "root", "", "", 1, 0},
                              {"zz", "", "", "root", kSharesParent, 0},
                              {"zz", "alice", "", "", 7, 0}};
  auto r = FairTree(t);
  EXPECT_NEAR(Row(r, "zz", "alice").norm_shares, 0.875, 1e-9);
  EXPECT_DOUBLE_EQ(Row(r, "zz", "").norm_shares, 0.0);
  EXPECT_EQ(Row(r, "zz", "").raw_shares, kSharesParent);
}

TEST(FairTreeTest, ZeroSharesRankLastAndEmptyTreesWork) {
  std::vector<ShareNode> t = {{"root", "", "", "", 1, 0},
                              {"root", "a", "", "", 0, 0},
                              {"root", "b", "", "", 1, 5}};
  auto r = FairTree(t);
  EXPECT_DOUBLE_EQ(Row(r, "root", "b").fairshare, 1.0);
  EXPECT_DOUBLE_EQ(Row(r, "root", "a").fairshare, 0.5);
  EXPECT_TRUE(FairTree({}).empty());
}

}  // namespace
}  // namespace sluice::ctld
