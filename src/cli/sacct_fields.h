// sacct's columns: one table of every field Slurm 22.05's `sacct -e` lists,
// each with its default width (negative: left-aligned) and how it reads a
// row. Rows are a job, its batch step or one of its srun steps. Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/job_types.h"
#include "ctld.pb.h"

namespace sluice::cli {

struct AcctRow {
  enum Kind { kJob, kBatch, kStep } kind = kJob;
  const ::sluice::v1::AcctJob* job = nullptr;
  const ::sluice::v1::AcctStep* step = nullptr;  // kStep
  int64_t now = 0;
  std::string cluster;
};

struct AcctField {
  const char* name;
  int width;  // Slurm's default; negative: left-aligned
  std::string (*value)(const AcctRow&);
};

// Every field, in `sacct -e` order.
const std::vector<AcctField>& AcctFields();

// One column of -o: a field and its width ("jobname%20", "JobID%-5").
struct AcctColumn {
  const AcctField* field;
  int width;
};
// Parses -o/--format (comma list, case-insensitive names, %N widths);
// error: Slurm's `Invalid field requested: "NAME"`.
absl::StatusOr<std::vector<AcctColumn>> ParseAcctFormat(const std::string& spec);

// sacct -e / --helpformat: the names four to a line, 20 wide.
std::string AcctHelpFormat();

// A -j entry: N, N_i, N.S, N.batch or N.extern (step "": the job and all
// its steps); nullopt for anything else (Slurm's "Bad job/step specified").
struct AcctJobPick {
  uint64_t id = 0;
  int64_t task = -1;
  std::string step;
};
std::optional<AcctJobPick> ParseAcctJobPick(absl::string_view s);

// Shared by the columns and --json:
// the highest exit code of the job's srun steps, with that step's signal;
std::pair<int, int> AcctDerivedExit(const ::sluice::v1::AcctJob& a);
// the batch step's state (killed, so CANCELLED, when the job timed out);
common::JobState AcctBatchState(const ::sluice::v1::JobInfo& j);
// the CPU time of the batch script and every step (user and/or system).
int64_t AcctJobCpuUsec(const ::sluice::v1::AcctJob& a, bool user, bool sys);

// The job's ID as sacct prints it (N, A_T, A_[pending], N.batch, N.S).
std::string AcctJobId(const AcctRow& r);

}  // namespace sluice::cli
