// Job arrays in the controller core: one record while tasks wait, tasks
// split off as they start, %throttle, per-task hold/cancel, dependencies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/users.h"
#include "ctld/core/controller.h"
#include "ctld/store/job_store.h"
#include "fake_node_client.h"
#include "registered_controller.h"
#include "test_config.h"

namespace sluice::ctld {
namespace {

using testing::kT0;

class ArrayTest : public testing::RegisteredControllerTest {
 protected:
  SubmitOutcome Submit(const std::string& array, const std::string& dep = "",
                       uint32_t cpus = 1) {
    SubmitRequest r;
    r.name = "arr";
    r.script = "#!/bin/sh\ntrue\n";
    r.work_dir = "/w";
    r.array = array;
    r.dependency = dep;
    r.cpus_per_task = cpus;
    SubmitOutcome out = ctl_.Submit(r, alice_, kT0);
    EXPECT_TRUE(ctl_.Sync().ok());
    return out;
  }
  std::vector<const Job*> Records(uint64_t array) {
    std::vector<const Job*> out;
    for (const auto& [id, j] : ctl_.jobs())
      if (j.array_job_id == array) out.push_back(&j);
    return out;
  }
  int Count(uint64_t array, JobState st) {
    int n = 0;
    for (const Job* j : Records(array)) n += j->state == st;
    return n;
  }
  uint64_t Task(uint64_t array, int64_t task) {
    for (const Job* j : Records(array))
      if (j->array_task_id == task) return j->id.value();
    return 0;
  }
  void End(uint64_t id, int rc, int64_t now = kT0 + 1) {
    const Job& j = ctl_.jobs().at(id);
    NodeReport r;
    r.node = j.alloc.at(0).node;
    r.ended = {{JobId(id), rc, 0, false, ""}};
    ASSERT_TRUE(ctl_.OnNodeReport(r, root_, now).ok());
  }
  std::string Env(const LaunchRequest& r, const std::string& key) {
    for (const auto& e : r.env)
      if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
    return "<unset>";
  }

};

TEST_F(ArrayTest, APendingArrayIsOneRecordWhateverItsSize) {
  common::SlurmConfig cfg = testing::TwoNodeConfig();
  cfg.max_array_size = 100001;
  Controller big(cfg, store_.get(), &nodes_, 0);
  ASSERT_TRUE(big.Recover(kT0).ok());
  SubmitRequest r;
  r.script = "#!/bin/sh\ntrue\n";
  r.array = "0-99999%5";
  auto out = big.Submit(r, alice_, kT0);
  ASSERT_TRUE(out.error.empty()) << out.error;
  ASSERT_TRUE(big.Sync().ok());
  ASSERT_EQ(big.jobs().size(), 1u);
  const Job& j = big.jobs().begin()->second;
  EXPECT_EQ(j.array_pending.Count(), 100000u);
  EXPECT_EQ(j.array_pending.runs().size(), 1u);
  EXPECT_EQ(j.spec.array.throttle, 5u);
}

TEST_F(ArrayTest, SpecificationsBeyondMaxArraySizeAreRefused) {
  EXPECT_EQ(Submit("0-1001").error, "Invalid job array specification");
  EXPECT_EQ(Submit("abc").error, "Invalid job array specification");
  EXPECT_TRUE(ctl_.jobs().empty());  // nothing half-submitted
}

TEST_F(ArrayTest, TasksStartAsRecordsOfTheirOwnAndTheLastKeepsTheArraysId) {
  auto out = Submit("3-6:1");
  uint64_t a = out.id.value();
  ASSERT_EQ(Records(a).size(), 1u);
  EXPECT_TRUE(ctl_.jobs().at(a).IsArrayRest());
  ctl_.Schedule(kT0);
  // Two 8-CPU nodes: all four one-CPU tasks start in one pass.
  ASSERT_EQ(Count(a, JobState::kRunning), 4);
  ASSERT_EQ(nodes_.launched.size(), 4u);
  std::map<std::string, uint64_t> id_of_task;
  for (const auto& l : nodes_.launched) {
    EXPECT_EQ(Env(l.req, "SLURM_ARRAY_JOB_ID"), std::to_string(a));
    EXPECT_EQ(Env(l.req, "SLURM_ARRAY_TASK_COUNT"), "4");
    EXPECT_EQ(Env(l.req, "SLURM_ARRAY_TASK_MIN"), "3");
    EXPECT_EQ(Env(l.req, "SLURM_ARRAY_TASK_MAX"), "6");
    EXPECT_EQ(Env(l.req, "SLURM_ARRAY_TASK_STEP"), "1");
    id_of_task[Env(l.req, "SLURM_ARRAY_TASK_ID")] = l.req.id.value();
    // %A_%a are expanded by the controller, the default name included.
    EXPECT_EQ(l.req.std_out,
              "/w/slurm-" + std::to_string(a) + "_" + Env(l.req, "SLURM_ARRAY_TASK_ID") + ".out");
  }
  EXPECT_EQ(id_of_task["3"], a + 1);
  EXPECT_EQ(id_of_task["6"], a);  // the last one takes the array's record
  EXPECT_EQ(ctl_.jobs().at(a).array_task_id, 6);
}

TEST_F(ArrayTest, ThrottleLimitsRunningTasks) {
  uint64_t a = Submit("0-5%2").id.value();
  ctl_.Schedule(kT0);
  EXPECT_EQ(Count(a, JobState::kRunning), 2);
  EXPECT_EQ(ctl_.jobs().at(a).reason, JobReason::kJobArrayTaskLimit);
  EXPECT_EQ(ctl_.jobs().at(a).array_pending.Format(), "2-5");
  End(Task(a, 0), 0);
  ctl_.Schedule(kT0 + 2);
  EXPECT_EQ(Count(a, JobState::kRunning), 2);
  EXPECT_EQ(ctl_.jobs().at(a).array_pending.Format(), "3-5");
}

TEST_F(ArrayTest, OneWaitingTaskCanBeHeldAndCancelledAlone) {
  uint64_t a = Submit("1-4").id.value();
  auto t3 = ctl_.ArrayTask(JobId(a), 3, kT0);
  ASSERT_TRUE(t3.ok());
  EXPECT_NE(t3->value(), a);
  EXPECT_EQ(ctl_.jobs().at(a).array_pending.Format(), "1-2,4");
  ctl_.Hold({*t3}, true, alice_, kT0);
  auto t4 = ctl_.ArrayTask(JobId(a), 4, kT0);
  ctl_.Cancel({*t4}, 0, false, false, alice_, kT0);
  EXPECT_EQ(ctl_.jobs().at(t4->value()).state, JobState::kCancelled);
  EXPECT_FALSE(ctl_.ArrayTask(JobId(a), 9, kT0).ok());
  ctl_.Schedule(kT0);
  EXPECT_EQ(Count(a, JobState::kRunning), 2);  // 1 and 2
  EXPECT_EQ(ctl_.jobs().at(t3->value()).state, JobState::kPending);
  EXPECT_EQ(ctl_.ArrayMembers(JobId(a)).size(), 4u);
}

TEST_F(ArrayTest, AfterOkOnAnArrayWaitsForEveryTaskAndAfterCorrPairsThem) {
  uint64_t a = Submit("0-1%1").id.value();
  uint64_t b = Submit("", "afterok:" + std::to_string(a)).id.value();
  uint64_t c = Submit("0-1", "aftercorr:" + std::to_string(a)).id.value();
  ctl_.Schedule(kT0);
  EXPECT_EQ(ctl_.jobs().at(b).reason, JobReason::kDependency);
  EXPECT_EQ(Count(c, JobState::kRunning), 0);
  End(Task(a, 0), 0);
  ctl_.Schedule(kT0 + 2);
  EXPECT_EQ(ctl_.jobs().at(b).state, JobState::kPending);  // task 1 still to run
  // c's task 0 may go now that a's task 0 is done; its task 1 waits.
  EXPECT_EQ(Count(c, JobState::kRunning), 1);
  EXPECT_EQ(ctl_.jobs().at(c).array_pending.Format(), "1");
  ASSERT_EQ(Task(a, 1), a);  // the last task has the array's own record
  End(a, 0, kT0 + 3);
  ctl_.Schedule(kT0 + 4);
  EXPECT_EQ(ctl_.jobs().at(b).state, JobState::kRunning);
  EXPECT_EQ(Count(c, JobState::kRunning), 2);
}

TEST_F(ArrayTest, ArraysSurviveARestart) {
  uint64_t a = Submit("0-9:3%2").id.value();
  ctl_.Schedule(kT0);
  Controller again(testing::TwoNodeConfig(), store_.get(), &nodes_, 0);
  ASSERT_TRUE(again.Recover(kT0 + 5).ok());
  const Job& rest = again.jobs().at(a);
  EXPECT_EQ(rest.array_pending.Format(), "6,9");
  EXPECT_EQ(rest.spec.array.throttle, 2u);
  EXPECT_EQ(rest.spec.array.step, 3u);
  EXPECT_EQ(again.jobs().at(a + 1).array_task_id, 0);
}

}  // namespace
}  // namespace sluice::ctld

