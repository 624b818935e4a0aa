// The 06_* and 07_* captures of a busy queue, whole listings included:
// golden.sh's submissions (setup/golden.sh in the reference) are replayed in
// its order on a cluster whose job IDs start where the capture's did
// (FirstJobId=60), so IDs compare as they are. Each capture's command then
// runs in golden.sh's order (some submit, release or cancel jobs that later
// captures show) and its stdout, stderr and exit code must be the captured
// bytes, with only what differs by nature taken from this run, token by
// token: running times, dates, priorities (Slurm numbers them by
// submissions since it started), a node's load, free memory, port and
// kernel, the submitting session's ID, alice's uid, the work directory.
#include <gtest/gtest.h>
#include <pwd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_replace.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

const std::string kWork = "/tmp/slurm-golden-work";

std::string Raw(const std::string& name, const std::string& which) {
  return Slurp(kRef + "/golden/raw/" + name + "." + which);
}

std::string RawCommand(const std::string& name) {
  std::string text = Slurp(kRef + "/golden/" + name + ".txt");
  const std::string prefix = "# command: ";
  if (text.rfind(prefix, 0) != 0) return "";
  return text.substr(prefix.size(), text.find('\n') - prefix.size());
}

// Values that differ by nature, masked the same way in both texts.
std::string MaskKeys(std::string s) {
  static const std::regex kKeyed(
      "(CPULoad|FreeMem|Port|AllocNode:Sid|BootTime|SlurmdStartTime|LastBusyTime|"
      "LastSchedEval)=[^ \n]*");
  static const std::regex kOs("OS=[^\n]*");
  static const std::regex kHeaderDate("^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}\n");
  s = std::regex_replace(s, kKeyed, "$1=*");
  s = std::regex_replace(s, kOs, "OS=*");
  return std::regex_replace(s, kHeaderDate, "DATE\n");
}

// `want` with each token that varies by nature replaced by the token at the
// same place in `got` when that one has the same shape; nothing else moves,
// so any other difference still fails the comparison.
std::string TakeVarying(const std::string& want, const std::string& got,
                        const std::set<std::string>& running) {
  static const std::regex kToken("[^ \n|=,()@\\[\\]]+");
  static const std::regex kDate("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}");
  static const std::regex kPrio("42949[0-9]{5}|0\\.99998[0-9]{9}");
  static const std::regex kElapsed("([0-9]+-)?([0-9]+:)?[0-9]+:[0-9]{2}");
  std::vector<std::pair<size_t, size_t>> w, g;
  for (auto [text, out] : {std::pair{&want, &w}, std::pair{&got, &g}})
    for (auto it = std::sregex_iterator(text->begin(), text->end(), kToken);
         it != std::sregex_iterator(); ++it)
      out->push_back({static_cast<size_t>(it->position()), static_cast<size_t>(it->length())});
  if (w.size() != g.size()) return want;  // the comparison then fails
  std::string out;
  size_t at = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    std::string a = want.substr(w[i].first, w[i].second), b = got.substr(g[i].first, g[i].second);
    bool vary = (std::regex_match(a, kDate) && std::regex_match(b, kDate)) ||
                (std::regex_match(a, kPrio) && std::regex_match(b, kPrio)) ||
                (running.count(a) && std::regex_match(b, kElapsed));
    out += want.substr(at, w[i].first - at);
    at = w[i].first + w[i].second;
    if (!vary) {
      out += a;
      continue;
    }
    // A longer or shorter value keeps its column: the padding after it
    // (left-justified) or before it (right-justified) gives or takes.
    size_t after = 0;
    while (at + after < want.size() && want[at + after] == ' ') ++after;
    size_t before = 0;
    while (before < out.size() && out[out.size() - 1 - before] == ' ') ++before;
    if (b.size() > a.size()) {
      size_t d = b.size() - a.size();
      if (after > d) at += d;
      else if (before > d) out.resize(out.size() - d);
      out += b;
    } else {
      size_t d = a.size() - b.size();
      if (after > 0) out += b + std::string(d, ' ');
      else out += (before > 0 ? std::string(d, ' ') : std::string()) + b;
    }
  }
  return out + want.substr(at);
}

class GoldenQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureUser("alice"));
    c_ = StartRefCluster(absl::StrCat("FirstJobId=", FirstJobId(), "\n"));
    ASSERT_NE(c_, nullptr) << "no captures at " << kRef << ", or the cluster did not start";
    struct passwd* pw = getpwnam("alice");
    ASSERT_NE(pw, nullptr);
    alice_uid_ = pw->pw_uid;
  }

  // Where the capture's section began numbering.
  virtual int FirstJobId() const { return 60; }

  // Submits as golden.sh's sub() does; returns the job ID.
  std::string Sub(const std::string& args, const std::string& user = "") {
    auto r = c_->Run("sbatch --parsable " + args, user);
    EXPECT_EQ(r.rc, 0) << args << ": " << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }

  // Runs capture `name`'s command (as alice for golden.sh's capa) and
  // compares it with the capture, less the lines `drop` picks in both.
  void Check(const std::string& name, const std::string& user = "",
             const std::function<bool(absl::string_view)>& drop = nullptr) {
    std::string cmd = RawCommand(name);
    ASSERT_FALSE(cmd.empty()) << name;
    auto r = c_->Run(cmd, user);
    auto keep = [&](const std::string& text) {
      if (!drop) return text;
      std::string out;
      for (absl::string_view l : absl::StrSplit(text, '\n'))
        if (!drop(l)) absl::StrAppend(&out, l, "\n");
      return out.substr(0, out.size() - 1);
    };
    r.out = keep(r.out);
    auto ours = [&](std::string want, const std::string& got) {
      want = keep(want);
      want = absl::StrReplaceAll(want, {{kWork, c_->work()},
                                        {"alice(1001)", absl::StrCat("alice(", alice_uid_, ")")}});
      // The capture's running times and times left (jobs ran 34 s and 16 s).
      static const std::set<std::string> kRunning = {"0:34", "0:16", "00:00:34", "00:00:16",
                                                     "364-23:59:44", "9:26"};
      return TakeVarying(MaskKeys(want), MaskKeys(got), kRunning);
    };
    EXPECT_EQ(MaskKeys(r.out), ours(Raw(name, "stdout"), r.out)) << name << ": " << cmd;
    EXPECT_EQ(MaskKeys(r.err), ours(Raw(name, "stderr"), r.err)) << name << ": " << cmd;
    EXPECT_EQ(r.rc, std::stoi(Raw(name, "rc"))) << name << ": " << cmd;
  }

  bool Running(const std::string& id) { return c_->WaitForState(std::stoull(id), "RUNNING", 30); }

  std::unique_ptr<TestCluster> c_;
  uid_t alice_uid_ = 0;
};

