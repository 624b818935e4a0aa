// Walks every command's own option table (read from its source: the
// `{"name", ..._argument, ...}` entries of src/cli/<command>_main.cc, and
// allocation.cc for the resource options srun and salloc share) and runs
// each option against a real cluster. Every option must have a handler:
// one added to a table without one makes the command say "has no handler"
// and fail here. None may crash the command. What each handler does is
// tested elsewhere (option_table_test for sbatch, the command suites).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

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
    {"exclude", "nosuch"},   {"chdir", "/tmp"},     {"workdir", "/tmp"},
    {"signal", "USR1"},      {"state", "PD"},       {"states", "PD"},
    {"format", "%i"},        {"Format", "NodeList"}, {"sort", "i"},
    {"user", "root"},        {"mem", "10M"},        {"gres", "gpu:1"},
    {"export", "ALL"},       {"mpi", "none"},       {"input", "none"},
    {"output", "/dev/null"}, {"error", "/dev/null"}, {"clusters", "cluster"},
    {"cluster", "cluster"},  {"nodes", "1"},        {"jobid", "999999"},
    {"job", "999999"},       {"jobs", "999999"},    {"name", "x"},
    {"jobname", "x"},        {"job-name", "x"},     {"constraint", "x"},
};

// Where each option goes on a command line that otherwise works.
struct Command {
  const char* name;
  std::vector<const char*> sources;
  const char* tail;  // what follows the option
  std::set<std::string> skip;  // with the reason in the table below
};

const Command kCommands[] = {
    {"squeue", {"squeue_main.cc"}, "", {}},
    {"sinfo", {"sinfo_main.cc"}, "", {}},
    {"scancel", {"scancel_main.cc"}, " 999999", {}},
    {"scontrol", {"scontrol_main.cc"}, " show partition", {}},
    // --pty needs a terminal (PtyTest drives one under tmux).
    {"srun", {"srun_main.cc", "allocation.cc"}, " -N1 true", {"pty"}},
    {"salloc", {"salloc_main.cc", "allocation.cc"}, " -N1 true", {}},
};

TEST(OptionWalkTest, EveryOptionOfEveryCommandHasAHandler) {
  auto cluster = TestCluster::Start();
  ASSERT_NE(cluster, nullptr);
  for (const Command& cmd : kCommands) {
    std::vector<Opt> opts;
    for (const char* src : cmd.sources)
      for (const Opt& o : TableOf(src)) opts.push_back(o);
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
      auto r = cluster->Run(line);
      EXPECT_THAT(r.err, ::testing::Not(::testing::HasSubstr("has no handler")));
      // A signal (bash's 128+N, e.g. SIGSEGV) is a crash; 255 is Slurm's
      // own exit code for a bad option value.
      EXPECT_TRUE(r.rc < 128 || r.rc == 255) << "crashed: " << r.err;
    }
  }
}

}  // namespace
}  // namespace sluice::testing
