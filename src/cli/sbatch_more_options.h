// sbatch's less common options (Slurm 22.05's whole --help surface): each is
// acted on, refused, or -- where Slurm on a cluster like this one accepts it
// and does nothing -- checked as Slurm checks it and then inert (the list
// and the reasons are in docs/CLI.md). Their entries live in sbatch's one
// option table (sbatch_options.cc); the handlers live here. Pure apart
// from reading --bbf/--nodefile files; not thread-safe (getopt state).
#pragma once

#include <optional>

#include "cli/sbatch_options.h"

namespace sluice::cli {

enum MoreSbatchOption {
  kOptBb = 3000, kOptBbf, kOptClusterConstraint, kOptContainer,
  kOptCoresPerSocket, kOptCpuFreq, kOptDelayBoot, kOptGpuBind,
  kOptGpuFreq, kOptGpusPerSocket, kOptGresFlags, kOptIgnorePbs, kOptMcsLabel,
  kOptNtasksPerCore, kOptNtasksPerSocket, kOptPower, kOptProfile,
  kOptReboot, kOptSocketsPerNode, kOptSwitches, kOptThreadSpec, kOptUseMinNodes,
};
// -S/--core-spec, -B/--extra-node-info, -F/--nodefile and -s/--oversubscribe
// are the letters themselves.

// True when `c` is one of them; a bad value sets *fail.
bool HandleMoreSbatchOption(int c, const char* a, SbatchOptions* o,
                            std::optional<CliFailure>* fail);

// What the topology options ask per node once parsing is done: fails, as
// Slurm's sbatch does, for --gpus-per-socket without --sockets-per-node.
std::optional<CliFailure> FinishTopology(SbatchOptions* o);

}  // namespace sluice::cli
