// The --help and --usage texts of sbatch, srun and salloc, Slurm 22.05's
// byte for byte (the 01_* and 11_*_help/_usage captures). Each help text is
// a table of Slurm's lines in which a line that introduces an option names
// it; OptionTableTest checks those names against the one option table
// (job_options.h) both ways, so a command's help and what it accepts
// cannot drift apart. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/job_options.h"

namespace sluice::cli {

std::string SbatchHelp();
std::string SbatchUsage();
std::vector<std::string> SbatchHelpOptions();  // in the help's order

std::string SrunHelp();
std::string SrunUsage();
std::vector<std::string> SrunHelpOptions();

std::string SallocHelp();
std::string SallocUsage();
std::vector<std::string> SallocHelpOptions();

inline std::string HelpText(Command cmd) {
  return cmd == kSbatch ? SbatchHelp() : cmd == kSrun ? SrunHelp() : SallocHelp();
}
inline std::string UsageText(Command cmd) {
  return cmd == kSbatch ? SbatchUsage() : cmd == kSrun ? SrunUsage() : SallocUsage();
}
inline std::vector<std::string> HelpOptionNames(Command cmd) {
  return cmd == kSbatch ? SbatchHelpOptions() : cmd == kSrun ? SrunHelpOptions() : SallocHelpOptions();
}

}  // namespace sluice::cli
