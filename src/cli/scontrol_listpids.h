// scontrol listpids [JOBID[.STEPID]] [NODENAME]: asks a node daemon on this
// machine (the named node, else the first node configured on this host)
// for the processes of its jobs, and prints them as Slurm does. Runs once
// per command; not thread-safe (writes stdout/stderr).
#pragma once

#include <string>
#include <vector>

namespace sluice::cli {

int ListPids(const std::vector<std::string>& args);

}  // namespace sluice::cli
