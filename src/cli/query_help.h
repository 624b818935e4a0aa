// squeue's and sinfo's --help and --usage texts (Slurm 22.05's, byte for
// byte). Pure; thread-safe.
#pragma once

namespace sluice::cli {

const char* SqueueHelp();
const char* SqueueUsage();
const char* SinfoHelp();
const char* SinfoUsage();

}  // namespace sluice::cli