namespace sluice::ctld {
namespace {

class DeadlineTest : public ArrayTest {};

TEST_F(DeadlineTest, AJobThatCannotFinishByItsDeadlineEndsDeadline) {
  SubmitRequest r;
  r.script = "#!/bin/sh\ntrue\n";
  r.time_limit_set = true;
  r.time_limit_min = 10;
  r.deadline = kT0 + 60;  // ten minutes do not fit in one
  auto late = ctl_.Submit(r, alice_, kT0);
  r.deadline = kT0 + 3600;
  auto fine = ctl_.Submit(r, alice_, kT0);
  r.hold = true;
  r.deadline = kT0 + 120;
  auto held = ctl_.Submit(r, alice_, kT0);
  ASSERT_TRUE(ctl_.Sync().ok());
  ctl_.Schedule(kT0);
  EXPECT_EQ(ctl_.jobs().at(late.id.value()).state, JobState::kDeadline);
  EXPECT_EQ(ctl_.jobs().at(late.id.value()).reason, JobReason::kDeadLine);
  EXPECT_EQ(ctl_.jobs().at(fine.id.value()).state, JobState::kRunning);
  EXPECT_EQ(ctl_.jobs().at(held.id.value()).state, JobState::kPending);  // held: not yet
  ctl_.Tick(kT0 + 121);
  EXPECT_EQ(ctl_.jobs().at(held.id.value()).state, JobState::kDeadline);
}

TEST_F(DeadlineTest, PastDeadlinesAndTimeMinOverTheLimitAreRefusedWithoutAnId) {
  SubmitRequest r;
  r.script = "#!/bin/sh\ntrue\n";
  r.deadline = kT0 - 1;
  EXPECT_EQ(ctl_.Submit(r, alice_, kT0).error,
            "Requested time limit is invalid (missing or exceeds some limit)");
  r.deadline = 0;
  r.time_limit_set = true;
  r.time_limit_min = 10;
  r.time_min_min = 20;
  EXPECT_EQ(ctl_.Submit(r, alice_, kT0).error,
            "Invalid time-min specification (exceeds job's time or other limits)");
  r.time_min_min = 5;
  EXPECT_EQ(ctl_.Submit(r, alice_, kT0).id, JobId(1));  // no ID was used up
}

TEST_F(DeadlineTest, TimeMinShrinksTheLimitToMeetTheDeadline) {
  SubmitRequest r;
  r.script = "#!/bin/sh\ntrue\n";
  r.time_limit_set = true;
  r.time_limit_min = 60;
  r.time_min_min = 10;
  r.deadline = kT0 + 30 * 60;
  auto id = ctl_.Submit(r, alice_, kT0).id;
  ASSERT_TRUE(ctl_.Sync().ok());
  ctl_.Schedule(kT0);
  ASSERT_EQ(ctl_.jobs().at(id.value()).state, JobState::kRunning);
  EXPECT_EQ(ctl_.jobs().at(id.value()).spec.time_limit_min, 30);
}

}  // namespace
}  // namespace sluice::ctld

