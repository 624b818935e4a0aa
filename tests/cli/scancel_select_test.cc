// scancel's selection rule: IDs together with filters act only on the IDs
// whose jobs match every filter; filters alone act on matching active jobs.
#include "cli/scancel_select.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::QueryJobsReply Jobs() {
  v1::QueryJobsReply r;
  auto add = [&](uint64_t id, uint32_t uid, common::JobState st, const char* name,
                 const char* acct, const char* nodes) {
    auto* j = r.add_jobs();
    j->set_job_id(id);
    j->set_user_id(uid);
    j->set_state(static_cast<v1::JobState>(st));
    j->set_name(name);
    j->set_account(acct);
    j->set_partition("g2");
    j->set_node_list(nodes);
  };
  add(5, 1001, common::JobState::kRunning, "train", "ml", "n1");    // alice
  add(6, 1001, common::JobState::kPending, "eval", "ml", "");       // alice
  add(7, 1002, common::JobState::kRunning, "train", "phys", "n2");  // bob
  add(8, 1002, common::JobState::kCompleted, "old", "phys", "n2");  // bob, done
  return r;
}

CancelFilter Alice() {
  CancelFilter f;
  f.uid = 1001;
  f.user_name = "alice";
  return f;
}

TEST(ScancelSelectTest, AStepWithAUserFilterCancelsOnlyThatStep) {
  // scancel -u alice 5.0 acts on step 5.0, not on all of alice's jobs.
  auto s = SelectCancelTargets(Jobs(), {{5, 0}}, Alice());
  EXPECT_THAT(s.chosen, ElementsAre(CancelTarget{5, 0}));
  EXPECT_THAT(s.unknown, IsEmpty());
}

TEST(ScancelSelectTest, IdsThatDoNotMatchEveryFilterAreLeftAlone) {
  auto s = SelectCancelTargets(Jobs(), {{7, -1}, {5, -1}}, Alice());
  EXPECT_THAT(s.chosen, ElementsAre(CancelTarget{5, -1}));
  CancelFilter f = Alice();
  f.names = {"eval"};
  EXPECT_THAT(SelectCancelTargets(Jobs(), {{5, -1}, {6, -1}}, f).chosen,
              ElementsAre(CancelTarget{6, -1}));
}

TEST(ScancelSelectTest, FiltersAloneTakeEveryActiveMatchingJob) {
  EXPECT_THAT(SelectCancelTargets(Jobs(), {}, Alice()).chosen,
              ElementsAre(CancelTarget{5, -1}, CancelTarget{6, -1}));
  CancelFilter acct;
  acct.accounts = {"phys"};  // job 8 is finished
  EXPECT_THAT(SelectCancelTargets(Jobs(), {}, acct).chosen, ElementsAre(CancelTarget{7, -1}));
  CancelFilter state;
  state.state = "PENDING";
  EXPECT_THAT(SelectCancelTargets(Jobs(), {}, state).chosen, ElementsAre(CancelTarget{6, -1}));
  CancelFilter nodes;
  nodes.nodes = {"n2"};
  EXPECT_THAT(SelectCancelTargets(Jobs(), {}, nodes).chosen, ElementsAre(CancelTarget{7, -1}));
}

TEST(ScancelSelectTest, QosReservationAndWckeyMatchNoJobSinceNoneHasOne) {
  for (int i = 0; i < 3; ++i) {
    CancelFilter f;
    (i == 0 ? f.qos : i == 1 ? f.reservations : f.wckeys) = {"normal"};
    EXPECT_THAT(SelectCancelTargets(Jobs(), {}, f).chosen, IsEmpty());
    EXPECT_THAT(SelectCancelTargets(Jobs(), {{5, -1}}, f).chosen, IsEmpty());
  }
}

TEST(ScancelSelectTest, UnknownAndFinishedIdsAreReportedAndPendingJobsHaveNoSteps) {
  auto s = SelectCancelTargets(Jobs(), {{8, -1}, {99, 0}, {6, 0}}, CancelFilter());
  EXPECT_THAT(s.unknown, ElementsAre(CancelTarget{8, -1}, CancelTarget{99, 0}));
  EXPECT_THAT(s.chosen, IsEmpty());
}

TEST(ScancelSelectTest, StatesAndTheFilterDescriptionUseSlurmsWords) {
  EXPECT_EQ(ParseCancelState("pd"), "PENDING");
  EXPECT_EQ(ParseCancelState("Running"), "RUNNING");
  EXPECT_EQ(ParseCancelState("S"), "SUSPENDED");
  EXPECT_EQ(ParseCancelState("COMPLETED"), std::nullopt);
  CancelFilter f = Alice();
  f.accounts = {"ml"};
  f.state = "RUNNING";
  EXPECT_EQ(f.Describe(), "account=ml state=RUNNING user_name=alice ");
  EXPECT_FALSE(CancelFilter().Any());
  EXPECT_TRUE(f.Any());
}

}  // namespace
}  // namespace sluice::cli
