// sbatch's --help and --usage texts (Slurm 22.05's, byte for byte) and the
// options they introduce. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace sluice::cli {

std::string SbatchHelp();
std::string SbatchUsage();
// Every long option the help text introduces, in its order.
std::vector<std::string> SbatchHelpOptions();

}  // namespace sluice::cli
