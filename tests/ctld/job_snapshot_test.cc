// Reads off the strand (issue 12): QueryJobs answers from one snapshot
// shared by every reader while nothing changes, makes a new one after a
// change (so a reader sees its own submission), coalesces concurrent
// readers into one conversion, and filters on the server.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "ctld/rpc/convert.h"
#include "ctld/rpc/job_snapshot.h"
#include "registered_controller.h"

namespace sluice::ctld::rpc {
namespace {

using testing::kT0;

// The strand, played by a mutex; a read takes `read_delay` on it.
class FakeRunner : public CoreRunner {
 public:
  explicit FakeRunner(Controller* c) : c_(c) {}
  void Run(const std::function<void(Controller&, int64_t)>& fn) override {
    std::lock_guard<std::mutex> l(mu_);
    fn(*c_, kT0);
    ++gen_;
  }
  void RunEvent(const std::function<bool(Controller&, int64_t)>& fn) override {
    std::lock_guard<std::mutex> l(mu_);
    if (fn(*c_, kT0)) ++gen_;
  }
  absl::Status RunDurable(const std::function<void(Controller&, int64_t)>& fn) override {
    Run(fn);
    return c_->Sync();
  }
  void RunThenCommit(const std::function<void(Controller&, int64_t)>& fn) override { Run(fn); }
  void RunRead(const std::function<void(const Controller&, int64_t)>& fn) override {
    std::lock_guard<std::mutex> l(mu_);
    ++reads;
    std::this_thread::sleep_for(read_delay);
    if (on_read) on_read();
    fn(*c_, kT0);
  }
  void RunReadHere(const std::function<void(const Controller&, int64_t)>& fn) override {
    ++here;
    RunRead(fn);
  }
  uint64_t Generation() const override { return gen_.load(); }
  int64_t WallNow() const override { return kT0; }
  PassStats SchedulingStats() const override { return {}; }
  std::atomic<int> reads{0};
  std::atomic<int> here{0};  // of those, reads run on the caller's thread
  std::chrono::milliseconds read_delay{0};
  std::function<void()> on_read;  // called as each read starts

