// Byte-for-byte comparison with real Slurm 22.05: each case runs the exact
// command of a capture in ../shared/reference/slurm-22.05/golden against a
// Sluice cluster configured like the reference one (n[1-4], 8 CPUs, 4 GPUs;
// partitions g2 and short) and compares stdout, stderr and the exit code.
// Job IDs are the only thing normalised, field by field: the ID the
// capture printed is replaced by the one this run printed (Slurm's captures
// share one ID sequence across sections).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "ref_cluster.h"
#include "test_cluster.h"

namespace sluice::testing {

const std::string kRef = SLUICE_REFERENCE_DIR;

namespace {
const std::string kRefConf = std::string("ClusterName=refcluster\n") + kTestConfHeader + R"(MinJobAge=300
LaunchParameters=use_interactive_step
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=8 RealMemory=4000 Gres=gpu:4 State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT2@ CPUs=8 RealMemory=4000 Gres=gpu:4 State=UNKNOWN
NodeName=n3 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT3@ CPUs=8 RealMemory=4000 Gres=gpu:4 State=UNKNOWN
NodeName=n4 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT4@ CPUs=8 RealMemory=4000 Gres=gpu:4 State=UNKNOWN
PartitionName=g2 Nodes=n[1-4] Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=n[1-2] Default=NO MaxTime=00:30:00 DefaultTime=00:10:00 State=UP
)";
}  // namespace

// A cluster like the reference one; nullptr when the captures are missing.
std::unique_ptr<TestCluster> StartRefCluster(const std::string& extra) {
  struct stat st;
  if (stat((kRef + "/golden/raw").c_str(), &st) != 0) return nullptr;
  ClusterOptions o;
  o.conf_text = kRefConf + extra;
  return TestCluster::Start(o);
}

std::string SortedLines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  std::sort(lines.begin(), lines.end());
  return absl::StrJoin(lines, "\n") + (lines.empty() ? "" : "\n");
}

void ForEachCapturedCommand(const std::string& capture,
                            const std::function<void(const std::string&, const std::string&)>& fn) {
  std::string cmd, want;
  for (absl::string_view line : absl::StrSplit(capture, '\n')) {
    if (absl::StartsWith(line, "=== ")) {
      if (!cmd.empty()) fn(cmd, want);
      cmd = std::string(line.substr(4));
      want.clear();
    } else if (!cmd.empty()) {
      absl::StrAppend(&want, line, "\n");
    }
  }
  while (absl::EndsWith(want, "\n\n")) want.pop_back();
  if (!cmd.empty()) fn(cmd, want);
}

int CompareCaptured(const TestCluster& c, const std::string& name, const CaptureCheck& check,
                    const std::string& dir) {
  int compared = 0;
  ForEachCapturedCommand(CapturedSection(name, "stdout"),
                         [&](const std::string& cmd, const std::string& want) {
    std::string got = c.Run((dir.empty() ? "" : "cd " + dir + " && ") + cmd + " 2>&1; echo rc=$?").out;
    if (check) check(cmd, got, want);
    else EXPECT_EQ(got, want) << cmd;
    ++compared;
  });
  return compared;
}

}  // namespace sluice::testing

