// scontrol requeue/requeuehold and update PartitionName= against
// 12_scontrol_requeue_partition: each captured command as the same user on
// the same jobs, compared byte for byte, except the listings of a job in
// the middle of being requeued (their state depends on timing); `top`
// too; then what the requeues did, checked on their own.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

TEST(GoldenRequeueTest, RequeueAndPartitionUpdatesAsSlurm) {
  SLUICE_REQUIRE(IsRoot() && EnsureUser("sluicebob"), "needs root to create users");
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  ::mkdir("/tmp/acap", 0777);
  ::chmod("/tmp/acap", 0777);
  auto sub = [&](const std::string& args, const std::string& user) {
    return Parsable(c->Run("sbatch --parsable -o /dev/null " + args, user, "/tmp/acap"));
  };
  uint64_t r1 = sub("--wrap 'sleep 300'", "sluicebob"), r2 = sub("--wrap 'sleep 300'", "sluicebob");
  uint64_t p1 = sub("-H --wrap true", "sluicebob"), d1 = sub("--wrap true", "sluicebob");
  uint64_t n1 = sub("--wrap 'sleep 300'", "");
  ASSERT_TRUE(c->WaitForState(n1, "RUNNING", 30));
  ASSERT_TRUE(c->WaitForState(d1, "COMPLETED", 30));
  const std::map<std::string, std::string> ids = {
      {"10013", std::to_string(r1)}, {"10014", std::to_string(r2)}, {"10015", std::to_string(p1)},
      {"10016", std::to_string(d1)}, {"10017", std::to_string(n1)}};
  int compared = 0;
  ForEachCapturedCommand(
      CapturedSection("12_scontrol_requeue_partition", "stdout"),
      [&](const std::string& head, const std::string& want_raw) {
        std::string user = head.substr(1, head.find(']') - 1);
        std::string cmd = absl::StrReplaceAll(head.substr(head.find(']') + 2), ids);
        // squeue and sinfo show jobs mid-requeue: Slurm keeps a requeued
        // job waiting (BeginTime) a while, Sluice starts it again at once.
        if (absl::StartsWith(cmd, "squeue") || absl::StartsWith(cmd, "sinfo")) return;
        SCOPED_TRACE(head);
        // The second requeue of N1 finds it completing (Slurm) or already
        // waiting again (here: its end is seen at once): both refuse it.
        if (user == "root" && cmd == "scontrol requeue " + std::to_string(n1)) {
          ASSERT_TRUE(TestCluster::WaitFor([&] { return c->JobState(n1) == "PENDING"; }, 30));
        }
        auto r = c->Run(cmd + " 2>&1; echo rc=$?", user == "root" ? "" : user, "/tmp/acap");
        EXPECT_EQ(r.out, absl::StrReplaceAll(want_raw, ids));
        ++compared;
      });
  EXPECT_EQ(compared, 26);
  // What the requeues did: R1 and the completed D1 ran again (Restarts=1),
  // R2 was released and ran again, N1 waits held by the administrator.
  for (uint64_t id : {r1, r2, d1})
    EXPECT_TRUE(TestCluster::WaitFor([&] {
      return absl::StrContains(c->Run("scontrol show job " + std::to_string(id)).out, "Restarts=1");
    }, 30)) << id;
  EXPECT_TRUE(c->WaitForState(r1, "RUNNING", 30));
  EXPECT_EQ(c->Run("squeue -h -j " + std::to_string(n1) + " -o '%T %r'").out,
            "PENDING JobHeldAdmin\n");
  c->Run("scancel " + std::to_string(r1) + " " + std::to_string(r2) + " " + std::to_string(n1) +
         " " + std::to_string(p1));
}

// scontrol top: the job goes ahead of its owner's other waiting jobs.
TEST(GoldenRequeueTest, TopPutsAJobFirstAmongItsOwnersWaitingJobs) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  uint64_t big = Parsable(c->Run("sbatch --parsable -N4 --exclusive -o /dev/null --wrap 'sleep 300'"));
  ASSERT_TRUE(c->WaitForState(big, "RUNNING", 30));
  std::vector<uint64_t> w;
  for (int i = 0; i < 3; ++i)
    w.push_back(Parsable(c->Run("sbatch --parsable -o /dev/null --wrap true")));
  auto order = [&] { return c->Run("squeue -h -t PD -o %i").out; };
  EXPECT_EQ(order(), absl::StrCat(w[0], "\n", w[1], "\n", w[2], "\n"));
  auto r = c->Run("scontrol top " + std::to_string(w[2]));
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(order(), absl::StrCat(w[2], "\n", w[0], "\n", w[1], "\n"));
  c->Run("scancel " + std::to_string(big) + " " + std::to_string(w[0]) + " " +
         std::to_string(w[1]) + " " + std::to_string(w[2]));
}

}  // namespace
}  // namespace sluice::testing