namespace sluice::ctld {
namespace {

struct FakeMailer : Mailer {
  std::vector<MailMessage> sent;
  void Send(MailMessage m) override { sent.push_back(std::move(m)); }
  std::vector<std::string> Subjects() const {
    std::vector<std::string> out;
    for (const auto& m : sent) out.push_back(m.subject + " -> " + m.user);
    return out;
  }
};

class MailTest : public ArrayTest {
 protected:
  MailTest() { ctl_.set_mailer(&mailer_); }
  uint64_t Job(const std::string& types, const std::string& array = "", const std::string& name = "wrap",
              int64_t limit_min = 10) {
    SubmitRequest r;
    r.name = name;
    r.script = "#!/bin/sh\ntrue\n";
    r.mail_type = types;
    r.array = array;
    r.time_limit_set = true;
    r.time_limit_min = limit_min;
    auto out = ctl_.Submit(r, alice_, kT0);
    EXPECT_TRUE(out.error.empty()) << out.error;
    EXPECT_TRUE(ctl_.Sync().ok());
    return out.id.value();
  }
  FakeMailer mailer_;
};

// Subjects as the reference Slurm's MailProg received them (11_mail_prog).
TEST_F(MailTest, SubjectsAreSlurmsForBeginEndFailAndCancel) {
  uint64_t ok = Job("ALL");
  uint64_t bad = Job("END,FAIL", "", "failjob");
  uint64_t gone = Job("ALL", "", "canc");
  uint64_t quiet = Job("BEGIN");
  ctl_.Schedule(kT0 + 2);
  End(ok, 0, kT0 + 3);
  End(bad, 3, kT0 + 3);
  ctl_.Cancel({JobId(gone)}, 0, false, false, alice_, kT0 + 9);
  NodeReport r;  // the cancelled batch job's end arrives
  r.node = ctl_.jobs().at(gone).alloc.at(0).node;
  r.ended = {{JobId(gone), 0, 15, false, ""}};
  ASSERT_TRUE(ctl_.OnNodeReport(r, root_, kT0 + 9).ok());
  auto s = mailer_.Subjects();
  auto id = [](uint64_t i) { return std::to_string(i); };
  EXPECT_THAT(s, ::testing::IsSupersetOf({
      "Slurm Job_id=" + id(ok) + " Name=wrap Began, Queued time 00:00:02 -> " + ctl_.jobs().at(ok).spec.user,
      "Slurm Job_id=" + id(ok) + " Name=wrap Ended, Run time 00:00:01, COMPLETED, ExitCode 0 -> " +
          ctl_.jobs().at(ok).spec.user,
      "Slurm Job_id=" + id(bad) + " Name=failjob Failed, Run time 00:00:01, FAILED, ExitCode 3 -> " +
          ctl_.jobs().at(ok).spec.user,
      "Slurm Job_id=" + id(quiet) + " Name=wrap Began, Queued time 00:00:02 -> " +
          ctl_.jobs().at(ok).spec.user}));
  bool cancelled = false;
  for (const auto& x : s)
    cancelled |= x.find("Slurm Job_id=" + id(gone) + " Name=canc Ended, Run time 00:00:07, CANCELLED, ExitCode 0") == 0;
  EXPECT_TRUE(cancelled) << ::testing::PrintToString(s);
  EXPECT_EQ(s.size(), 6u) << ::testing::PrintToString(s);  // END,FAIL sends no Began
  // The environment MailProg gets, as captured.
  const MailMessage& end = mailer_.sent[3];
  EXPECT_THAT(end.env, ::testing::IsSupersetOf({"SLURM_JOB_MAIL_TYPE=Ended", "SLURM_JOB_STATE=COMPLETED",
                                               "SLURM_JOB_EXIT_CODE2=0:0", "SLURM_JOB_RUN_TIME=00:00:01",
                                               "SLURM_JOB_ACCOUNT=(null)", "SLURM_JOB_STDIN=/dev/null"}));
}

TEST_F(MailTest, ArraysMailASummaryUnlessArrayTasksIsAsked) {
  uint64_t a = Job("ALL", "1-2", "arr");
  uint64_t t = Job("ALL,ARRAY_TASKS", "1-2", "arrt");
  ctl_.Schedule(kT0 + 1);
  for (const auto& [id, j] : ctl_.jobs())
    if (j.state == JobState::kRunning) End(id, 0, kT0 + 2);
  auto s = mailer_.Subjects();
  auto n = [](uint64_t i) { return std::to_string(i); };
  uint64_t t1 = Task(t, 1);
  EXPECT_THAT(s, ::testing::UnorderedElementsAre(
      "Slurm Array Summary Job_id=" + n(a) + "_* (" + n(a) + ") Name=arr Began -> " + ctl_.jobs().at(a).spec.user,
      "Slurm Array Summary Job_id=" + n(a) + "_* (" + n(a) + ") Name=arr Ended, COMPLETED, ExitCode [0-0] -> " +
          ctl_.jobs().at(a).spec.user,
      "Slurm Array Task Job_id=" + n(t) + "_1 (" + n(t1) + ") Name=arrt Began, Queued time 00:00:01 -> " +
          ctl_.jobs().at(a).spec.user,
      "Slurm Array Task Job_id=" + n(t) + "_2 (" + n(t) + ") Name=arrt Began, Queued time 00:00:01 -> " +
          ctl_.jobs().at(a).spec.user,
      "Slurm Array Task Job_id=" + n(t) + "_1 (" + n(t1) + ") Name=arrt Ended, Run time 00:00:01, COMPLETED, ExitCode 0 -> " +
          ctl_.jobs().at(a).spec.user,
      "Slurm Array Task Job_id=" + n(t) + "_2 (" + n(t) + ") Name=arrt Ended, Run time 00:00:01, COMPLETED, ExitCode 0 -> " +
          ctl_.jobs().at(a).spec.user));
}

TEST_F(MailTest, TimeLimitMarksGoOnceEach) {
  uint64_t id = Job("TIME_LIMIT_50,TIME_LIMIT_90", "", "wrap", 2);
  ctl_.Schedule(kT0);
  ASSERT_EQ(ctl_.jobs().at(id).state, JobState::kRunning);
  EXPECT_EQ(ctl_.jobs().at(id).spec.mail_type, kMailTimeLimit50 | kMailTimeLimit90);
  ctl_.Tick(kT0 + 48);  // 40%
  EXPECT_TRUE(mailer_.sent.empty());
  ctl_.Tick(kT0 + 60);  // 50%
  EXPECT_EQ(ctl_.jobs().at(id).state, JobState::kRunning) << static_cast<int>(ctl_.jobs().at(id).state);
  ctl_.Tick(kT0 + 61);
  ctl_.Tick(kT0 + 109);  // 90.8%
  auto s = mailer_.Subjects();
  ASSERT_EQ(s.size(), 2u) << ::testing::PrintToString(s);
  EXPECT_EQ(s[0].substr(0, s[0].find(" ->")),
            "Slurm Job_id=" + std::to_string(id) + " Name=wrap Reached 50% of time limit, Run time 00:01:00");
  EXPECT_EQ(s[1].substr(0, s[1].find(" ->")),
            "Slurm Job_id=" + std::to_string(id) + " Name=wrap Reached 90% of time limit, Run time 00:01:49");
  EXPECT_FALSE(ParseMailType("SOMETIMES").ok());
}

}  // namespace
}  // namespace sluice::ctld