namespace sluice::testing {
namespace {




struct Case {
  const char* name;
  bool ids_vary;              // stdout carries job IDs
  const char* setup = nullptr;  // a capture whose command must run first
  // Lines arrive as the tasks print them (srun -l): compared sorted, with
  // the reference machine's host name ("vm", what `hostname` printed on
  // each of its nodes) standing for this machine's.
  bool unordered = false;
  // Run on a terminal as the capture was (script(1) gives it one): with the
  // capture's TERM (04_env_submit_side) in the capture's directory, so that
  // bash's prompt and line editing come out as they did there.
  bool terminal = false;
  // A timestamp field ("to start at 2026-…T…") differs by nature: it takes
  // the value of the same field in this run.
  bool times = false;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// Every capture whose output does not depend on the state of Slurm's queue
// at capture time, nor on features of later issues (arrays, dependencies,
// --test-only, scontrol, srun).
const Case kCases[] = {
    {"01_sbatch_version", false},
    {"01_sbatch_help", false},
    {"01_sbatch_usage", false},
    {"01_srun_help", false},
    {"01_squeue_version", false},
    {"02_sbatch_success", true},
    {"02_sbatch_wrap", true},
    {"02_sbatch_parsable", true},
    {"02_sbatch_parsable_wrap", true},
    {"02_sbatch_stdin", true},
    {"02_sbatch_directives", true},
    {"02_sbatch_bad_partition", false},
    {"02_sbatch_bad_partition_parsable", false},
    {"02_sbatch_bad_time", false},
    {"02_sbatch_bad_time2", false},
    {"02_sbatch_bad_time_neg", true},
    {"02_sbatch_missing_script", false},
    {"02_sbatch_no_script_no_stdin", false},
    {"02_sbatch_empty_script", false},
    {"02_sbatch_no_shebang", false},
    {"02_sbatch_gpn_abc", false},
    {"02_sbatch_gpn_neg", false},
    {"02_sbatch_gpn_zero", true},
    {"02_sbatch_gpn_too_many", false},
    {"02_sbatch_gpn_type", false},
    {"02_sbatch_gres_bad", false},
    {"02_sbatch_too_many_nodes", true},
    {"02_sbatch_too_many_cpus", false},
    {"02_sbatch_too_much_mem", false},
    {"02_sbatch_bad_option", false},
    {"02_sbatch_wrap_and_script", false},
    {"02_sbatch_bad_array", false},
    {"02_sbatch_bad_dependency", true},
    {"02_sbatch_bad_output_dir", true},
    {"02_time_formats_accepted", true},
    {"02_time_formats_shown", true, "02_time_formats_accepted"},
    {"02_scancel_held", false, "02_time_formats_accepted"},
    {"03_out_default", true},
    {"03_out_named", true},
    {"03_out_x", true},
    {"03_out_j", true},
    {"03_out_x_j", true},
    {"03_out_err_split", true},
    {"03_out_array", true},
    {"03_out_array_default", true},
    {"03_out_N_u", true},
    {"06_squeue_job_bad", false},
    {"06_squeue_job_badfmt", false},
    {"06_squeue_states_bad", false},
    {"06_squeue_states_noarg", false},
    {"06_squeue_user_bad", false},
    {"06_squeue_partition_bad", false},
    {"07_scancel_badid", false},
    {"07_scancel_noargs", false},
    {"07_scancel_nonexistent", false},
    {"07_scancel_nonexistent_v", false},
    {"06_scontrol_job_bad", false},
    {"06_scontrol_partition", false},
    {"09_sinfo_default", false},
    {"09_sinfo_N", false},
    {"09_sinfo_gres", false},
    {"07_scancel_signal", false},
    {"07_scancel_signal_full", false},
    {"05_srun_true", false},
    {"05_srun_false", false},
    {"05_srun_exit3", false},
    {"05_srun_missing_exe", false},
    {"05_srun_no_cmd", false},
    {"05_srun_signal", true},
    {"05_srun_stdin", false},
    {"05_srun_bad_part", false},
    {"05_srun_gpn_too_many", false},
    {"05_srun_N2", false, nullptr, true},
    {"05_srun_hostname_n4", false, nullptr, true},
    {"01_squeue_help", false},
    {"01_sinfo_help", false},
    {"01_scancel_help", false},
    {"02_sbatch_test_only", true, nullptr, false, false, true},
    {"05_salloc_interactive", true, nullptr, false, true},
    {"05_srun_pty", true, nullptr, false, true},
};


std::string Command(const std::string& name) {
  std::ifstream in(kRef + "/golden/" + name + ".txt");
  std::string line;
  std::getline(in, line);
  const std::string prefix = "# command: ";
  return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : "";
}

// The fields that hold job IDs, in order: "Submitted batch job N", a
// --parsable "N" line, "job N", "Job N", "JobId=N", "StepId=N.", a
// "... N" at the end of a line (squeue -h -o '%l %i' style listings), or
// what the interactive captures echo of $SLURM_JOB_ID.
std::vector<std::pair<size_t, size_t>> IdFields(const std::string& text) {
  static const std::regex kId(
      "(?:^|\n)([0-9]+)(?=\n|;)|[Jj]ob (?:allocation )?([0-9]+)|JobId=([0-9]+)|"
      "StepId=([0-9]+)|(?:^|\n)[^\n]* ([0-9]+)(?=\n)|(?:^|\n)([0-9]+)(?= )|"
      "(?:IN-ALLOC|PTY-OK) ([0-9]+)");  // the 05_* sessions echo their job's ID
  std::vector<std::pair<size_t, size_t>> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kId); it != std::sregex_iterator();
       ++it)
    for (size_t g = 1; g < it->size(); ++g)
      if ((*it)[g].matched) out.push_back({static_cast<size_t>(it->position(g)), static_cast<size_t>((*it)[g].length())});
  return out;
}

// `theirs` as a whole number (no digit on either side) replaced by `ours`.
std::string MapIdsExactly(const std::string& want, const std::string& theirs,
                          const std::string& ours) {
  std::string out;
  size_t i = 0;
  while (i < want.size()) {
    bool starts = want.compare(i, theirs.size(), theirs) == 0 &&
                  (i == 0 || !std::isdigit(static_cast<unsigned char>(want[i - 1]))) &&
                  (i + theirs.size() == want.size() ||
                   !std::isdigit(static_cast<unsigned char>(want[i + theirs.size()])));
    if (starts) {
      out += ours;
      i += theirs.size();
    } else {
      out += want[i++];
    }
  }
  return out;
}

// Job IDs differ between the capture and this run and nothing else may:
// each ID field of the capture takes the value of the same field in this
// run's output (field by field, not by rewriting every digit).
std::string MapIds(const std::string& want, const std::string& got) {
  auto w = IdFields(want), g = IdFields(got);
  if (w.size() != g.size()) return want;  // the comparison then fails
  std::string out;
  size_t at = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    out += want.substr(at, w[i].first - at);
    out += got.substr(g[i].first, g[i].second);
    at = w[i].first + w[i].second;
  }
  return out + want.substr(at);
}

class GoldenTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    cluster_ = StartRefCluster().release();
    if (!cluster_) return;
    for (const char* s : {"job.sh", "directives.sh", "empty.sh", "noshebang.sh",
                          "envdump.sh"}) {
      std::ifstream in(kRef + "/golden/scripts/" + s);
      std::ofstream(cluster_->work() + "/" + s) << in.rdbuf();
    }
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static TestCluster* cluster_;
};
TestCluster* GoldenTest::cluster_ = nullptr;

TEST_P(GoldenTest, MatchesSlurm) {
  const Case& c = GetParam();
  struct stat st;
  ASSERT_EQ(stat((kRef + "/golden/raw").c_str(), &st), 0)
      << "reference captures not found at " << kRef;
  ASSERT_NE(cluster_, nullptr);
  std::string raw = kRef + "/golden/raw/" + c.name;
  std::string cmd = Command(c.name);
  ASSERT_FALSE(cmd.empty());
  if (c.setup) {
    // Cases run in a fresh cluster each (one test process per case), so a
    // capture that looks at earlier submissions replays them first.
    ASSERT_EQ(cluster_->Run(Command(c.setup)).rc, 0);
  }
  if (c.terminal) {
    mkdir("/tmp/slurm-golden-work", 0755);
    cmd = "cd /tmp/slurm-golden-work && export TERM=xterm && " + cmd;
  }
  auto r = cluster_->Run(cmd);
  std::string want_out = Slurp(raw + ".stdout"), want_err = Slurp(raw + ".stderr");
  if (c.times) {
    static const std::regex kTime("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}");
    std::smatch theirs, ours;
    if (std::regex_search(want_err, theirs, kTime) && std::regex_search(r.err, ours, kTime))
      want_err = absl::StrReplaceAll(want_err, {{theirs.str(), ours.str()}});
  }
  if (c.terminal) {  // the prompt names the reference machine ("vm")
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::string mine(host);
    want_out = absl::StrReplaceAll(want_out, {{"root@vm:", "root@" + mine.substr(0, mine.find('.')) + ":"}});
    // `tty` names whichever pseudo-terminal was free, there and here.
    std::smatch theirs, ours;
    static const std::regex kPts("/dev/pts/[0-9]+");
    if (std::regex_search(want_out, theirs, kPts) && std::regex_search(r.out, ours, kPts))
      want_out = absl::StrReplaceAll(want_out, {{theirs.str(), ours.str()}});
  }
  if (c.ids_vary) {
    EXPECT_FALSE(IdFields(want_out + want_err).empty()) << "no job ID in the capture of " << c.name;
    want_out = MapIds(want_out, r.out);
    want_err = MapIds(want_err, r.err);
  }
  if (c.unordered) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::string mine(host);
    mine = mine.substr(0, mine.find('.'));
    std::string mapped;
    for (absl::string_view line : absl::StrSplit(want_out, '\n', absl::SkipEmpty()))
      absl::StrAppend(&mapped, absl::EndsWith(line, ": vm") ? absl::StrCat(line.substr(0, line.size() - 2), mine)
                                                             : std::string(line),
                      "\n");
    want_out = SortedLines(mapped);
    r.out = SortedLines(r.out);
  }
  EXPECT_EQ(r.out, want_out) << cmd;
  EXPECT_EQ(r.err, want_err) << cmd;
  EXPECT_EQ(r.rc, std::stoi(Slurp(raw + ".rc"))) << cmd;
}

