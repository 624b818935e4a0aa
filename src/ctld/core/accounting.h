// sacct's selection of job records (issue 12): which stored jobs a query
// shows, with Slurm's time-window rules. Pure; thread-safe. The store
// narrows by user, job ID and end time first (store/job_store.h AcctScan);
// this decides the rest on the decoded jobs.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ctld/core/job.h"

namespace sluice::ctld {

struct AcctFilter {
  std::set<uint32_t> uids;                 // empty: every user
  std::set<std::string> accounts, names, partitions;
  std::vector<std::string> nodes;          // -N: ran on any of these
  std::set<common::JobState> states;       // -s; empty: any
  // -S/-E. Without `windowed` (sacct -j with no -S/-E) every record counts.
  bool windowed = true;
  int64_t start = 0, end = 0;
  struct JobSel {
    uint64_t id = 0;
    int64_t task = -1;  // N_i; -1: the job, or every task of array N
  };
  std::vector<JobSel> jobs;                // -j; empty: any
};

// When the job became eligible, as sacct counts it: 0 ("Unknown") while it
// waits on a hold or a dependency.
int64_t AcctEligible(const Job& j);

// Slurm's rules: with no -s, a job is in the window when it was eligible
// before its end and had not ended before its start; with -s, a job
// matches a state it was in during the window (RUNNING: it ran then;
// PENDING: it waited then; an end state: it ended then in that state).
bool AcctSelected(const Job& j, const AcctFilter& f);

// Adds one node's measurement to a step's (or batch script's) usage: the
// largest peak and where it was, the average over every task measured,
// CPU times summed.
void MergeUsage(StepUsage& into, const NodeUsage& u, const std::string& node);

}  // namespace sluice::ctld
