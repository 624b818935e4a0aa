#include "cli/sbatch_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace sluice::cli {
namespace {

using ::testing::ElementsAre;

JobOptions Parse(std::vector<std::string> args) {
  JobOptions o;
  auto f = ParseJobArgs(kSbatch, args, &o);
  EXPECT_FALSE(f.has_value());
  return o;
}

TEST(JobOptionsTest, ParsesTheSeedOptionsInEveryForm) {
  auto o = Parse({"--partition=g2", "--time", "00:01:00", "-N", "1",
                  "--job-name=example", "-o", "example.out",
                  "--gpus-per-node=1", "myjob.sh", "arg1", "--not-an-option"});
  EXPECT_EQ(*o.partition, "g2");
  EXPECT_EQ(*o.time_limit_min, 1);
  EXPECT_EQ(*o.nodes, 1u);
  EXPECT_EQ(*o.job_name, "example");
  EXPECT_EQ(*o.output, "example.out");
  EXPECT_EQ(*o.gpus_per_node, "1");
  EXPECT_THAT(o.positional, ElementsAre("myjob.sh", "arg1", "--not-an-option"));
}

TEST(JobOptionsTest, ParsesResourceOptions) {
  auto o = Parse({"-n4", "-c", "2", "--mem=8G", "--gres=gpu:h100:2", "-e", "e.log",
                  "--ntasks-per-node=2", "-D", "/tmp", "--hold", "--parsable",
                  "-N", "2-4", "--wrap", "hostname"});
  EXPECT_EQ(*o.ntasks, 4u);
  EXPECT_EQ(*o.cpus_per_task, 2u);
  EXPECT_EQ(*o.mem_mb, 8192u);
  EXPECT_EQ(*o.gres, "gpu:h100:2");
  EXPECT_EQ(*o.error, "e.log");
  EXPECT_EQ(*o.ntasks_per_node, 2u);
  EXPECT_EQ(*o.chdir, "/tmp");
  EXPECT_EQ(*o.nodes, 2u);
  EXPECT_TRUE(o.hold);
  EXPECT_TRUE(o.parsable);
  EXPECT_EQ(*o.wrap, "hostname");
}

TEST(JobOptionsTest, BadValuesGiveSlurmsMessagesAndExit255) {
  JobOptions o;
  auto f = ParseJobArgs(kSbatch, {"-t", "abc"}, &o);
  ASSERT_TRUE(f.has_value());
  EXPECT_THAT(f->message, ElementsAre("Invalid --time specification"));
  EXPECT_EQ(f->exit_code, 255);
  f = ParseJobArgs(kSbatch, {"--time=1:2:3:4"}, &o);
  ASSERT_TRUE(f.has_value());
  f = ParseJobArgs(kSbatch, {"--no-such-option"}, &o);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->usage_hint);
  EXPECT_EQ(f->exit_code, 255);
  EXPECT_TRUE(ParseJobArgs(kSbatch, {"-c", "0"}, &o).has_value());
  EXPECT_TRUE(ParseJobArgs(kSbatch, {"--mem", "lots"}, &o).has_value());
  EXPECT_TRUE(ParseJobArgs(kSbatch, {"-N", "x"}, &o).has_value());
}

TEST(JobOptionsTest, DirectivesStopAtTheFirstCommand) {
  auto words = ExtractDirectives(
      "#!/bin/bash\n\n# Command line options go here\n#SBATCH --partition=g2\n"
      "#SBATCH   --job-name \"my job\"   \n#SBATCH -o out.txt # trailing comment\n"
      "#SBATCHX --ignored\necho run\n#SBATCH --time=5\n");
  EXPECT_THAT(words, ElementsAre("--partition=g2", "--job-name", "my job", "-o",
                                 "out.txt"));
}

TEST(JobOptionsTest, CommandLineOverridesEnvironmentOverridesDirectives) {
  JobOptions o;
  ASSERT_FALSE(ParseJobArgs(kSbatch, {"-p", "fromscript", "-J", "script", "-t", "5"}, &o));
  std::map<std::string, std::string> env = {{"SBATCH_PARTITION", "fromenv"},
                                            {"SBATCH_TIMELIMIT", "7"}};
  ASSERT_FALSE(ApplyInputEnv(kSbatch, 
      [&](const char* k) -> const char* {
        auto it = env.find(k);
        return it == env.end() ? nullptr : it->second.c_str();
      },
      &o));
  ASSERT_FALSE(ParseJobArgs(kSbatch, {"-p", "fromcli"}, &o));
  EXPECT_EQ(*o.partition, "fromcli");
  EXPECT_EQ(*o.time_limit_min, 7);
  EXPECT_EQ(*o.job_name, "script");
}

TEST(JobOptionsTest, ScriptChecksMatchSlurm) {
  EXPECT_THAT(CheckScript("")->message, ElementsAre("Batch script is empty!"));
  auto f = CheckScript("echo hi\n");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->exit_code, 1);
  EXPECT_EQ(f->message.size(), 3u);
  EXPECT_FALSE(CheckScript("#!/bin/sh\ntrue\n").has_value());
}

TEST(JobOptionsTest, WrapBuildsAShellScript) {
  EXPECT_EQ(WrapScript("echo hi"),
            "#!/bin/sh\n# This script was created by sbatch --wrap.\n\necho hi\n");
}

TEST(JobOptionsTest, ExportFiltersTheSubmitterEnvironment) {
  std::vector<std::string> env = {"PATH=/bin", "HOME=/root", "SLURM_CONF=/x", "A=1"};
  EXPECT_EQ(ExportedEnv(std::nullopt, env), env);
  EXPECT_EQ(ExportedEnv("ALL", env), env);
  EXPECT_THAT(ExportedEnv("NONE", env), ElementsAre("SLURM_CONF=/x"));
  EXPECT_THAT(ExportedEnv("PATH,B=2", env),
              ElementsAre("PATH=/bin", "SLURM_CONF=/x", "B=2"));
  EXPECT_THAT(ExportedEnv("ALL,A=9", env),
              ElementsAre("PATH=/bin", "HOME=/root", "SLURM_CONF=/x", "A=9"));
}

TEST(JobOptionsTest, ShellWordsHandlesQuotes) {
  EXPECT_THAT(ShellWords(R"( -J 'a b' --x="c d" e\ f)"),
              ElementsAre("-J", "a b", "--x=c d", "e f"));
}

}  // namespace
}  // namespace sluice::cli