INSTANTIATE_TEST_SUITE_P(Captures, GoldenTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// 09_drain_node's first part: sinfo after a drain is deterministic; the
// timestamp of sinfo -R is normalised.
TEST(GoldenDrainTest, DrainShowsInSinfoAsInSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr) << "no captures at " << kRef << ", or the cluster did not start";
  auto r = c->Run("scontrol update nodename=n4 state=drain reason='golden test'; sinfo; sinfo -R");
  std::string want = Slurp(kRef + "/golden/raw/09_drain_node.stdout");
  want = want.substr(0, want.find("NodeName=n4"));
  auto stamp = [](const std::string& s) {
    return std::regex_replace(s, std::regex("[0-9]{4}-[0-9-]+T[0-9:]+"), "TS");
  };
  EXPECT_EQ(stamp(r.out), stamp(want));
  EXPECT_EQ(c->Run("scontrol update nodename=n4 state=resume; sinfo").out,
            Slurp(kRef + "/golden/raw/09_resume_node.stdout"));
  EXPECT_EQ(c->Run("scontrol update nodename=n4 state=drain").err,
            "slurm_update error: You must specify a reason when DOWNING or DRAINING a "
            "node. Request denied\n");
}

// The batch environment, key by key, against 04_env_batch*: values that
// differ by nature (paths, IDs, pids, hosts, which free GPU) are masked.
std::string MaskEnv(const std::string& text) {
  static const std::set<std::string> kMasked = {
      "SLURM_CONF", "SLURM_JOBID", "SLURM_JOB_ID", "SLURM_TASK_PID", "SLURM_SUBMIT_DIR",
      "SLURM_SUBMIT_HOST", "SLURM_WORKING_CLUSTER", "CUDA_VISIBLE_DEVICES",
      "GPU_DEVICE_ORDINAL", "SLURM_JOB_GPUS", "SLURM_CLUSTER_NAME", "SLURM_SRUN_COMM_PORT",
      "SLURM_STEP_LAUNCHER_PORT", "SLURM_STEP_GPUS", "SLURM_UMASK"};
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // "0: KEY=value" in labelled srun output.
    std::string label;
    if (auto colon = line.find(": "); colon != std::string::npos && colon < 4 &&
                                      std::isdigit(static_cast<unsigned char>(line[0]))) {
      label = line.substr(0, colon + 2);
      line = line.substr(colon + 2);
    }
    auto eq = line.find('=');
    std::string key = line.substr(0, eq);
    // Slurm's heterogeneous-job leftover, not set by Sluice.
    if (key == "SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0") continue;
    out += label + (kMasked.count(key) ? key + "=*\n" : line + "\n");
  }
  return out;
}

