// Durable job state. The controller writes a job before acknowledging it and
// after every state change; on start it reloads everything. Implementations:
// SQLite (production) and in-memory (tests). Not thread-safe: owned and used
// by the controller's strand only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld/core/job.h"

namespace sluice::ctld {

struct StoredState {
  std::vector<Job> jobs;
  uint64_t next_job_id = 1;
};

class JobStore {
 public:
  virtual ~JobStore() = default;
  // Writes the jobs and the next job ID in one durable transaction.
  virtual absl::Status Save(const std::vector<const Job*>& jobs,
                            uint64_t next_job_id) = 0;
  // Every stored job whose end_time is 0 or later than `finished_after`.
  virtual absl::StatusOr<StoredState> Load(int64_t finished_after) = 0;
};

// SQLite in WAL mode with synchronous=FULL at `path` (created if missing).
absl::StatusOr<std::unique_ptr<JobStore>> OpenSqliteJobStore(
    const std::string& path);
std::unique_ptr<JobStore> MakeMemoryJobStore();

// Stable text encoding of a Job, used by the stores (no protobuf here).
std::string EncodeJob(const Job& job);
absl::StatusOr<Job> DecodeJob(const std::string& text);

}  // namespace sluice::ctld
