// Every option in sbatch's own option table is acted on, refused with an
// error, or documented in docs/CLI.md as inert (Slurm too does nothing with
// it on a cluster like ours). An option added to the table without a
// handler fails here (the parser reports "has no handler").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <map>
#include <sstream>

#include "cli/allocation.h"
#include "cli/sbatch_help.h"
#include "cli/srun_help.h"
#include "cli/sbatch_options.h"

namespace sluice::cli {
namespace {

// A value each option accepts (the default "x" suits free-text options).
const std::map<std::string, std::string> kSample = {
    {"time", "10"}, {"nodes", "2"}, {"ntasks", "2"}, {"cpus-per-task", "2"},
    {"ntasks-per-node", "2"}, {"tasks-per-node", "2"}, {"mem", "1G"}, {"mem-per-cpu", "1G"},
    {"mem-per-gpu", "1G"}, {"gpus", "1"}, {"gpus-per-task", "1"}, {"cpus-per-gpu", "1"},
    {"gpus-per-node", "1"}, {"gres", "gpu:1"}, {"begin", "now"}, {"signal", "USR1@60"},
    {"export", "NONE"}, {"open-mode", "append"}, {"mail-type", "END"}, {"nice", "5"},
    {"priority", "5"}, {"tmp", "0"}, {"threads-per-core", "1"}, {"exclusive", ""},
    {"kill-on-invalid-dep", "yes"}, {"no-kill", ""}, {"propagate", ""}, {"get-user-env", ""},
    {"deadline", "now+1hour"}, {"time-min", "5"}, {"licenses", "foo"}, {"array", "1-3"},
};

// Options documented as inert: accepted (some kept, for -v and the
// record), then used for nothing, as Slurm on this cluster does nothing
// with them.
const char* kInert[] = {"qos", "wckey", "bb", "cluster-constraint", "container", "ignore-pbs",
                        "mcs-label", "oversubscribe", "reboot", "use-min-nodes"};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OptionTableTest, EverySbatchOptionIsActedOnRefusedOrDocumentedInert) {
  const SbatchOptions untouched;
  std::vector<std::string> names = SbatchLongOptionNames();
  ASSERT_GT(names.size(), 60u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    std::string arg = "--" + name;
    auto it = kSample.find(name);
    std::string value = it != kSample.end() ? it->second : "x";
    SbatchOptions o;
    std::optional<CliFailure> f;
    // Options without an argument, or an optional one left out.
    f = ParseSbatchArgs({arg}, &o);
    if (f && f->usage_hint) {  // getopt: it needs an argument
      o = SbatchOptions();
      f = ParseSbatchArgs({arg + "=" + value}, &o);
    } else if (!value.empty() && !f && o == untouched) {
      o = SbatchOptions();
      f = ParseSbatchArgs({arg + "=" + value}, &o);
    }
    if (f) {
      // Refused: with a message, never the missing-handler one.
      ASSERT_FALSE(f->message.empty());
      EXPECT_THAT(f->message[0], ::testing::Not(::testing::HasSubstr("has no handler")));
      continue;
    }
    // Acted on: the parsed options changed (help, usage and version are
    // answered by sbatch itself). The -v record alone does not count.
    if (name != "verbose") {
      EXPECT_TRUE(o.shown.count(name) || name == "help" || name == "usage" ||
                  name == "version" || name == "workdir" || name == "tasks-per-node" ||
                  name == "jobname")
          << "--" << name << " is not in -v's dump";
      o.shown.clear();
    } else {
      o.shown.clear();
    }
    // An inert option (docs/CLI.md says why) may change nothing.
    bool inert = std::find_if(std::begin(kInert), std::end(kInert),
                              [&](const char* n) { return name == n; }) != std::end(kInert);
    if (!inert) EXPECT_FALSE(o == untouched) << "--" << name << " was accepted and changed nothing";
  }
}

TEST(OptionTableTest, EveryResourceOptionOfSrunAndSallocIsActedOnOrRefused) {
  const AllocRequest untouched;
  ASSERT_GT(kAllocLongOptions.size(), 10u);
  for (const option& o : kAllocLongOptions) {
    SCOPED_TRACE(o.name);
    auto it = kSample.find(o.name);
    std::string value = it != kSample.end() && !it->second.empty() ? it->second : "x";
    AllocRequest a;
    std::string error;
    ASSERT_TRUE(ParseAllocOption(o.val, o.has_arg == no_argument ? nullptr : value.c_str(), &a,
                                 &error))
        << "--" << o.name << " is in the table but has no handler";
    EXPECT_TRUE(!error.empty() || !(a == untouched))
        << "--" << o.name << " was accepted and changed nothing";
  }
}

TEST(OptionTableTest, InertOptionsAreDocumentedWithTheirReason) {
  std::string doc = Slurp(std::string(SLUICE_SOURCE_DIR) + "/docs/CLI.md");
  ASSERT_FALSE(doc.empty()) << "docs/CLI.md not found";
  auto start = doc.find("Inert, as in Slurm on a cluster like ours");
  ASSERT_NE(start, std::string::npos);
  std::string section = doc.substr(start, doc.find("\n\n", start) - start);
  for (const char* name : kInert)
    EXPECT_THAT(section, ::testing::HasSubstr(std::string("`--") + name)) << name;
}

TEST(OptionTableTest, RefusedOptionsSaySoWithSlurmsWords) {
  SbatchOptions o;
  auto f = ParseSbatchArgs({"--reservation=maint"}, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "Batch job submission failed: Requested reservation is invalid");
  f = ParseSbatchArgs({"--licenses=matlab"}, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "Batch job submission failed: Invalid license specification");
  f = ParseSbatchArgs({"--tmp=10G"}, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0],
            "Batch job submission failed: Requested node configuration is not available");
  f = ParseSbatchArgs({"--propagate"}, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "--propagate is not supported by this Sluice release");
  f = ParseSbatchArgs({"--mail-type=SOMETIMES"}, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "--mail-type=SOMETIMES invalid");
}