// srun -v's lines, against 11_srun_v_exit3: the same lines (the job ID
// mapped), in arrival order there and in node order here, so compared
// sorted; Slurm's plugin-loading and debug lines are its internals. Its
// "cpu counts: 2(x1),1(x1)" is -N2 -n3 laid out as Slurm does: two tasks
// and CPUs on the first node, one on the second.
TEST(GoldenVerboseTest, SrunVerboseLinesMatchSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr);
  std::string cmd = CapturedCommand("11_srun_v_exit3");
  ASSERT_FALSE(cmd.empty());
  auto r = c->Run(cmd);
  EXPECT_EQ(r.rc, 3);
  std::smatch theirs, ours;
  std::string capture = CapturedSection("11_srun_v_exit3", "stderr");
  static const std::regex kStep("StepId=([0-9]+)");
  ASSERT_TRUE(std::regex_search(capture, theirs, kStep));
  ASSERT_TRUE(std::regex_search(r.err, ours, kStep)) << r.err;
  auto keep = [](const std::string& text) {
    std::string out;
    for (absl::string_view l : absl::StrSplit(text, '\n'))
      if (!l.empty() && !absl::StrContains(l, "route/default"))
        absl::StrAppend(&out, l, "\n");
    return out;
  };
  EXPECT_EQ(SortedLines(keep(r.err)),
            SortedLines(keep(MapIdsExactly(capture, theirs[1].str(), ours[1].str()))));
}

