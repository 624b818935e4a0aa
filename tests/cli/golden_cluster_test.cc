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

namespace sluice::testing {
namespace {

// sacctmgr show ... --json (issue 13 point 1; Slurm 22.05's sacctmgr has
// none): the rows a listing selects, as slurmrestd's dbv0.0.38 documents.
TEST(SacctmgrJsonTest, ShowGivesOpenApiDbDocuments) {
  ASSERT_TRUE(EnsureUser("alice"));
  auto c = StartRefCluster("AccountingStorageType=accounting_storage/slurmdbd\n");
  ASSERT_NE(c, nullptr);
  for (const char* cmd : {"sacctmgr -i add account ml fairshare=3",
                          "sacctmgr -i add user alice account=ml DefaultPartition=short",
                          "sacctmgr -i modify user alice set maxjobs=2 grptres=cpu=4,gres/gpu=1 maxwall=1:00:00",
                          "sacctmgr -i add qos gpu priority=10 preempt=normal"})
    ASSERT_EQ(c->Run(cmd).rc, 0) << cmd;
  auto has = [](const std::string& out, std::initializer_list<const char*> parts) {
    for (const char* p : parts)
      if (out.find(p) == std::string::npos) return ::testing::AssertionFailure() << "no " << p << " in\n" << out;
    return ::testing::AssertionSuccess();
  };
  auto r = c->Run("sacctmgr show assoc where user=alice --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(has(r.out, {"{\n  \"meta\": {\n    \"plugin\": {\n      \"type\": \"openapi\\/dbv0.0.38\"",
                          "\"associations\": [\n    {\n      \"account\": \"ml\"", "\"count\": 2,",
                          "\"wall_clock\": 60", "\"type\": \"gres\",\n              \"name\": \"gpu\"",
                          "\"parent_account\": \"ml\"", "\"shares_raw\": 1,", "\"user\": \"alice\"\n    }\n  ]\n}"}));
  r = c->Run("sacctmgr --yaml show user alice");
  EXPECT_TRUE(has(r.out, {"%YAML 1.1\n", "!!str users: !!seq\n- !!map\n  !!str administrator_level: !!str None",
                          "!!str partition: !!str short", "!!str name: !!str alice\n...\n"}));
  r = c->Run("sacctmgr show qos gpu --json");
  EXPECT_TRUE(has(r.out, {"\"qos\": [", "\"list\": [\n          \"normal\"", "\"priority\": 10,",
                          "\"name\": \"gpu\""}));
  EXPECT_EQ(r.out.find("\"name\": \"normal\""), std::string::npos);  // only the one asked for
  r = c->Run("sacctmgr show cluster --json");
  EXPECT_TRUE(has(r.out, {"\"clusters\": [", "\"host\": \"127.0.0.1\"", "\"name\": \"refcluster\"",
                          "\"rpc_version\": 9728"}));
  r = c->Run("sacctmgr show account ml --json");
  EXPECT_TRUE(has(r.out, {"\"accounts\": [", "\"name\": \"ml\"", "\"organization\": \"ml\""}));
  r = c->Run("sacctmgr -i --json add account zz");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sacctmgr: error: --json and --yaml are only for show and list\n");
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// An entity a verb does not take is Slurm's "No valid entity" for that
// verb (extra/13_entities): associations change through users and accounts.
TEST(GoldenClusterTest, EntitiesAVerbDoesNotTakeAreRefusedAsSlurm) {
  auto c = StartRefCluster("AccountingStorageType=accounting_storage/slurmdbd\n");
  ASSERT_NE(c, nullptr);
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("13_entities", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string cmd = line.substr(line.find(']') + 2);
    EXPECT_EQ(c->Run("(" + cmd + ") 2>&1; echo rc=$?").out, want) << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 8);
}

}  // namespace
}  // namespace sluice::testing
