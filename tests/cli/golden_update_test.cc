// scontrol update job against 12_scontrol_update_job: the same jobs (a
// held and a running one of sluicebob's, a held one of root's), then each
// captured update as the same user, compared byte for byte (stdout and
// stderr, exit code); `show job` after them compared on the fields the
// updates changed. Also: an update whose one field is refused changes
// nothing (Slurm's own applies what it can; Sluice applies whole or not).
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

std::map<std::string, std::string> Fields(const std::string& show) {
  std::map<std::string, std::string> f;
  for (absl::string_view tok : absl::StrSplit(show, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    size_t eq = tok.find('=');
    if (eq != absl::string_view::npos) f[std::string(tok.substr(0, eq))] = std::string(tok.substr(eq + 1));
  }
  return f;
}

TEST(GoldenUpdateTest, JobUpdatesFollowSlurmsRulesAndWords) {
  SLUICE_REQUIRE(IsRoot() && EnsureUser("sluicebob"), "needs root to create users");
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/acap", 0777);
  ::chmod("/tmp/acap", 0777);
  uint64_t b1 = Parsable(c->Run("sbatch --parsable -H -J bobheld -o /dev/null --wrap true", "sluicebob", "/tmp/acap"));
  uint64_t b2 = Parsable(c->Run("sbatch --parsable -J bobrun -o /dev/null --wrap 'sleep 300'", "sluicebob", "/tmp/acap"));
  uint64_t r1 = Parsable(c->Run("sbatch --parsable -H -J roothold -o /dev/null --wrap true", "", "/tmp/acap"));
  ASSERT_TRUE(c->WaitForState(b2, "RUNNING", 30));
  const std::map<std::string, std::string> ids = {
      {"5897", std::to_string(b1)}, {"5900", std::to_string(b2)}, {"5902", std::to_string(r1)}};
  int compared = 0;
  std::string last_show;
  ForEachCapturedCommand(CapturedSection("12_scontrol_update_job", "stdout"),
                         [&](const std::string& head, const std::string& want_raw) {
    std::string user = head.substr(1, head.find(']') - 1);
    std::string cmd = absl::StrReplaceAll(head.substr(head.find(']') + 2), ids);
    std::string want = absl::StrReplaceAll(want_raw, ids);
    SCOPED_TRACE(head);
    auto r = c->Run(cmd + " 2>&1; echo rc=$?", user == "root" ? "" : user, "/tmp/acap");
    if (absl::StartsWith(cmd, "scontrol show job")) {
      auto got = Fields(r.out), exp = Fields(want);
      for (const char* k : {"JobName", "Nice", "TimeLimit", "Partition", "ReqNodeList",
                            "ExcNodeList", "NumNodes", "Comment", "JobState", "Reason"})
        EXPECT_EQ(got[k], exp[k]) << k;
      // Dependency=afterok:N(unfulfilled): N names the capture's job.
      EXPECT_EQ(got["Dependency"], exp["Dependency"]);
      if (user == "root" && absl::StrContains(cmd, std::to_string(b1)))
        EXPECT_EQ(got["Priority"], exp["Priority"]);
      last_show = r.out;
    } else {
      EXPECT_EQ(r.out, want);
    }
    ++compared;
  });
  EXPECT_EQ(compared, 41);
  // All or nothing: a name change with a refused priority leaves the name.
  auto r = c->Run("scontrol update jobid=" + std::to_string(b1) + " JobName=half Priority=5", "sluicebob");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "Access/permission denied for job " + std::to_string(b1) + "\n");
  EXPECT_EQ(Fields(c->Run("scontrol show job " + std::to_string(b1)).out)["JobName"], "viaName");
  c->Run("scancel " + std::to_string(b1) + " " + std::to_string(b2) + " " + std::to_string(r1));
}

}  // namespace
}  // namespace sluice::testing