namespace sluice::ctld {
namespace {

// --uid/--gid reach the controller as a request any client could forge: only
// root's is honoured.
TEST_F(ArrayTest, OnlyRootMaySubmitAsSomeoneElse) {
  SubmitRequest r;
  r.script = "#!/bin/sh\ntrue\n";
  r.as_uid = 0;
  auto forged = ctl_.Submit(r, alice_, kT0);
  EXPECT_EQ(forged.error, "Access/permission denied");
  EXPECT_EQ(forged.id, JobId(0));
  r.as_uid = -1;
  r.as_gid = 0;
  EXPECT_EQ(ctl_.Submit(r, alice_, kT0).error, "Access/permission denied");
  r.as_uid = 1001;  // alice, by root
  r.as_gid = -1;
  auto by_root = ctl_.Submit(r, root_, kT0);
  if (common::LookupUser(1001)) {
    ASSERT_TRUE(by_root.error.empty()) << by_root.error;
    EXPECT_EQ(ctl_.jobs().at(by_root.id.value()).spec.uid, 1001u);
    EXPECT_EQ(ctl_.jobs().at(by_root.id.value()).spec.gid, 0u);  // root's group, as in Slurm
  } else {
    EXPECT_EQ(by_root.error, "Access/permission denied");  // no such user
  }
}

}  // namespace
}  // namespace sluice::ctld
