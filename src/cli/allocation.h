// srun's and salloc's allocation: an interactive job (no script) submitted
// to the controller, waited for with Slurm's messages, and released with
// the command's exit code at the end. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <getopt.h>

#include "cli/ctld_client.h"

namespace sluice::cli {

struct AllocRequest {
  std::string name;
  std::string partition;
  std::optional<int64_t> time_limit_min;
  uint32_t nodes = 0, ntasks = 0, ntasks_per_node = 0, cpus_per_task = 0, mincpus = 0;
  uint64_t mem_mb = 0;
  std::string gpus_per_node, gres, nodelist, exclude, constraint;
  std::string distribution;  // -m as given; "" none
  bool exclusive = false, immediate = false;
  bool quiet = false;  // -Q: no "queued and waiting" / "allocated" lines
  bool nodes_set = false, ntasks_set = false;
  std::string work_dir;
  std::vector<std::string> env;
  bool operator==(const AllocRequest&) const = default;
};

// The resource options srun and salloc share: getopt_long entries (no
// terminator), their short-option letters, and their parsing. Returns true
// when `c` is one of them; a bad value sets *error to Slurm's complaint.
enum AllocOption { kOptNtasksPerNode = 2000, kOptGpusPerNode, kOptGres, kOptMem, kOptExclusive, kOptMinCpus };
extern const std::vector<option> kAllocLongOptions;
inline constexpr char kAllocShortOptions[] = "N:n:c:p:t:J:w:x:C:I::D:m:";
bool ParseAllocOption(int c, const char* arg, AllocRequest* a, std::string* error);
// The exit code Slurm's srun and salloc give that complaint: 1 for a bad
// number, 255 for the other option errors.
int AllocErrorExit(const std::string& error);

// Returns the job ID once it runs, or nullopt after printing Slurm's error
// ("<cmd>: error: Unable to allocate resources: ..."). `salloc` selects
// salloc's wording for the pending and granted messages. srun passes its
// step in `step`: when the job starts at once the controller creates it in
// the same call and `*step_reply` is filled (has_value() tells).
std::optional<uint64_t> Allocate(
    CtldClient& client, const AllocRequest& req, const char* cmd, bool salloc,
    const ::sluice::v1::CreateStepRequest* step = nullptr,
    std::optional<::sluice::v1::CreateStepReply>* step_reply = nullptr);

// Ends an allocation this command made (or one step of an existing one).
void Release(CtldClient& client, uint64_t job, int step, int exit_code, int signal,
             bool out_of_memory = false);

// The local address that reaches the controller: what srun listens on.
std::string LocalAddressFor(const std::string& host, uint16_t port);

}  // namespace sluice::cli
