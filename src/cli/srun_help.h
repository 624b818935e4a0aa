// srun's --help text (Slurm 22.05's, byte for byte) and the options it
// introduces. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace sluice::cli {

std::string SrunHelp();
// Every long option the help text introduces, in its order.
std::vector<std::string> SrunHelpOptions();

}  // namespace sluice::cli