// Every SBATCH_* input variable of sbatch(1) goes through the option table:
// it sets what its option sets, or fails as its option fails.
TEST(OptionTableTest, InputVariablesActAsTheirOptions) {
  std::map<std::string, std::string> env = {{"SBATCH_OUTPUT", "o-%j.txt"},
                                            {"SBATCH_ERROR", "e.txt"},
                                            {"SBATCH_EXPORT", "NONE"},
                                            {"SBATCH_ARRAY_INX", "1-3%1"},
                                            {"SBATCH_TIMELIMIT", "10"},
                                            {"SBATCH_NO_REQUEUE", "1"},
                                            {"SBATCH_WAIT", "1"},
                                            {"SBATCH_MEM_PER_NODE", "2G"},
                                            {"SBATCH_OPEN_MODE", "append"}};
  auto get = [&](const char* k) -> const char* {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  SbatchOptions o;
  ASSERT_FALSE(ApplyInputEnv(get, &o));
  EXPECT_EQ(o.output, "o-%j.txt");
  EXPECT_EQ(o.error, "e.txt");
  EXPECT_EQ(o.export_env, "NONE");
  EXPECT_EQ(o.array, "1-3%1");
  EXPECT_EQ(o.time_limit_min, 10);
  EXPECT_EQ(o.requeue, 0);
  EXPECT_TRUE(o.wait);
  EXPECT_EQ(o.mem_mb, 2048u);
  EXPECT_EQ(o.open_mode, "append");
  EXPECT_EQ(o.shown["output"], "o-%j.txt");  // -v shows them as options
  env = {{"SBATCH_TIMELIMIT", "junk"}};
  auto f = ApplyInputEnv(get, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "Invalid --time specification");
  env = {{"SBATCH_RESERVATION", "maint"}};
  f = ApplyInputEnv(get, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "Batch job submission failed: Requested reservation is invalid");
  // sbatch(1)'s 53 input variables (its SBATCH_MEM_BIND_* outputs aside)
  // and SBATCH_HOLD.
  EXPECT_EQ(SbatchInputVariables().size(), 54u);
}

}  // namespace
// The help text and the option table name the same options: every option
// Slurm's `sbatch --help` shows is in the table (acted on, refused or
// inert, as the walk above checks), and every option of the table is in
// the help, or one Slurm accepts without listing it there.
TEST(OptionTableTest, HelpAndTableNameTheSameOptions) {
  std::vector<std::string> table = SbatchLongOptionNames();
  std::set<std::string> in_table(table.begin(), table.end());
  std::vector<std::string> help = SbatchHelpOptions();
  std::set<std::string> in_help(help.begin(), help.end());
  ASSERT_GT(in_help.size(), 80u);
  for (const auto& h : in_help) EXPECT_TRUE(in_table.count(h)) << "--" << h << " is in the help only";
  const std::set<std::string> unlisted = {"workdir", "tasks-per-node", "kill-on-invalid-dep",
                                          "test-only", "open-mode"};
  for (const auto& t : in_table)
    EXPECT_TRUE(in_help.count(t) || unlisted.count(t)) << "--" << t << " is in the table only";
}

// srun: its --help is Slurm's text; the options that text names but srun's
// table (srun_main.cc, allocation.cc) does not have yet are exactly these,
// each refused by getopt ("unrecognized option") until it is added here and
// to the table. docs/CLI.md says so.
TEST(OptionTableTest, SrunHelpAndTableDifferOnlyByTheKnownGaps) {
  std::string src = Slurp(std::string(SLUICE_SOURCE_DIR) + "/src/cli/srun_main.cc") +
                    Slurp(std::string(SLUICE_SOURCE_DIR) + "/src/cli/allocation.cc");
  ASSERT_FALSE(src.empty());
  std::set<std::string> table;
  std::regex entry("\\{\"([A-Za-z-]+)\", (no|required|optional)_argument");
  for (auto it = std::sregex_iterator(src.begin(), src.end(), entry); it != std::sregex_iterator();
       ++it)
    table.insert((*it)[1]);
  std::vector<std::string> help = SrunHelpOptions();
  std::set<std::string> help_only;
  for (const auto& h : help)
    if (!table.count(h)) help_only.insert(h);
  const std::set<std::string> gaps = {
      "account", "acctg-freq", "bb", "bbf", "bcast", "bcast-exclude", "begin",
      "cluster-constraint", "clusters", "comment", "compress", "container", "contiguous",
      "core-spec", "cores-per-socket", "cpu-freq", "cpus-per-gpu", "deadline", "delay-boot",
      "dependency", "disable-status", "epilog", "extra-node-info", "gpu-bind", "gpu-freq", "gpus",
      "gpus-per-socket", "gpus-per-task", "gres-flags", "het-group", "hold", "licenses",
      "mail-type", "mail-user", "mcs-label", "mem-per-cpu", "mem-per-gpu", "nice", "no-allocate",
      "no-kill", "ntasks-per-core", "ntasks-per-socket", "overcommit", "oversubscribe", "power",
      "preserve-env", "priority", "profile", "prolog", "propagate", "qos", "quit-on-interrupt",
      "reboot", "relative", "reservation", "resv-ports", "send-libs", "signal", "slurmd-debug",
      "sockets-per-node", "spread-job", "switches", "task-epilog", "task-prolog", "thread-spec",
      "threads", "threads-per-core", "time-min", "tmp", "use-min-nodes", "wckey"};
  EXPECT_EQ(help_only, gaps);
}

}  // namespace sluice::cli
