// The one option table of sbatch, srun and salloc (cli/job_options.h):
// every option each command takes is acted on, refused with an error, or
// documented in docs/CLI.md as inert (Slurm too does nothing with it on a
// cluster like ours); each command's --help names exactly its options;
// each input variable acts as its option.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli/job_help.h"
#include "cli/job_options.h"
#include "cli/query_help.h"

namespace sluice::cli {
namespace {

constexpr Command kCommands[] = {kSbatch, kSrun, kSalloc};

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
    {"ntasks-per-gpu", "2"}, {"mincpus", "2"}, {"sockets-per-node", "1"},
    {"cores-per-socket", "2"}, {"gpus-per-socket", "1"}, {"extra-node-info", "1:2"},
    {"wait", "5"}, {"jobid", "5"}, {"mpi", "none"}, {"cpu-bind", "cores"},
    {"kill-on-bad-exit", ""}, {"immediate", ""}, {"distribution", "cyclic"},
    {"hint", "nomultithread"}, {"mem-bind", "local"}, {"acctg-freq", "task=5"},
    {"wait-all-nodes", "1"}, {"het-group", "0"}, {"threads", "4"}, {"msg-timeout", "5"},
    {"ntasks-per-core", "1"}, {"ntasks-per-socket", "1"}, {"compress", ""}, {"resv-ports", ""},
    {"send-libs", ""}, {"gres-flags", "enforce-binding"}, {"gpu-bind", "closest"},
    {"gpu-freq", "high"}, {"cpu-freq", "high"}, {"delay-boot", "5"}, {"power", "level"},
    {"profile", "none"}, {"switches", "1"},
};

// Options documented as inert: accepted (their values checked as Slurm
// checks them), then used for nothing, as Slurm on this cluster does
// nothing with them.
const std::set<std::string> kInert = {
    "qos", "wckey", "bb", "cluster-constraint", "container", "ignore-pbs", "mcs-label",
    "oversubscribe", "reboot", "use-min-nodes", "network", "hint", "mem-bind", "acctg-freq",
    "wait-all-nodes", "het-group", "threads", "msg-timeout", "ntasks-per-core",
    "ntasks-per-socket", "compress", "resv-ports", "send-libs", "bcast-exclude", "accel-bind",
    "gres-flags", "gpu-bind", "gpu-freq", "cpu-freq", "delay-boot", "power", "profile",
    "switches", "threads-per-core", "mpi", "get-user-env" /* salloc's */};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OptionTableTest, EveryOptionOfEveryCommandIsActedOnRefusedOrDocumentedInert) {
  for (Command cmd : kCommands) {
    const JobOptions untouched;
    std::vector<std::string> names = LongOptionNames(cmd);
    ASSERT_GT(names.size(), 80u) << CommandName(cmd);
    for (const std::string& name : names) {
      SCOPED_TRACE(std::string(CommandName(cmd)) + " --" + name);
      std::string arg = "--" + name;
      auto it = kSample.find(name);
      std::string value = it != kSample.end() ? it->second : "x";
      JobOptions o;
      std::optional<CliFailure> f;
      // Options without an argument, or an optional one left out.
      f = ParseJobArgs(cmd, {arg}, &o);
      if (f && f->usage_hint) {  // getopt: it needs an argument
        o = JobOptions();
        f = ParseJobArgs(cmd, {arg + "=" + value}, &o);
      } else if (!value.empty() && !f && o == untouched) {
        o = JobOptions();
        f = ParseJobArgs(cmd, {arg + "=" + value}, &o);
      }
      if (!f) f = FinishOptions(cmd, &o);
      if (f) {
        // Refused: with a message, never a missing entry.
        ASSERT_FALSE(f->message.empty());
        EXPECT_THAT(f->message[0], ::testing::Not(::testing::HasSubstr("has no entry")));
        continue;
      }
      // Acted on: the parsed options changed. The -v record alone does not
      // count, and every option but the command's own talk is in it.
      bool talk = name == "help" || name == "usage" || name == "version" || name == "verbose";
      if (!talk) {
        EXPECT_TRUE(o.shown.count(name) || name == "tasks-per-node" || name == "cpu_bind" ||
                    name == "pack-group")
            << "not in -v's dump";
      }
      o.shown.clear();
      if (!kInert.count(name)) {
        EXPECT_FALSE(o == untouched) << "accepted and changed nothing";
      }
    }
  }
}

