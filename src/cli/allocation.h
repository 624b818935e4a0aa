// srun's and salloc's allocation: an interactive job (no script) submitted
// to the controller, waited for with Slurm's messages, and released with
// the command's exit code at the end. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/ctld_client.h"
#include "cli/job_options.h"

namespace sluice::cli {

// How the command waits for its allocation.
struct AllocWait {
  bool quiet = false;          // -Q: no "queued and waiting" / "allocated" lines
  std::optional<bool> bell;    // salloc --bell/--no-bell; unset: ring after 10 s
};

// Submits `req` (its job filled by FillJobRequest) as an interactive job
// and returns the job ID once it runs, or nullopt after printing Slurm's
// error (srun: "Unable to allocate resources: ...", salloc: "Job
// submit/allocate failed: ..."). salloc's wording differs for the pending
// and granted messages too. srun passes its step in `step`: when the job
// starts at once the controller creates it in the same call and
// `*step_reply` is filled (has_value() tells).
std::optional<uint64_t> Allocate(
    CtldClient& client, ::sluice::v1::SubmitBatchJobRequest req, Command cmd,
    const AllocWait& wait, const ::sluice::v1::CreateStepRequest* step = nullptr,
    std::optional<::sluice::v1::CreateStepReply>* step_reply = nullptr);

// Ends an allocation this command made (or one step of an existing one).
void Release(CtldClient& client, uint64_t job, int step, int exit_code, int signal,
             bool out_of_memory = false);

// The local address that reaches the controller: what srun listens on.
std::string LocalAddressFor(const std::string& host, uint16_t port);

}  // namespace sluice::cli