 private:
  Controller* c_;
  std::mutex mu_;
  std::atomic<uint64_t> gen_{1};
};

class JobSnapshotTest : public testing::RegisteredControllerTest {
 protected:
  // `r` submitted by `who` through the runner, as the server does; its ID.
  uint64_t SubmitAs(const SubmitRequest& r, const common::Identity& who) {
    uint64_t id = 0;
    EXPECT_TRUE(runner_.RunDurable([&](Controller& c, int64_t now) {
                  auto out = c.Submit(r, who, now);
                  EXPECT_EQ(out.error, "") << r.name;
                  id = out.id.value();
                }).ok());
    return id;
  }
  static SubmitRequest Request(const std::string& name, bool hold = false,
                               const std::string& array = "") {
    SubmitRequest r;
    r.name = name;
    r.script = "#!/bin/sh\ntrue\n";
    r.work_dir = "/tmp";
    r.hold = hold;
    r.array = array;
    return r;
  }
  uint64_t Submit(const std::string& name, const common::Identity& who, bool hold = false,
                  const std::string& array = "") {
    return SubmitAs(Request(name, hold, array), who);
  }
  FakeRunner runner_{&ctl_};
  JobSnapshots snaps_{&runner_};
};

TEST_F(JobSnapshotTest, SharedWhileNothingChangesAndRenewedAfterAChange) {
  auto a = snaps_.Get();
  auto b = snaps_.Get();
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(runner_.reads.load(), 1);
  uint64_t id = Submit("mine", alice_);
  auto c = snaps_.Get();  // sees the submission that returned before it
  ASSERT_EQ(c->jobs.size(), 1u);
  EXPECT_EQ(c->jobs[0]->keys.id, id);
  EXPECT_EQ(runner_.reads.load(), 2);
  // Each copy is made on the reader's thread, the strand parked.
  EXPECT_EQ(runner_.here.load(), 2);
}

// A copy after a change converts only the jobs that changed: the others
// are the last copy's entries, the same objects, and the changed job's
// bytes are new.
TEST_F(JobSnapshotTest, ACopyConvertsOnlyTheJobsThatChanged) {
  uint64_t a = Submit("a", alice_, /*hold=*/true);
  uint64_t b = Submit("b", alice_, /*hold=*/true);
  uint64_t c = Submit("c", bob_, /*hold=*/true);
  auto first = snaps_.Get();
  EXPECT_EQ(snaps_.last_converted(), 3u);
  runner_.Run([&](Controller& ctl, int64_t now) { ctl.Release({JobId(b)}, alice_, now); });
  auto second = snaps_.Get();
  ASSERT_NE(first.get(), second.get());
  ASSERT_EQ(second->jobs.size(), 3u);
  EXPECT_EQ(snaps_.last_converted(), 1u);
  EXPECT_EQ(snaps_.total_converted(), 4u);
  EXPECT_EQ(second->jobs[0].get(), first->jobs[0].get());  // a: shared
  EXPECT_EQ(second->jobs[2].get(), first->jobs[2].get());  // c: shared
  EXPECT_NE(second->jobs[1].get(), first->jobs[1].get());  // b: converted again
  EXPECT_NE(second->jobs[1]->wire, first->jobs[1]->wire);
  EXPECT_EQ(second->jobs[1]->keys.id, b);
  (void)a, (void)c;
  // A new job alone is converted too; so is every job after the copy was
  // dropped for want of readers.
  Submit("d", bob_, /*hold=*/true);
  EXPECT_EQ(snaps_.Get()->jobs.size(), 4u);
  EXPECT_EQ(snaps_.last_converted(), 1u);
  EXPECT_TRUE(snaps_.DropIfUnread(std::chrono::steady_clock::duration::zero()));
  Submit("e", bob_, /*hold=*/true);
  EXPECT_EQ(snaps_.Get()->jobs.size(), 5u);
  EXPECT_EQ(snaps_.last_converted(), 5u);
}

TEST_F(JobSnapshotTest, ConcurrentReadersShareOneConversion) {
  Submit("x", alice_);
  runner_.read_delay = std::chrono::milliseconds(100);
  std::vector<std::thread> readers;
  std::atomic<size_t> seen{0};
  for (int i = 0; i < 20; ++i)
    readers.emplace_back([&] { seen += snaps_.Get()->jobs.size(); });
  for (auto& t : readers) t.join();
  EXPECT_EQ(seen.load(), 20u);
  // One build, or two when a reader arrived just as the first began.
  EXPECT_LE(runner_.reads.load(), 2);
}

// Under a stream of changes, copies take at most a tenth of the strand: a
// copy that held it for d is followed by the next only 9 d later (with no
// burst allowed), and that one still holds every change made before the
// reader asked. (The slack of one d covers the moments between the first
// copy and the clock read.)
TEST_F(JobSnapshotTest, CopiesTakeAtMostATenthOfTheStrand) {
  JobSnapshots strict(&runner_, std::chrono::steady_clock::duration::zero());
  for (int i = 0; i < 1000; ++i) Submit("a", alice_, /*hold=*/true);
  ASSERT_EQ(strict.Get()->jobs.size(), 1000u);
  auto first_done = std::chrono::steady_clock::now();
  auto d = strict.last_strand_time();
  ASSERT_GT(d, std::chrono::steady_clock::duration::zero());
  Submit("b", alice_);
  auto snap = strict.Get();
  auto waited = std::chrono::steady_clock::now() - first_done;
  EXPECT_EQ(snap->jobs.size(), 1001u);
  EXPECT_EQ(strict.last_converted(), 1u);  // (the copy walked 1,001 digests)
  EXPECT_GE(waited, 8 * d);
  EXPECT_EQ(runner_.reads.load(), 2);
  // What QueryCluster reports: both copies and their strand time together.
  EXPECT_EQ(strict.builds(), 2u);
  EXPECT_EQ(strict.total_strand_time(), d + strict.last_strand_time());
  EXPECT_EQ(strict.Get().get(), snap.get());  // nothing changed since: shared
  EXPECT_EQ(runner_.reads.load(), 2);
}

// With a burst allowed, copies after a quiet spell go at once while their
// strand time is within it; without one, each copy of d is followed by a
// wait of up to 9 d.
TEST_F(JobSnapshotTest, AQuietSpellEarnsABurstOfCopies) {
  for (int i = 0; i < 1000; ++i) Submit("a", alice_, /*hold=*/true);
  JobSnapshots roomy(&runner_, std::chrono::hours(1));
  for (int i = 0; i < 4; ++i) {
    Submit("b", alice_, /*hold=*/true);
    ASSERT_TRUE(roomy.DropIfUnread(std::chrono::steady_clock::duration::zero()) || i == 0);
    roomy.Get();  // every job converted again
    EXPECT_EQ(roomy.WaitBeforeNextCopy(), std::chrono::steady_clock::duration::zero()) << i;
  }
  EXPECT_EQ(roomy.builds(), 4u);
  JobSnapshots strict(&runner_, std::chrono::steady_clock::duration::zero());
  strict.Get();
  auto wait = strict.WaitBeforeNextCopy();
  EXPECT_GT(wait, std::chrono::steady_clock::duration::zero());
  EXPECT_LE(wait, 9 * strict.last_strand_time());
}

TEST_F(JobSnapshotTest, FiltersApplyOnTheServer) {
  uint64_t a = Submit("train", alice_);
  uint64_t b = Submit("eval", bob_, /*hold=*/true);
  auto snap = snaps_.Get();
  auto ids = [&](const v1::QueryJobsRequest& q) {
    v1::QueryJobsWire sent;
    v1::QueryJobsReply rep;
    AnswerQueryJobs(*snap, q, &sent);
    // QueryJobsWire is QueryJobsReply on the wire: read it as a client does.
    EXPECT_TRUE(rep.ParseFromString(sent.SerializeAsString()));
    rep.mutable_jobs()->Swap(rep.mutable_listed()->mutable_jobs());
    std::vector<uint64_t> out;
    for (const auto& j : rep.jobs()) out.push_back(j.job_id());
    return std::make_pair(out, rep.error());
  };
  v1::QueryJobsRequest q;
  EXPECT_EQ(ids(q).first, (std::vector<uint64_t>{a, b}));
  q.add_user_ids(1002);
  EXPECT_EQ(ids(q).first, (std::vector<uint64_t>{b}));
  q.clear_user_ids();
  q.add_names("train");
  EXPECT_EQ(ids(q).first, (std::vector<uint64_t>{a}));
  q.clear_names();
  q.add_states(v1::JOB_STATE_RUNNING);
  EXPECT_TRUE(ids(q).first.empty());
  q.clear_states();
  q.add_partitions("nope");
  EXPECT_TRUE(ids(q).first.empty());
  // An unknown ID is an error; a known one the filters leave out is not.
  q.add_job_ids(a);
  EXPECT_EQ(ids(q).second, "");
  v1::QueryJobsRequest unknown;
  unknown.add_job_ids(999);
  EXPECT_EQ(ids(unknown).second, "Invalid job id specified");
}

// brief: squeue's default listing's fields alone, the same jobs; fewer
// bytes (a work directory, output paths, TRES are not sent).
TEST_F(JobSnapshotTest, BriefRepliesCarryTheListingsFieldsAlone) {
  uint64_t a = Submit("train", alice_);
  auto snap = snaps_.Get();
  auto answer = [&](bool brief) {
    v1::QueryJobsRequest q;
    q.set_brief(brief);
    v1::QueryJobsWire sent;
    AnswerQueryJobs(*snap, q, &sent);
    v1::QueryJobsReply rep;
    EXPECT_TRUE(rep.ParseFromString(sent.SerializeAsString()));
    rep.mutable_jobs()->Swap(rep.mutable_listed()->mutable_jobs());
    return std::make_pair(rep, sent.ByteSizeLong());
  };
  auto [full, full_bytes] = answer(false);
  auto [brief, brief_bytes] = answer(true);
  ASSERT_EQ(brief.jobs_size(), 1);
  const v1::JobInfo& b = brief.jobs(0);
  const v1::JobInfo& f = full.jobs(0);
  EXPECT_EQ(b.job_id(), a);
  EXPECT_EQ(b.name(), "train");
  EXPECT_EQ(b.user_name(), f.user_name());
  EXPECT_EQ(b.partition(), f.partition());
  EXPECT_EQ(b.state(), f.state());
  EXPECT_EQ(b.priority(), f.priority());
  EXPECT_FALSE(f.work_dir().empty());
  EXPECT_TRUE(b.work_dir().empty());
  EXPECT_TRUE(b.tres().empty());
  EXPECT_LT(brief_bytes * 2, full_bytes);
}

// A read that names its jobs or users, answered from the controller
// itself (AnswerNarrowRead), gives the same bytes as the same read over a
// copy: the same jobs in the same order, each encoded alike, the same
// error, in full and brief form; an array's ID still means all its records.
TEST_F(JobSnapshotTest, NarrowReadsGiveTheCopysBytes) {
  uint64_t a = Submit("train", alice_);
  uint64_t b = Submit("eval", bob_, /*hold=*/true);
  uint64_t arr = Submit("sweep", alice_, /*hold=*/true, "0-5");
  uint64_t c3 = 0;
  runner_.Run([&](Controller& c, int64_t now) {
    c.Schedule(now);  // `a` starts
    c3 = c.ArrayTask(JobId(arr), 3, now)->value();  // a record of its own
  });
  ASSERT_NE(c3, arr);
  auto snap = snaps_.Get();
  ASSERT_EQ(snap->jobs.size(), 4u);
  std::vector<v1::QueryJobsRequest> reads(14);
  reads[0].add_job_ids(a);
  reads[1].add_job_ids(arr);
  reads[2].add_job_ids(c3);
  reads[3].add_job_ids(999);
  reads[4].add_job_ids(b);
  reads[4].add_job_ids(999);
  reads[4].add_job_ids(a);
  reads[5].add_user_ids(1001);
  reads[6].add_user_ids(1002);
  reads[6].add_user_ids(1001);
  reads[6].add_user_ids(1002);
  reads[7].add_user_ids(4242);
  reads[8].add_user_ids(1001);
  reads[8].add_states(v1::JOB_STATE_RUNNING);
  reads[9].add_user_ids(1001);
  reads[9].add_names("sweep");
  reads[9].set_brief(true);
  reads[10].add_job_ids(arr);
  reads[10].add_user_ids(1002);  // the array is alice's: nothing, no error
  reads[11].add_job_ids(b);
  reads[11].set_active_only(true);
  reads[12].add_user_ids(1001);
  reads[12].add_partitions("nope");
  reads[13].add_job_ids(arr);
  reads[13].set_brief(true);
  for (size_t i = 0; i < reads.size(); ++i) {
    for (std::optional<uint32_t> only : {std::optional<uint32_t>(), std::optional<uint32_t>(1002)}) {
      v1::QueryJobsWire copy, narrow;
      AnswerQueryJobs(*snap, reads[i], &copy, only);
      bool answered = false;
      runner_.RunRead([&](const Controller& c, int64_t now) {
        answered = AnswerNarrowRead(c, now, reads[i], &narrow, only, 1000);
      });
      ASSERT_TRUE(answered) << i;
      EXPECT_EQ(narrow.SerializeAsString(), copy.SerializeAsString())
          << "read " << i << (only ? " as bob" : "");
    }
  }
  // (The reads compared list jobs: alice's three records, the array's two.)
  auto count = [&](const v1::QueryJobsRequest& q) {
    v1::QueryJobsWire sent;
    AnswerQueryJobs(*snap, q, &sent);
    v1::QueryJobsReply rep;
    EXPECT_TRUE(rep.ParseFromString(sent.SerializeAsString()));
    return rep.listed().jobs_size();
  };
  EXPECT_EQ(count(reads[5]), 3);
  EXPECT_EQ(count(reads[1]), 2);
  EXPECT_EQ(count(reads[6]), 4);
  // Naming neither jobs nor users, or more jobs than it may convert: the
  // copy answers, and the reply is untouched.
  v1::QueryJobsWire untouched;
  bool answered = true;
  runner_.RunRead([&](const Controller& c, int64_t now) {
    answered = AnswerNarrowRead(c, now, v1::QueryJobsRequest(), &untouched, std::nullopt, 1000) ||
               AnswerNarrowRead(c, now, reads[5], &untouched, std::nullopt, 2) ||
               AnswerNarrowRead(c, now, reads[4], &untouched, std::nullopt, 2);
  });
  EXPECT_FALSE(answered);
  EXPECT_EQ(untouched.ByteSizeLong(), 0u);
}

// Whatever happens to the jobs, an incremental copy holds the same bytes
// as a copy made from nothing: the same jobs, each encoded alike in full
// and brief form. A change the digest missed would leave a stale entry
// here. The life below touches what the views show: starts, steps, CPU
// IDs, holds, updates, suspend, requeue, array tasks, cancels, the pass's
// estimates, ends and the purge.
TEST_F(JobSnapshotTest, AnIncrementalCopyHasAFullCopysBytes) {
  auto compare = [&](const std::string& after) {
    auto inc = snaps_.Get();
    JobSnapshots fresh_snaps(&runner_);
    auto fresh = fresh_snaps.Get();
    ASSERT_EQ(inc->jobs.size(), fresh->jobs.size()) << after;
    for (size_t i = 0; i < inc->jobs.size(); ++i) {
      EXPECT_EQ(inc->jobs[i]->keys.id, fresh->jobs[i]->keys.id) << after;
      EXPECT_EQ(inc->jobs[i]->wire, fresh->jobs[i]->wire)
          << after << ": job " << inc->jobs[i]->keys.id;
      EXPECT_EQ(inc->jobs[i]->brief, fresh->jobs[i]->brief) << after;
    }
  };
  auto submit = [&](const std::string& name, uint32_t nodes, uint32_t cpus, bool interactive,
                    const std::string& array = "") {
    SubmitRequest r;
    r.name = name;
    r.interactive = interactive;
    r.script = interactive ? "" : "#!/bin/sh\ntrue\n";
    r.work_dir = "/tmp";
    r.min_nodes = nodes;
    r.cpus_per_task = cpus;
    r.array = array;
    return SubmitAs(r, alice_);
  };
  auto act = [&](const std::string& what, const std::function<void(Controller&, int64_t)>& fn) {
    runner_.Run(fn);
    compare(what);
  };
  compare("nothing");
  uint64_t alloc = submit("alloc", 1, 2, /*interactive=*/true);
  uint64_t wide = submit("wide", 2, 8, false);  // waits for alloc's CPUs
  uint64_t held = Submit("held", bob_, /*hold=*/true);
  uint64_t arr = Submit("sweep", alice_, /*hold=*/true, "0-3");
  compare("submissions");
  act("a pass", [](Controller& c, int64_t now) { c.Schedule(now); });
  ASSERT_EQ(ctl_.jobs().at(alloc).state, JobState::kRunning);
  act("a step", [&](Controller& c, int64_t now) {
    StepRequest s;
    s.job = JobId(alloc);
    s.ntasks = 1;
    s.name = "hostname";
    EXPECT_EQ(c.CreateStep(s, alice_, now).error, "");
  });
  act("CPU IDs reported", [&](Controller& c, int64_t now) {
    NodeReport r;
    r.node = ctl_.jobs().at(alloc).alloc.at(0).node;
    r.running = {JobId(alloc)};
    r.job_cpus = {{JobId(alloc), {0, 1}}};
    EXPECT_TRUE(c.OnNodeReport(r, root_, now).ok());
  });
  act("the step's end", [&](Controller& c, int64_t now) {
    EXPECT_TRUE(c.CompleteJob(JobId(alloc), 0, 3, 0, alice_, now + 1).ok());
  });
  act("an update", [&](Controller& c, int64_t now) {
    JobChanges ch;
    ch.name = "renamed";
    ch.time_limit_min = 30;
    ch.comment = "note";
    EXPECT_TRUE(c.ModifyJob(JobId(held), ch, bob_, now).ok());
  });
  act("a release", [&](Controller& c, int64_t now) { c.Release({JobId(held)}, bob_, now); });
  act("a hold", [&](Controller& c, int64_t now) { c.Hold({JobId(held)}, true, bob_, now); });
  act("an array task split off", [&](Controller& c, int64_t now) {
    EXPECT_TRUE(c.ArrayTask(JobId(arr), 2, now).ok());
  });
  act("a suspend", [&](Controller& c, int64_t now) { c.Suspend({JobId(alloc)}, false, root_, now + 2); });
  act("a resume", [&](Controller& c, int64_t now) { c.Suspend({JobId(alloc)}, true, root_, now + 5); });
  act("a tick", [&](Controller& c, int64_t now) { c.Tick(now + 10); });
  act("a cancel", [&](Controller& c, int64_t now) {
    c.Cancel({JobId(alloc)}, 0, false, false, alice_, now + 20);
  });
  act("the node's word that it ended", [&](Controller& c, int64_t now) {
    NodeReport r;
    r.node = "n1";
    r.ended = {JobEnd{JobId(alloc), 0, 9}};
    EXPECT_TRUE(c.OnNodeReport(r, root_, now + 21).ok());
    r.node = "n2";
    EXPECT_TRUE(c.OnNodeReport(r, root_, now + 21).ok());
    c.Schedule(now + 21);  // `wide` may start now
  });
  act("a requeue", [&](Controller& c, int64_t now) { c.RequeueJobs({JobId(wide)}, false, root_, now + 30); });
  act("a pass", [](Controller& c, int64_t now) { c.Schedule(now + 31); });
  act("the purge", [](Controller& c, int64_t now) { c.Tick(now + 3600); });
  // The copies above shared what had not changed.
  EXPECT_LT(snaps_.total_converted(), snaps_.builds() * 5);
}

// The server renews the readers' copy after a scheduling pass only when
// job_changes moved, and after a node report only when a job of
// JobsAReportTouches shows something else (or job_changes moved), so a
// deep queue is not copied again for passes and heartbeats that change
// nothing. Both must see every change: a pass moves job_changes exactly
// when it changes what the copy shows of some job, and a report changes no
// job outside the ones it touches.
TEST_F(JobSnapshotTest, PassesAndReportsSayWhenTheyChangeWhatReadersSee) {
  auto digests = [&] {
    std::map<uint64_t, uint64_t> d;
    for (const auto& [id, j] : ctl_.jobs()) d[id] = ShownDigest(j, 0);
    return d;
  };
  auto pass = [&](int64_t at) {
    auto d0 = digests();
    const uint64_t c0 = ctl_.job_changes();
    runner_.Run([&](Controller& c, int64_t) { c.Schedule(at); });
    const bool moved = digests() != d0;
    EXPECT_EQ(ctl_.job_changes() != c0, moved) << "the pass at +" << at - kT0;
    return moved;
  };
  auto report = [&](const NodeReport& r, int64_t at) {
    auto d0 = digests();
    std::vector<uint64_t> touched = ctl_.JobsAReportTouches(r);
    runner_.Run([&](Controller& c, int64_t) { EXPECT_TRUE(c.OnNodeReport(r, root_, at).ok()); });
    std::vector<uint64_t> moved;
    for (const auto& [id, d] : digests())
      if (!d0.count(id) || d0.at(id) != d) moved.push_back(id);
    for (uint64_t id : moved)
      EXPECT_TRUE(std::binary_search(touched.begin(), touched.end(), id))
          << "job " << id << " changed by a report that does not name it";
    return moved;
  };
  auto submit = [&](const std::string& name, uint32_t nodes, uint32_t cpus, int64_t limit,
                    bool hold = false, const std::string& array = "") {
    SubmitRequest r = Request(name, hold, array);
    r.min_nodes = nodes;
    r.cpus_per_task = cpus;
    r.time_limit_set = true;
    r.time_limit_min = limit;
    return SubmitAs(r, alice_);
  };
  uint64_t big = submit("big", 2, 8, 10);     // fills both nodes
  uint64_t wide = submit("wide", 2, 8, 10);   // waits for big: a start estimate
  submit("small", 1, 1, 5);                   // waits behind wide
  submit("held", 1, 1, 5, /*hold=*/true);
  submit("sweep", 1, 1, 5, false, "0-3%1");
  EXPECT_TRUE(pass(kT0));  // big starts; the others get reasons and estimates
  ASSERT_EQ(ctl_.jobs().at(big).state, JobState::kRunning);
  ASSERT_GT(ctl_.jobs().at(wide).expected_start, 0);
  EXPECT_FALSE(pass(kT0));      // the same pass again changes nothing
  EXPECT_FALSE(pass(kT0 + 30)); // nor a periodic one later
  // A held job is left out of the plan: the pass itself shows it held,
  // without its estimate, and says so once; released, it is planned again.
  const int64_t estimate = ctl_.jobs().at(wide).expected_start;
  runner_.Run([&](Controller& c, int64_t now) {
    ASSERT_TRUE(c.Hold({JobId(wide)}, true, alice_, now)[0].error.empty());
  });
  EXPECT_TRUE(pass(kT0 + 30));
  {
    const Job& w = ctl_.jobs().at(wide);
    EXPECT_EQ(w.reason, JobReason::kJobHeldUser);
    EXPECT_EQ(w.expected_start, 0);
    EXPECT_TRUE(w.sched_nodes.empty());
    EXPECT_FALSE(w.backfill_eval);
  }
  EXPECT_FALSE(pass(kT0 + 30));
  runner_.Run([&](Controller& c, int64_t now) {
    ASSERT_TRUE(c.Release({JobId(wide)}, alice_, now)[0].error.empty());
  });
  EXPECT_TRUE(pass(kT0 + 30));
  EXPECT_EQ(ctl_.jobs().at(wide).expected_start, estimate);
  NodeReport beat;
  beat.node = "n1";
  beat.running = {JobId(big)};
  beat.job_cpus = {{JobId(big), {0, 1, 2, 3, 4, 5, 6, 7}}};
  EXPECT_EQ(report(beat, kT0 + 31), std::vector<uint64_t>{big});  // its CPU IDs, once
  EXPECT_TRUE(report(beat, kT0 + 33).empty());                      // a heartbeat
  NodeReport end;
  end.node = "n1";
  end.ended = {JobEnd{JobId(big), 0, 0}};
  EXPECT_EQ(report(end, kT0 + 40), std::vector<uint64_t>{big});
  EXPECT_TRUE(pass(kT0 + 40));  // wide starts
  EXPECT_EQ(ctl_.jobs().at(wide).state, JobState::kRunning);
  EXPECT_FALSE(pass(kT0 + 41));
}

// JobIndex follows every job into and out of the map: submissions, split
// array tasks, and the purge of finished jobs.
TEST_F(JobSnapshotTest, TheIndexFollowsTheJobMap) {
  uint64_t a = Submit("one", alice_, /*hold=*/true);
  uint64_t b = Submit("two", bob_, /*hold=*/true);
  const JobIndex& ix = ctl_.job_index();
  EXPECT_EQ(std::vector<uint64_t>(ix.OfUser(1001).begin(), ix.OfUser(1001).end()),
            std::vector<uint64_t>{a});
  EXPECT_EQ(std::vector<uint64_t>(ix.OfUser(1002).begin(), ix.OfUser(1002).end()),
            std::vector<uint64_t>{b});
  auto live = [&] {
    std::vector<uint64_t> ids;
    for (const auto& [id, j] : ix.LiveJobs()) ids.push_back(id);
    return ids;
  };
  EXPECT_EQ(live(), (std::vector<uint64_t>{a, b}));
  runner_.Run([&](Controller& c, int64_t now) { c.Cancel({JobId(a)}, 0, false, false, alice_, now); });
  // Finished but kept for MinJobAge: still in the map, no longer live.
  EXPECT_EQ(ctl_.jobs().count(a), 1u);
  EXPECT_EQ(live(), std::vector<uint64_t>{b});
  EXPECT_TRUE(ix.LiveMatches(ctl_.jobs()));
  runner_.Run([&](Controller& c, int64_t now) {
    c.Tick(now + 3600);  // long past MinJobAge: purged
  });
  EXPECT_EQ(ctl_.jobs().count(a), 0u);
  EXPECT_TRUE(ix.OfUser(1001).empty());
  EXPECT_EQ(ix.OfUser(1002).size(), 1u);
}

}  // namespace
}  // namespace sluice::ctld::rpc