TEST(OptionTableTest, InertOptionsAreDocumentedWithTheirReason) {
  std::string doc = Slurp(std::string(SLUICE_SOURCE_DIR) + "/docs/CLI.md");
  ASSERT_FALSE(doc.empty()) << "docs/CLI.md not found";
  auto start = doc.find("## Options that are inert or refused");
  ASSERT_NE(start, std::string::npos);
  std::string section = doc.substr(start, doc.find("\n## ", start + 5) - start);
  for (const auto& name : kInert)
    EXPECT_THAT(section, ::testing::HasSubstr("`--" + name)) << name;
  // So are the refused ones.
  for (Command cmd : kCommands)
    for (const std::string& name : LongOptionNames(cmd)) {
      JobOptions o;
      auto it = kSample.find(name);
      auto f = ParseJobArgs(cmd, {"--" + name + "=" + (it != kSample.end() ? it->second : "x")}, &o);
      if (f && !f->message.empty() &&
          f->message[0].find("is not supported by this Sluice release") != std::string::npos) {
        EXPECT_THAT(section, ::testing::HasSubstr("`--" + name)) << CommandName(cmd) << " " << name;
      }
    }
}

TEST(OptionTableTest, RefusalsAreWordedAsEachCommandWordsThem) {
  auto first = [](Command cmd, std::vector<std::string> args) {
    JobOptions o;
    auto f = ParseJobArgs(cmd, args, &o);
    if (!f) return std::string("(accepted)");
    return f->message.empty() ? std::string("(getopt)") : f->message[0];
  };
  EXPECT_EQ(first(kSbatch, {"--reservation=maint"}),
            "Batch job submission failed: Requested reservation is invalid");
  EXPECT_EQ(first(kSrun, {"--reservation=maint"}),
            "Unable to allocate resources: Requested reservation is invalid");
  EXPECT_EQ(first(kSalloc, {"--reservation=maint"}),
            "Job submit/allocate failed: Requested reservation is invalid");
  EXPECT_EQ(first(kSbatch, {"--licenses=matlab"}),
            "Batch job submission failed: Invalid license specification");
  EXPECT_EQ(first(kSrun, {"--threads-per-core=2"}),
            "Socket, core and/or thread specification can not be satisfied");
  EXPECT_EQ(first(kSbatch, {"--propagate"}), "--propagate is not supported by this Sluice release");
  EXPECT_EQ(first(kSbatch, {"--mail-type=SOMETIMES"}), "--mail-type=SOMETIMES invalid");
  EXPECT_EQ(first(kSrun, {"--mail-type=SOMETIMES"}), "Invalid --mail-type specification");
  EXPECT_EQ(first(kSalloc, {"--mail-type=SOMETIMES"}), "Invalid --mail-type specification");
  EXPECT_EQ(first(kSrun, {"-W", "x"}), "Invalid numeric value \"x\" for --wait.");
  EXPECT_EQ(first(kSbatch, {"--hint=foo"}), "unrecognized --hint argument \"foo\", see --hint=help");
  EXPECT_EQ(first(kSrun, {"--acctg-freq=bad"}), "Invalid --acctg-freq specification: bad");
  EXPECT_EQ(first(kSrun, {"--mem-bind=bad"}), "unrecognized --mem-bind argument \"bad\"");
  EXPECT_EQ(first(kSbatch, {"--wait-all-nodes=x"}), "Invalid numeric value \"x\" for --wait-all-nodes.");
  EXPECT_EQ(first(kSalloc, {"--wait-all-nodes=5"}), "Invalid --wait-all-nodes specification");
  EXPECT_EQ(first(kSrun, {"--ntasks-per-gpu=0"}), "Invalid numeric value \"0\" for --ntasks-per-gpu.");
  EXPECT_EQ(first(kSrun, {"-T", "0"}), "Invalid numeric value \"0\" for --threads.");
  // Values as the reference Slurm read them (captured side by side).
  EXPECT_EQ(first(kSbatch, {"--priority=-5"}), "Priority must be >= 0");
  EXPECT_EQ(first(kSbatch, {"--exclusive=topo"}), "Invalid --exclusive specification");
  EXPECT_EQ(first(kSrun, {"--gpus=x"}), "Unable to allocate resources: Requested node configuration is not available");
  EXPECT_EQ(first(kSbatch, {"--cpus-per-gpu=x"}), "Invalid numeric value \"x\" for --cpus-per-gpu.");
  EXPECT_EQ(first(kSbatch, {"--threads-per-core=x"}), "Invalid numeric value \"x\" for --threads-per-core.");
  EXPECT_EQ(first(kSrun, {"--kill-on-bad-exit=x"}), "Invalid numeric value \"x\" for --kill-on-bad-exit.");
  EXPECT_EQ(first(kSalloc, {"--kill-command=BOGUS"}), "Invalid --kill-command specification");
  {
    JobOptions p;
    ASSERT_FALSE(ParseJobArgs(kSbatch, {"--nice=5x", "--priority=abc"}, &p));
    EXPECT_EQ(p.nice, 5);
    EXPECT_FALSE(p.priority);  // 0 or unreadable: no fixed priority
    ASSERT_FALSE(ParseJobArgs(kSbatch, {"--priority=TOP"}, &p));
    EXPECT_EQ(p.priority, 0xfffffffeu);
    p = JobOptions();
    ASSERT_FALSE(ParseJobArgs(kSbatch, {"--gpus-per-task=1"}, &p));
    auto g = FinishOptions(kSbatch, &p);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->message[0], "Failed to validate job spec. --gpus-per-task used without either "
                             "--gpus or -n/--ntasks is not allowed.");
  }
  // Slurm 22.05's aliases, and only those.
  EXPECT_EQ(first(kSrun, {"--cpu_bind=none"}), "(accepted)");
  EXPECT_EQ(first(kSrun, {"--pack-group=0"}), "(accepted)");
  EXPECT_EQ(first(kSbatch, {"--tasks-per-node=2"}), "(accepted)");
  EXPECT_EQ(first(kSbatch, {"--workdir=/tmp"}), "(getopt)");
  unsetenv("DISPLAY");
  EXPECT_EQ(first(kSrun, {"--x11"}), "No DISPLAY variable set, cannot setup x11 forwarding.");
  // Each command's own options only.
  EXPECT_EQ(first(kSalloc, {"--array=1-3"}), "(getopt)");
  EXPECT_EQ(first(kSbatch, {"--pty"}), "(getopt)");
  EXPECT_EQ(first(kSalloc, {"--output=x"}), "(getopt)");
  // The same letter means what each command means by it.
  JobOptions o;
  ASSERT_FALSE(ParseJobArgs(kSbatch, {"-W"}, &o));
  EXPECT_TRUE(o.wait);
  o = JobOptions();
  ASSERT_FALSE(ParseJobArgs(kSrun, {"-W", "7"}, &o));
  EXPECT_EQ(o.wait_s, 7u);
  EXPECT_EQ(first(kSalloc, {"-K"}), "--kill-command is not supported by this Sluice release");
  o = JobOptions();
  ASSERT_FALSE(ParseJobArgs(kSrun, {"-K"}, &o));
  EXPECT_TRUE(o.kill_on_bad_exit);
  // --batch must name features among --constraint's, in any order given.
  o = JobOptions();
  ASSERT_FALSE(ParseJobArgs(kSbatch, {"--batch=a", "-C", "a&b"}, &o));
  EXPECT_FALSE(FinishOptions(kSbatch, &o));
  o = JobOptions();
  ASSERT_FALSE(ParseJobArgs(kSbatch, {"--batch=c", "-C", "a&b"}, &o));
  auto f = FinishOptions(kSbatch, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0],
            "Batch job submission failed: Job --batch option is invalid or not a subset of "
            "--constraints");
}

