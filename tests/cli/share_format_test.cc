// sshare's and sprio's formatting against what real Slurm 22.05 printed
// (the reference cluster, by hand, 2026-11-30; the table views are in
// extra/13_fairshare_usage.txt and replayed by GoldenFairShareTest).
#include <gtest/gtest.h>

#include "cli/sprio_format.h"
#include "cli/sshare_format.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

v1::ShareRecord Rec(const std::string& a, const std::string& u, int depth, uint32_t shares) {
  v1::ShareRecord r;
  r.set_account(a);
  r.set_user(u);
  r.set_depth(depth);
  r.set_raw_shares(shares);
  return r;
}

TEST(SshareFormatTest, WidthsCutWithAPlusAndAlignAsAsked) {
  // sshare -a -o account%5,user%-3 (Slurm: %N right, %-N left, '+' cut).
  auto cols = ParseShareFormat("account%5,user%-3");
  ASSERT_TRUE(cols.ok());
  v1::ShareRecord root = Rec("root", "", 0, 0), ru = Rec("root", "root", 1, 1), zz = Rec("zz", "", 1, 4),
                  al = Rec("zz", "alice", 2, 0);
  EXPECT_EQ(FormatShares(*cols, {&root, &ru, &zz, &al}, "c", ShareLayout::kTable, true, {0, 1, 1, 2}),
            "Accou Use \n----- --- \n root     \n root ro+ \n   zz     \n   zz al+ \n");
  // A prefix is enough (sshare -o Acc,fairs), in any case.
  cols = ParseShareFormat("Acc,fairs");
  ASSERT_TRUE(cols.ok());
  ru.set_fairshare(0.5);
  EXPECT_EQ(FormatShares(*cols, {&root, &ru}, "c", ShareLayout::kTable, true, {0, 1}),
            "Account               FairShare \n-------------------- ---------- \n"
            "root                            \n root                  0.500000 \n");
  auto bad = ParseShareFormat("foo");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Invalid field requested: \"foo\"");
}

TEST(SshareFormatTest, ParsableRowsAndRootBlanks) {
  // sshare -p -A zz -a: a trailing '|', the indent kept, "parent" shares.
  auto cols = DefaultShareColumns(false, false);
  v1::ShareRecord zz = Rec("zz", "", 0, 0xFFFFFFFFu), al = Rec("zz", "alice", 1, 0);
  zz.set_depth(1);  // (not the root: its RawShares shows)
  EXPECT_EQ(FormatShares(cols, {&zz, &al}, "c", ShareLayout::kParsable, true, {0, 1}),
            "Account|User|RawShares|NormShares|RawUsage|EffectvUsage|FairShare|\n"
            "zz||parent|0.000000|0|0.000000||\n zz|alice|0|0.000000|0|0.000000|0.000000|\n");
  // The root's RawShares, NormUsage and LevelFS are blank; -m adds Partition.
  v1::ShareRecord root = Rec("root", "", 0, 0);
  root.set_raw_usage(459.9);
  root.set_effective_usage(1);
  auto longcols = DefaultShareColumns(true, true);
  EXPECT_EQ(FormatShares(longcols, {&root}, "c", ShareLayout::kParsable2, false, {0}),
            "root||||0.000000|459||1.000000||||\n");
}

TEST(SshareFormatTest, HelpFormatListsTheFieldsFourToALine) {
  EXPECT_EQ(ShareHelpFormat().substr(0, 72),
            "Account           Cluster           EffectvUsage      FairShare        \n");
}

v1::SharesReply Weights() {
  v1::SharesReply w;
  w.set_weight_fairshare(10000);
  w.set_cluster("c");
  return w;
}

TEST(SprioFormatTest, DefaultFormatsFollowTheWeights) {
  const auto w = Weights();
  EXPECT_EQ(DefaultPrioFormat(w, false, false, false), "%.15i %9r %.10Y %.10S %.10F");
  EXPECT_EQ(DefaultPrioFormat(w, false, false, true), "%.15i %9r %.8u %.10Y %.10S %.10F");
  EXPECT_EQ(DefaultPrioFormat(w, false, true, false), "%.15i %9r %10y %10f");
  auto f = ParsePrioFormat(DefaultPrioFormat(w, true, false, false));
  ASSERT_TRUE(f.ok());
  // sprio -w -l, byte for byte.
  EXPECT_EQ(PrioHeader(*f),
            "          JOBID PARTITION     USER   PRIORITY       SITE        AGE      ASSOC  FAIRSHARE"
            "    JOBSIZE  PARTITION        QOS        NICE                 TRES\n");
  EXPECT_EQ(PrioWeights(*f, w),
            "        Weights                                        1          0          0      10000"
            "          0          0          0                           (null)\n");
  f = ParsePrioFormat(DefaultPrioFormat(w, false, true, false));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(PrioWeights(*f, w), "        Weights                      10000     \n");
}

TEST(SprioFormatTest, LinesAndBadLetters) {
  const auto w = Weights();
  v1::JobPriorityRecord j;
  j.set_job_id(5);
  j.set_partition("g2");
  j.set_user("bob");
  j.set_priority(7500);
  j.set_fairshare(0.75);
  auto f = ParsePrioFormat("%i %u %Y %F");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(PrioHeader(*f), "JOBID USER PRIORITY FAIRSHARE\n");
  EXPECT_EQ(PrioLine(*f, j, w), "5 bob 7500 7500\n");
  f = ParsePrioFormat("%.15i %9r %10y %10f");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(PrioLine(*f, j, w), "              5 g2        0.00000174 0.7500000 \n");
  auto bad = ParsePrioFormat("%Z");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Invalid job format specification: Z");
}

}  // namespace
}  // namespace sluice::cli
