// The job sbatch, srun and salloc ask the controller for, built from their
// one set of options (job_options.h) the same way for all three: what each
// option means for the job is decided here once. Also the pieces of output
// the three share: -v's option dump and --test-only's answer. Reads the
// clock, files (--export-file) and the user database (--uid/--gid);
// not thread-safe (stdio).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/ctld_client.h"
#include "cli/job_options.h"

namespace sluice::cli {

// Fills `j` from the options: resources, placement, timing, mail, identity
// (--uid/--gid: root only) and environment (`environ` filtered by --export,
// then --export-file and --get-user-env, for sbatch). sbatch's own fields
// (script, files, array) are sbatch_main's. The working directory is -D
// made absolute against `cwd`. On bad input prints Slurm's error as
// "<cmd>: error: ..." and returns the exit code.
std::optional<int> FillJobRequest(Command cmd, const JobOptions& o, const std::string& cwd,
                                  const std::vector<std::string>& environ,
                                  ::sluice::v1::JobRequest* j);

// The job's working directory: -D made absolute against `cwd`, else `cwd`.
std::string JobWorkDir(const JobOptions& o, const std::string& cwd);

// -v's dump of the options given, with times canonical and the file
// options made absolute against `workdir`.
void PrintOptionDump(Command cmd, const JobOptions& o, const std::string& workdir);

// --test-only: the scheduler's estimate in Slurm's words, on stderr; the
// job is not submitted. Returns the exit code.
int TestOnly(Command cmd, CtldClient& client, ::sluice::v1::SubmitBatchJobRequest* req,
             bool quiet);

}  // namespace sluice::cli