// Each input variable goes through its option's handler: it sets what its
// option sets, or fails as its option fails.
TEST(OptionTableTest, InputVariablesActAsTheirOptions) {
  std::map<std::string, std::string> env;
  auto get = [&](const char* k) -> const char* {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  env = {{"SBATCH_OUTPUT", "o-%j.txt"}, {"SBATCH_ERROR", "e.txt"},
         {"SBATCH_EXPORT", "NONE"},     {"SBATCH_ARRAY_INX", "1-3%1"},
         {"SBATCH_TIMELIMIT", "10"},    {"SBATCH_NO_REQUEUE", "1"},
         {"SBATCH_WAIT", "1"},          {"SBATCH_MEM_PER_NODE", "2G"},
         {"SBATCH_OPEN_MODE", "append"}, {"SBATCH_OVERCOMMIT", "1"}};
  JobOptions o;
  ASSERT_FALSE(ApplyInputEnv(kSbatch, get, &o));
  EXPECT_EQ(o.output, "o-%j.txt");
  EXPECT_EQ(o.error, "e.txt");
  EXPECT_EQ(o.export_env, "NONE");
  EXPECT_EQ(o.array, "1-3%1");
  EXPECT_EQ(o.time_limit_min, 10);
  EXPECT_EQ(o.requeue, 0);
  EXPECT_TRUE(o.wait);
  EXPECT_EQ(o.mem_mb, 2048u);
  EXPECT_EQ(o.open_mode, "append");
  EXPECT_TRUE(o.overcommit);
  EXPECT_EQ(o.shown["output"], "o-%j.txt");  // -v shows them as options
  env = {{"SBATCH_TIMELIMIT", "junk"}};
  auto f = ApplyInputEnv(kSbatch, get, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "Invalid --time specification");
  env = {{"SBATCH_RESERVATION", "maint"}};
  f = ApplyInputEnv(kSbatch, get, &o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->message[0], "Batch job submission failed: Requested reservation is invalid");

  env = {{"SLURM_STDOUTMODE", "out.txt"}, {"SLURM_STDERRMODE", "err.txt"},
         {"SLURM_STDINMODE", "none"},     {"SLURM_EXPORT_ENV", "NONE"},
         {"SLURM_LABELIO", "1"},          {"SLURM_WAIT", "9"},
         {"SRUN_CPUS_PER_TASK", "3"},     {"SLURM_OVERCOMMIT", "1"}};
  o = JobOptions();
  ASSERT_FALSE(ApplyInputEnv(kSrun, get, &o));
  EXPECT_EQ(o.output, "out.txt");
  EXPECT_EQ(o.error, "err.txt");
  EXPECT_EQ(o.input, "none");
  EXPECT_EQ(o.export_env, "NONE");
  EXPECT_TRUE(o.label);
  EXPECT_EQ(o.wait_s, 9u);
  EXPECT_EQ(o.cpus_per_task, 3u);
  EXPECT_TRUE(o.overcommit);
  // Another command's variables mean nothing to it.
  env = {{"SBATCH_PARTITION", "x"}, {"SALLOC_PARTITION", "y"}};
  o = JobOptions();
  ASSERT_FALSE(ApplyInputEnv(kSrun, get, &o));
  EXPECT_FALSE(o.partition);
  ASSERT_FALSE(ApplyInputEnv(kSalloc, get, &o));
  EXPECT_EQ(o.partition, "y");
  env = {{"SALLOC_NO_BELL", "1"}, {"SALLOC_TIMELIMIT", "1:00:00"}};
  o = JobOptions();
  ASSERT_FALSE(ApplyInputEnv(kSalloc, get, &o));
  EXPECT_EQ(o.bell, false);
  EXPECT_EQ(o.time_limit_min, 60);
}

// The input variables each man page (INPUT ENVIRONMENT VARIABLES) lists
// for an option, and which of them Sluice's table has. Those left out are
// not options (SLURM_CONF, SLURM_EXIT_ERROR, ...) or are read where srun
// decides its counts (SLURM_NTASKS, SLURM_NNODES, SLURM_JOB_NAME inside an
// allocation; srun_main.cc).
TEST(OptionTableTest, InputVariablesAreTheManPagesOnes) {
  auto vars = [](Command c) {
    auto v = InputVariables(c);
    return std::set<std::string>(v.begin(), v.end());
  };
  // sbatch(1)'s 53 option variables (SBATCH_WAIT listed twice there) and
  // SBATCH_HOLD.
  EXPECT_EQ(vars(kSbatch).size(), 54u);
  EXPECT_EQ(vars(kSalloc).size(), 44u);
  EXPECT_EQ(vars(kSrun).size(), 70u);
  for (const char* v : {"SBATCH_OUTPUT", "SBATCH_ERROR", "SBATCH_ARRAY_INX", "SBATCH_EXPORT",
                        "SBATCH_TIMELIMIT", "SBATCH_HOLD", "SBATCH_BATCH"})
    EXPECT_TRUE(vars(kSbatch).count(v)) << v;
  for (const char* v : {"SLURM_STDOUTMODE", "SLURM_STDERRMODE", "SLURM_STDINMODE",
                        "SLURM_EXPORT_ENV", "SLURM_PROLOG", "SLURM_EPILOG", "SLURM_DEPENDENCY"})
    EXPECT_TRUE(vars(kSrun).count(v)) << v;
  for (const char* v : {"SALLOC_BELL", "SALLOC_NO_BELL", "SALLOC_KILL_CMD", "SALLOC_IMMEDIATE"})
    EXPECT_TRUE(vars(kSalloc).count(v)) << v;
}

// Each command's --help names exactly the options the table gives it,
// apart from those Slurm 22.05 accepts without listing them there (its man
// pages document them).
TEST(OptionTableTest, HelpAndTableNameTheSameOptions) {
  const std::map<Command, std::set<std::string>> unlisted = {
      {kSbatch, {"tasks-per-node", "kill-on-invalid-dep", "test-only", "open-mode",
                 "acctg-freq", "batch", "hint", "mem-bind", "network", "ntasks-per-gpu",
                 "prefer", "wait-all-nodes"}},
      {kSrun, {"tasks-per-node", "cpu_bind", "pack-group", "interactive", "x11", "nodefile",
               "test-only", "uid", "gid", "cpu-bind", "hint",
               "mem-bind", "network", "ntasks-per-gpu", "prefer", "msg-timeout",
               "accel-bind"}},
      {kSalloc, {"tasks-per-node", "x11", "acctg-freq", "hint", "mem-bind", "network",
                 "no-shell", "ntasks-per-gpu", "prefer", "wait-all-nodes"}},
  };
  for (Command cmd : kCommands) {
    SCOPED_TRACE(CommandName(cmd));
    std::vector<std::string> table = LongOptionNames(cmd);
    std::set<std::string> in_table(table.begin(), table.end());
    std::vector<std::string> help = HelpOptionNames(cmd);
    std::set<std::string> in_help(help.begin(), help.end());
    ASSERT_GT(in_help.size(), 70u);
    for (const auto& h : in_help) EXPECT_TRUE(in_table.count(h)) << "--" << h << " is in the help only";
    for (const auto& t : in_table)
      EXPECT_TRUE(in_help.count(t) || unlisted.at(cmd).count(t)) << "--" << t << " is in the table only";
  }
}

// The help and usage texts are Slurm's, byte for byte.
TEST(OptionTableTest, HelpAndUsageAreSlurmsText) {
  auto stdout_of = [](const std::string& file) {
    std::string text = Slurp(std::string(SLUICE_SOURCE_DIR) + "/tests/reference/slurm-22.05/" + file);
    size_t a = text.find("# ---- stdout ----\n");
    size_t b = text.find("# ---- stderr ----");
    EXPECT_NE(a, std::string::npos) << file << " is missing";
    if (a == std::string::npos || b == std::string::npos) return std::string("(missing)");
    a += 19;
    return text.substr(a, b - a);
  };
  EXPECT_EQ(HelpText(kSbatch), stdout_of("golden/01_sbatch_help.txt"));
  EXPECT_EQ(UsageText(kSbatch), stdout_of("golden/01_sbatch_usage.txt"));
  EXPECT_EQ(HelpText(kSrun), stdout_of("golden/01_srun_help.txt"));
  EXPECT_EQ(UsageText(kSrun), stdout_of("extra/11_srun_usage.txt"));
  EXPECT_EQ(HelpText(kSalloc), stdout_of("extra/11_salloc_help.txt"));
  EXPECT_EQ(UsageText(kSalloc), stdout_of("extra/11_salloc_usage.txt"));
  EXPECT_EQ(SqueueHelp(), stdout_of("golden/01_squeue_help.txt"));
  EXPECT_EQ(SqueueUsage(), stdout_of("extra/11_squeue_usage.txt"));
  EXPECT_EQ(SinfoHelp(), stdout_of("golden/01_sinfo_help.txt"));
  EXPECT_EQ(SinfoUsage(), stdout_of("extra/11_sinfo_usage.txt"));
}

}  // namespace
}  // namespace sluice::cli