TEST_F(GoldenQueueTest, BusyQueueListingsMatchSlurm) {
  // golden.sh's "06" section: four jobs fill the 16 GPUs, short1 takes two
  // CPUs in short, then jobs that wait for each of Slurm's reasons.
  // The fill jobs start in one scheduling pass, as the capture's did in one
  // second: the waiting jobs' estimates are their end (a year on, having no
  // limit), and starts a second apart would reorder --start's ties.
  ASSERT_EQ(c_->Run("scontrol update PartitionName=g2 State=DOWN").rc, 0);
  std::vector<std::string> fill;
  for (int i = 1; i <= 4; ++i)
    fill.push_back(Sub(absl::StrCat("-J fill", i, " --gpus-per-node=4 --wrap 'sleep 600'")));
  ASSERT_EQ(fill[0], "60");
  ASSERT_EQ(c_->Run("scontrol update PartitionName=g2 State=UP").rc, 0);
  std::string short1 = Sub("-J short1 -p short -c 2 --wrap 'sleep 600'");
  std::string r1 = Sub("-J needgpu --gpus-per-node=2 --wrap 'sleep 60'");
  Sub("-J behind1 --gpus-per-node=1 --wrap 'sleep 60'");
  Sub("-J behind2 -N 2 --gpus-per-node=1 --wrap 'sleep 60'");
  Sub("-J held --hold --wrap 'sleep 60'");
  Sub("-J dep --dependency=afterok:" + r1 + " --wrap 'sleep 60'");
  Sub("-J toolong -p short -t 2:00:00 --wrap 'sleep 60'");
  Sub("-J begin --begin=now+1hour --wrap 'sleep 60'");
  Sub("-J alicejob --gpus-per-node=1 --wrap 'sleep 60'", "alice");
  std::string alicerun = Sub("-J alicerun -c 1 --wrap 'sleep 600'", "alice");
  for (const std::string& id : {fill[0], fill[1], fill[2], fill[3], short1, alicerun})
    ASSERT_TRUE(Running(id)) << id;
  std::string starts = c_->Run("squeue -h -n fill1,fill2,fill3,fill4 -o %S").out;
  ASSERT_EQ(std::set<std::string>(absl::StrSplit(starts, '\n', absl::SkipEmpty())).size(), 1u) << starts;
  // Every pending reason settled (Slurm's capture waited for a backfill pass).
  ASSERT_TRUE(TestCluster::WaitFor(
      [&] { return c_->Run("squeue -h -j " + r1 + " -o %r").out == "Resources\n"; }, 30));
  // 06_squeue_immediately is not replayed: it shows Slurm before its first
  // scheduling pass (every job pending); Sluice schedules at submission.
  // --states=all also lists the reference's jobs of earlier sections
  // (IDs below 60), which this run did not replay.
  std::function<bool(absl::string_view)> earlier = [](absl::string_view l) {
    static const std::regex kEarlier(" *[0-9]{1,2}(_[0-9]+)? .*");
    uint64_t id = 0;
    return std::regex_match(l.begin(), l.end(), kEarlier) &&
           absl::SimpleAtoi(l.substr(0, l.find_first_of(" _", l.find_first_not_of(' '))), &id) &&
           id < 60;
  };
  for (const char* name :
       {"06_squeue_default", "06_squeue_all", "06_squeue_job", "06_squeue_job_short",
        "06_squeue_user_root", "06_squeue_user_alice", "06_squeue_me", "06_squeue_fmt",
        "06_squeue_fmt_widths", "06_squeue_fmt_more", "06_squeue_Format", "06_squeue_long",
        "06_squeue_noheader", "06_squeue_states_pd", "06_squeue_states_r",
        "06_squeue_states_pending_running", "06_squeue_states_all", "06_squeue_partition",
        "06_squeue_name", "06_squeue_nodelist", "06_squeue_sort", "06_squeue_start",
        "06_squeue_steps", "06_squeue_array", "06_sinfo_busy", "06_sinfo_N_l_busy",
        "06_scontrol_job_pending", "06_scontrol_job_running", "06_scontrol_job_held",
        "06_scontrol_job_oneliner", "06_scontrol_node_busy", "06_scontrol_node_all",
        "06_scontrol_partition"})
    Check(name, "", name == std::string("06_squeue_states_all") ? earlier : std::function<bool(absl::string_view)>());
  Check("06_scancel_perm_denied");
  Check("06_scancel_other_user", "alice");
  // Released, "held" runs here at once on n1's free CPUs; Slurm's main
  // scheduler leaves it behind the blocked needgpu until its next backfill
  // pass (30 s later), so its line is the reference's timing, not a rule.
  auto held_line = [](absl::string_view l) { return absl::StrContains(l, " held ") || absl::StartsWith(l, "68 "); };
  Check("06_scontrol_release", "", held_line);
  Check("06_squeue_as_alice", "alice", held_line);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// squeue -O, every job field Slurm 22.05 has and the format's syntax,
// against extra/12_squeue_O (a running and a held job; see its header).
TEST(GoldenSqueueFormatTest, EveryLongFormatFieldAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  auto run = c->Run("sbatch --parsable -J runner -n 2 --gpus-per-node=1 --mem=200 -t 10 "
                    "--comment=hello -o /dev/null --wrap 'sleep 300'");
  ASSERT_EQ(run.rc, 0) << run.err;
  ASSERT_EQ(c->Run("sbatch --parsable -J waiter --hold -t 1:00:00 -p short -o /dev/null --wrap true").rc, 0);
  ASSERT_TRUE(c->WaitForState(std::stoull(run.out), "RUNNING", 30));
  // Values that are the reference's own: its slurmdbd gave jobs an account,
  // association and QOS (associations are issue 13); the submitting host
  // and session; when the scheduler last looked; seconds pending.
  // And tres-alloc: the reference's SelectTypeParameters=CR_Core leaves
  // memory out of what a job holds; Sluice always allocates (and confines)
  // the memory a job asks for, and shows it.
  const std::set<std::string> kHeaderOnly = {"Account", "AssocID", "QOS", "AllocNodes",
                                             "AllocSID", "LastSchedEval", "PendingTime",
                                             "tres-alloc"};
  std::string capture = CapturedSection("12_squeue_O", "stdout");
  int compared = 0;
  ForEachCapturedCommand(capture, [&](const std::string& cmd, const std::string& want) {
    auto r = c->Run(cmd + " 2>&1; echo rc=$?");
    // The work directory, keeping the column's width.
    std::string w = std::regex_replace(want, std::regex("/tmp/ocap {0,80}"), "@WORK@");
    std::string pad = cmd.find("WorkDir:44") != std::string::npos && c->work().size() < 44
                          ? std::string(44 - c->work().size(), ' ')
                          : "";
    w = absl::StrReplaceAll(w, {{"@WORK@", c->work() + pad}});
    static const std::regex kField("JobID:4,([A-Za-z_-]+):44");
    std::smatch m;
    if (std::regex_search(cmd, m, kField) && kHeaderOnly.count(m[1].str())) {
      EXPECT_EQ(r.out.substr(0, r.out.find('\n')), w.substr(0, w.find('\n'))) << cmd;
    } else {
      // The running job's time used and left (it had run a second).
      EXPECT_EQ(r.out, TakeVarying(w, r.out, {"0:01", "9:59"})) << cmd;
    }
    ++compared;
  });
  EXPECT_GE(compared, 127);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// The 09_* views of an idle cluster that carry the machine's own values
// (load, free memory, kernel, boot and start times, ports, the clock):
// those are masked, every other byte must be Slurm's.
TEST(GoldenIdleViewsTest, SinfoLongSummaryAndShowNodeAsSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  for (const char* name : {"09_sinfo_long", "09_sinfo_s", "09_scontrol_node_n1",
                           "09_scontrol_node_all"}) {
    auto r = c->Run(RawCommand(name));
    std::string want = MaskKeys(Raw(name, "stdout"));
    EXPECT_EQ(MaskKeys(r.out), TakeVarying(want, MaskKeys(r.out), {})) << name;
    EXPECT_EQ(r.err, Raw(name, "stderr")) << name;
    EXPECT_EQ(r.rc, std::stoi(Raw(name, "rc"))) << name;
  }
  // -i: the view again every second, a blank line between rounds (head
  // stops it after the second round's first line).
  EXPECT_EQ(c->Run("sinfo -h -i 1 | head -n 4").out,
            "g2*          up   infinite      4   idle n[1-4]\nshort        up      30:00      2   idle n[1-2]\n"
            "\ng2*          up   infinite      4   idle n[1-4]\n");
  // A drained node's reason line names who drained it and when.
  auto r = c->Run("scontrol update nodename=n4 state=drain reason='golden test'; scontrol show node n4");
  std::string want = Raw("09_drain_node", "stdout");
  want = want.substr(want.find("NodeName=n4"));
  EXPECT_EQ(MaskKeys(r.out), TakeVarying(MaskKeys(want), MaskKeys(r.out), {}));
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// golden.sh's "07" section: its submissions in order on a cluster whose IDs
// start at the capture's (76), each capture's command run in its order.
// 07_scancel_signal and _full (compared on their own in GoldenTest, they
// wait seconds on purpose) are stood in for by a job each, so the IDs after
// them stay the capture's.
class GoldenScancelTest : public GoldenQueueTest {
 protected:
  int FirstJobId() const override { return 76; }
};

TEST_F(GoldenScancelTest, ScancelSectionMatchesSlurm) {
  std::string j = Sub("-J tocancel --wrap 'sleep 600'");
  ASSERT_EQ(j, "76");
  ASSERT_TRUE(Running(j));
  Check("07_scancel_own_running");
  // (golden.sh waited 0.3 s: the job had left the default view.)
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c_->JobState(76) == "CANCELLED"; }, 30));
  Check("07_squeue_after_cancel");
  ASSERT_EQ(Sub("-J pendcancel --hold --wrap true"), "77");
  Check("07_scancel_own_pending");
  for (const char* name : {"07_scancel_nonexistent", "07_scancel_nonexistent_v", "07_scancel_badid"})
    Check(name);
  std::string quick = Sub("-J quick --wrap true");
  ASSERT_EQ(quick, "78");
  ASSERT_TRUE(c_->WaitForState(78, "COMPLETED", 30));
  for (const char* name : {"07_scancel_completed", "07_scancel_completed_v", "07_scancel_noargs",
                           "07_scancel_verbose"})
    Check(name);
  for (const char* id : {"80", "81"}) {  // the two signal captures' jobs
    ASSERT_EQ(Sub("--wrap true"), id);
    ASSERT_TRUE(c_->WaitForState(std::stoull(id), "COMPLETED", 30));
  }
  for (const char* name : {"07_scancel_user", "07_scancel_name", "07_scancel_state",
                           "07_scancel_array_task", "07_scancel_cancelled_output"})
    Check(name);
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// The state letters ("R", "S", "T", ...) of the processes of job `id` of
// the cluster configured by `conf` (found by SLURM_JOB_ID and SLURM_CONF in
// their environment: other tests' clusters run a job 1 too); `seen`, if
// given, gets each one's pid, name and state. (A zombie's environment
// reads empty: a child that ended under a stopped shell is not counted.)
std::vector<char> JobProcessStates(uint64_t id, const std::string& conf,
                                   std::string* seen = nullptr) {
  std::vector<char> out;
  const std::string want = absl::StrCat("SLURM_JOB_ID=", id), cluster = "SLURM_CONF=" + conf;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string env = Slurp("/proc/" + pid + "/environ");
    bool job = false, ours = false;
    for (absl::string_view v : absl::StrSplit(env, '\0')) {
      job |= v == want;
      ours |= v == cluster;
    }
    if (!job || !ours) continue;
    std::string stat = Slurp("/proc/" + pid + "/stat");
    size_t close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size()) out.push_back(stat[close + 2]);
    if (seen) absl::StrAppend(seen, stat.substr(0, close == std::string::npos ? 40 : close + 3), "\n");
  }
  return out;
}

