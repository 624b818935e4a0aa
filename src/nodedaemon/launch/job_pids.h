// scontrol listpids on a node: the processes under each stepd (a job's batch
// script or a step's tasks, and everything they started), read from /proc.
// A stepd's own children are its tasks: their SLURM_LOCALID/SLURM_PROCID
// (from their environment) are the LOCALID/GLOBALID columns; deeper
// processes have none. Stateless; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::node {

struct StepdOf {
  uint64_t job = 0;
  std::string step;  // "batch" or the step number
  pid_t stepd = 0;
};

struct JobPid {
  pid_t pid = 0;
  uint64_t job = 0;
  std::string step;
  int local_id = -1;   // -1: not a task ("-")
  int global_id = -1;
  uid_t uid = 0;       // the process's owner
};

// Every process's parent and virtual size (VmSize, kB), from /proc.
struct ProcEntry {
  pid_t ppid = 0;
  uid_t uid = 0;
  uint64_t vm_kb = 0;
};
using ProcTable = std::map<pid_t, ProcEntry>;
ProcTable ReadProcTable(const std::string& proc_root = "/proc");
// The virtual size of `root` and all its descendants.
uint64_t TreeVmKb(const ProcTable& procs, pid_t root);

// For each stepd in the given order: its tasks first (by local id), then
// their descendants by pid.
std::vector<JobPid> ListJobPids(const std::vector<StepdOf>& stepds,
                                const std::string& proc_root = "/proc");

}  // namespace sluice::node
