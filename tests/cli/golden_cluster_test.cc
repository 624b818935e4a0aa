// sacctmgr's cluster entity (issue 13 point 1) against extra/13_cluster: a
// controller's one cluster listed with its controller's address and the
// root association's limits and QOS, `modify cluster ... set` changing
// those limits, and an unknown cluster. The capture's ControlPort (6817)
// is the test cluster's own port here.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

TEST(GoldenClusterTest, SacctmgrShowsAndModifiesTheOneClusterAsSlurm) {
  auto c = StartRefCluster("AccountingStorageType=accounting_storage/slurmdbd\n");
  ASSERT_NE(c, nullptr);
  std::string port(absl::StripAsciiWhitespace(
      c->Run("sed -n 's/^SlurmctldPort=//Ip' " + c->conf()).out));
  ASSERT_FALSE(port.empty());
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("13_cluster", "stdout"),
                         [&](const std::string& line, const std::string& raw) {
    std::string cmd = line.substr(line.find(']') + 2);
    const std::string want = absl::StrReplaceAll(
        raw, {{"        6817 ", absl::StrFormat("%12s ", port)}, {"|6817|", "|" + port + "|"}});
    auto r = c->Run("(" + cmd + ") 2>&1; echo rc=$?");
    EXPECT_EQ(r.out, want) << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 11);
  // One controller, one cluster: another is refused, this one kept.
  auto r = c->Run("sacctmgr -i add cluster foo");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("keeps one cluster"), std::string::npos) << r.err;
  r = c->Run("sacctmgr -i delete cluster refcluster");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(c->Run("sacctmgr -n -P show cluster format=cluster").out, "refcluster\n");
}

}  // namespace
}  // namespace sluice::testing
