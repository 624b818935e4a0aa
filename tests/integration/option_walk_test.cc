// Walks every command's option table -- for squeue, sinfo, scancel,
// scontrol, sshare and sprio their own (read from their source: the `{"name", ..._argument,
// ...}` entries of src/cli/<command>_main.cc), for srun and salloc the one
// job option table (cli/job_options.h) -- and runs each option against a
// real cluster. Every option must have a handler: one added to a table
// without one makes the command say "has no handler" and fail here. None
// may crash the command. What each handler does is tested elsewhere
// (option_table_test, the command suites).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include <getopt.h>

#include "cli/job_options.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

struct Opt {
  std::string name;
  bool takes_value;
};

std::vector<Opt> TableOf(const std::string& source) {
  std::string text = Slurp(std::string(SLUICE_SOURCE_DIR) + "/src/cli/" + source);
  EXPECT_FALSE(text.empty()) << source;
  std::regex entry("\\{\"([A-Za-z-]+)\", (no|required|optional)_argument");
  std::vector<Opt> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), entry);
       it != std::sregex_iterator(); ++it)
    out.push_back({(*it)[1], (*it)[2] == "required"});
  return out;
}

// A value each option accepts where "1" would not do.
const std::map<std::string, std::string> kValue = {
    {"time", "5"},           {"partition", "g2"},   {"nodelist", "mlmini-g2-ghpc-0"},
    {"exclude", "nosuch"},   {"chdir", "/tmp"},     {"nodefile", "/dev/null"},
    {"signal", "USR1"},      {"state", "PD"},       {"states", "PD"},
    {"format", "%i"},        {"Format", "NodeList"}, {"sort", "i"},
    {"user", "root"},        {"gres", "gpu:1"},
    // Room for the step's own processes (a sanitizer build's stepd too).
    {"mem", "200M"},         {"mem-per-cpu", "200M"}, {"mem-per-gpu", "200M"},
    {"export", "ALL"},       {"mpi", "none"},       {"input", "none"},
    {"output", "/dev/null"}, {"error", "/dev/null"}, {"clusters", "cluster"},
    {"cluster", "cluster"},  {"nodes", "1"},        {"jobid", "999999"},
    {"job", "999999"},       {"jobs", "999999"},    {"name", "x"},
    {"jobname", "x"},        {"job-name", "x"},     {"constraint", "x"},
    {"begin", "now"},
};

// Where each option goes on a command line that otherwise works.
struct Command {
  const char* name;
  std::vector<const char*> sources;  // none: the job option table
  const char* tail;  // what follows the option
  std::set<std::string> skip;  // with the reason in the table below
};

const Command kCommands[] = {
    // --iterate repeats until stopped (GoldenIterateTest and
    // GoldenIdleViewsTest read two rounds).
    {"squeue", {"squeue_main.cc"}, "", {"iterate"}},
    {"sinfo", {"sinfo_main.cc"}, "", {"iterate"}},
    {"scancel", {"scancel_main.cc"}, " 999999", {}},
    {"scontrol", {"scontrol_main.cc"}, " show partition", {}},
    {"sshare", {"sshare_main.cc"}, "", {}},
    {"sprio", {"sprio_main.cc"}, "", {}},
    // --pty needs a terminal (PtyTest drives one under tmux); --no-shell
    // would leave its allocation behind.
    // -H/--hold waits until released (SubmitOptionsTest releases one).
    {"srun", {}, " -N1 true", {"pty", "hold"}},
    {"salloc", {}, " -N1 true", {"no-shell", "hold"}},
};

TEST(OptionWalkTest, EveryOptionOfEveryCommandHasAHandler) {
  auto cluster = TestCluster::Start();
  ASSERT_NE(cluster, nullptr);
  for (const Command& cmd : kCommands) {
    std::vector<Opt> opts;
    for (const char* src : cmd.sources)
      for (const Opt& o : TableOf(src)) opts.push_back(o);
    if (cmd.sources.empty()) {
      cli::Command which = std::string(cmd.name) == "srun" ? cli::kSrun : cli::kSalloc;
      for (const cli::OptionDef& d : cli::JobOptionTable())
        if (d.commands & which) opts.push_back({d.name, d.has_arg == required_argument});
    }
    ASSERT_FALSE(opts.empty()) << cmd.name;
    for (const Opt& o : opts) {
      if (cmd.skip.count(o.name)) continue;
      std::string arg = "--" + o.name;
      if (o.takes_value) {
        auto v = kValue.find(o.name);
        arg += "=" + (v != kValue.end() ? v->second : std::string("1"));
      }
      std::string line = std::string(cmd.name) + " " + arg + cmd.tail + " </dev/null";
      SCOPED_TRACE(line);
      auto r = cluster->Run("timeout 60 " + line);
      EXPECT_NE(r.rc, 124) << "did not finish";
      EXPECT_THAT(r.err, ::testing::Not(::testing::HasSubstr("has no handler")));
      // A signal (bash's 128+N, e.g. SIGSEGV) is a crash; 255 is Slurm's
      // own exit code for a bad option value.
      EXPECT_TRUE(r.rc < 128 || r.rc == 255) << "crashed: " << r.err;
    }
  }
}

}  // namespace
}  // namespace sluice::testing