TEST(GoldenEnvTest, BatchEnvironmentMatchesSlurm) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr) << "no captures at " << kRef << ", or the cluster did not start";
  for (const char* s : {"envdump.sh", "stepenv2.sh"}) {
    std::ifstream in(kRef + "/golden/scripts/" + s);
    std::ofstream(c->work() + "/" + s) << in.rdbuf();
  }
  std::string direct = c->Run(Command("04_env_srun_plain")).out;
  EXPECT_EQ(MaskEnv(direct), MaskEnv(Slurp(kRef + "/golden/raw/04_env_srun_plain.stdout")));
  // salloc's command runs locally with the allocation's variables; its
  // own lines name the job (IDs mapped field by field).
  auto salloc = c->Run(Command("04_env_salloc"));
  EXPECT_EQ(MaskEnv(salloc.out), MaskEnv(Slurp(kRef + "/golden/raw/04_env_salloc.stdout")));
  EXPECT_EQ(salloc.err, MapIds(Slurp(kRef + "/golden/raw/04_env_salloc.stderr"), salloc.err));
  EXPECT_EQ(salloc.rc, 0);
  for (const char* name : {"04_env_batch", "04_env_batch_gpu", "04_env_batch_2node"}) {
    std::string cmd = Command(std::string(name) + "_submit");
    ASSERT_FALSE(cmd.empty()) << name;
    auto r = c->Run(cmd);
    ASSERT_EQ(r.rc, 0) << cmd << r.err;
    uint64_t id = std::stoull(r.out);
    ASSERT_TRUE(c->WaitFor([&] {
      std::string s = c->JobState(id);
      return s == "COMPLETED" || s == "FAILED";
    }, 30)) << name;
    // The srun step's lines come in any order from two nodes, as in Slurm.
    auto sorted = [](const std::string& t) {
      std::vector<std::string> lines = absl::StrSplit(t, '\n');
      std::sort(lines.begin(), lines.end());
      return absl::StrJoin(lines, "\n");
    };
    std::string out_cmd = Command(name);  // "cat env-....out"
    auto got = c->Run(out_cmd);
    EXPECT_EQ(sorted(MaskEnv(got.out)),
              sorted(MaskEnv(Slurp(kRef + "/golden/raw/" + name + ".stdout"))))
        << name;
  }
}

}  // namespace
}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// The 03_* captures' files: the same submissions, in the capture's order, on
// a fresh cluster; once every job has ended, the names and contents of the
// files they wrote must be the captured ones (03_output_listing and
// 03_output_contents, restricted to those submissions), with each captured
// job ID replaced by the ID this run printed for the same submission, the
// host's short name for the reference host's, and the work directory.
TEST(GoldenFilesTest, OutputFilesMatchTheCaptures) {
  auto c = StartRefCluster();
  ASSERT_NE(c, nullptr) << "no captures at " << kRef << ", or the cluster did not start";
  std::vector<std::pair<uint64_t, std::string>> subs;  // captured ID, capture
  for (const char* name : {"03_out_default", "03_out_named", "03_out_x", "03_out_j", "03_out_x_j",
                           "03_out_err_split", "03_out_N_u", "03_out_array", "03_out_array_default",
                           "03_out_dir_relative"})
    subs.push_back({std::stoull(Slurp(kRef + "/golden/raw/" + name + ".stdout")), name});
  std::sort(subs.begin(), subs.end());
  std::map<std::string, std::string> ids;  // captured -> ours
  for (const auto& [theirs, name] : subs) {
    auto r = c->Run(Command(name));
    ASSERT_EQ(r.rc, 0) << name << ": " << r.err;
    ids[std::to_string(theirs)] = r.out.substr(0, r.out.find('\n'));
  }
  ASSERT_TRUE(TestCluster::WaitFor([&] { return c->Run("squeue -h").out.empty(); }, 60));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::string shorthost = std::string(host).substr(0, std::string(host).find('.'));
  auto ours = [&](std::string text) {
    for (const auto& [theirs, mine] : ids) text = MapIdsExactly(text, theirs, mine);
    text = std::regex_replace(text, std::regex("(^|\\n)vm-"), "$1" + shorthost + "-");
    return std::regex_replace(text, std::regex("/tmp/slurm-golden-work"), c->work());
  };
  auto mine = [&](const std::string& file) {  // a file of these submissions?
    if (file == "example.out" || file == "myname.out" || file == "sub" || file == "---" ||
        file.rfind("sub/", 0) == 0 || file.rfind("slurm-36", 0) == 0)
      return true;
    for (const auto& [theirs, _] : ids)
      if (MapIdsExactly(file, theirs, "#") != file) return true;
    return false;
  };
  std::string want_listing;
  for (absl::string_view l : absl::StrSplit(Slurp(kRef + "/golden/raw/03_output_listing.stdout"), '\n',
                                            absl::SkipEmpty()))
    if (mine(std::string(l))) absl::StrAppend(&want_listing, l, "\n");
  EXPECT_EQ(c->Run(Command("03_output_listing")).out, ours(want_listing));
  std::string want_contents;
  bool keep = false;
  for (absl::string_view l : absl::StrSplit(Slurp(kRef + "/golden/raw/03_output_contents.stdout"), '\n',
                                            absl::SkipEmpty())) {
    if (absl::StartsWith(l, "== ")) keep = mine(std::string(l.substr(3)));
    if (keep) absl::StrAppend(&want_contents, l, "\n");
  }
  EXPECT_EQ(c->Run(Command("03_output_contents")).out, ours(want_contents));
}

}  // namespace
}  // namespace sluice::testing