// scontrol suspend/resume against extra/12_scontrol_suspend: who may, the
// refusals, the state and SuspendTime lines. Instead of the capture's
// "sleep 2; count lines" checks, the job's processes are read: all stopped
// (T) while suspended, none once resumed.
TEST(GoldenSuspendTest, SuspendAndResumeAsSlurm) {
  ASSERT_TRUE(EnsureUser("sluicebob"));
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  auto j = c->Run("sbatch --parsable -J susp -o susp.out --wrap 'for i in $(seq 1 3000); do echo $i; sleep 0.1; done'");
  ASSERT_EQ(j.out, "1\n") << j.err;
  ASSERT_EQ(c->Run("sbatch --parsable -J held -H -o /dev/null --wrap true").out, "2\n");
  ASSERT_TRUE(c->WaitForState(1, "RUNNING", 30));
  // The capture's job had run a second before it was suspended.
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h -j 1 -o %M").out != "0:00\n"; }, 10));
  auto stopped = [&] {
    auto s = JobProcessStates(1, c->conf());
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char x) { return x == 'T'; });
  };
  auto going = [&] {
    auto s = JobProcessStates(1, c->conf());
    return !s.empty() && std::none_of(s.begin(), s.end(), [](char x) { return x == 'T'; });
  };
  int compared = 0;
  ForEachCapturedCommand(CapturedSection("12_scontrol_suspend", "stdout"),
                         [&](const std::string& line, const std::string& want) {
    std::string user = line.substr(1, line.find(']') - 1);
    std::string cmd = line.substr(line.find(']') + 2);
    if (absl::StrContains(cmd, "sleep 2")) {  // the capture's frozen/running check
      EXPECT_TRUE(TestCluster::WaitFor(absl::StrContains(want, "frozen") ? std::function<bool()>(stopped)
                                                                          : std::function<bool()>(going),
                                       10))
          << cmd << "\n" << [&] {
               std::string seen;
               JobProcessStates(1, c->conf(), &seen);
               return seen;
             }();
      return;
    }
    auto r = c->Run(cmd + " 2>&1; echo rc=$?", user == "root" ? "" : user);
    // (How long it had run before the suspend: a second or two.)
    static const std::regex kPre("SecsPreSuspend=[12]\\b");
    r.out = std::regex_replace(r.out, kPre, "SecsPreSuspend=1");
    EXPECT_EQ(r.out, TakeVarying(want, r.out, {})) << "[" << user << "] " << cmd;
    ++compared;
  });
  EXPECT_EQ(compared, 18);
  // Suspended time is not run time, and a cancel ends a suspended job.
  ASSERT_EQ(c->Run("scontrol suspend 1").rc, 0);
  EXPECT_TRUE(TestCluster::WaitFor(stopped, 10));
  EXPECT_EQ(c->Run("scancel 1").rc, 0);
  EXPECT_TRUE(TestCluster::WaitFor([&] { return c->JobState(1) == "CANCELLED"; }, 30));
}

}  // namespace
}  // namespace sluice::testing
