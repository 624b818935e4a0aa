// Durable job state. The controller writes a job before acknowledging it and
// after every state change; on start it reloads everything. Implementations:
// SQLite (production) and in-memory (tests). Not thread-safe: owned and used
// by the controller's strand only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld/core/job.h"

namespace sluice::ctld {

struct JobBody {
  std::string script;
  std::string env_block;  // as JobSpec::env_block
};

struct StoredState {
  std::vector<Job> jobs;
  uint64_t next_job_id = 1;
  // Controller settings kept across restarts by name (SaveSetting), e.g.
  // the scontrol update partition changes still in force.
  std::map<std::string, std::string> settings;
};

class JobStore {
 public:
  virtual ~JobStore() = default;
  // Writes the jobs and the next job ID in one durable transaction.
  virtual absl::Status Save(const std::vector<const Job*>& jobs,
                            uint64_t next_job_id) = 0;
  // Replaces one named setting, durably.
  virtual absl::Status SaveSetting(const std::string& name, const std::string& value) = 0;
  // Every stored job whose end_time is 0 or later than `finished_after`.
  virtual absl::StatusOr<StoredState> Load(int64_t finished_after) = 0;
  // Deletes the records of jobs that ended before `ended_before`
  // (accounting retention, PurgeJobAfter); returns how many.
  virtual absl::StatusOr<int> Purge(int64_t ended_before) = 0;
  // Gives back caches the store can rebuild (SQLite's page cache), when the
  // controller is idle or has just dropped jobs. Returns the bytes freed.
  virtual size_t ReleaseMemory() { return 0; }

  // A batch job's body (script and environment). Save writes the body of
  // every job whose spec still holds one under the job's ID, in the same
  // transaction as its record, and the record then names it (body_id); the
  // controller lets the body go from memory after the save and reads it back
  // here when it launches the job.
  virtual absl::StatusOr<JobBody> LoadBody(uint64_t body_id) = 0;
  // Bodies no job in memory names any more. Deleted with the store's next
  // write (a body left over costs disk, never correctness).
  virtual void DropBodies(const std::vector<uint64_t>& body_ids) = 0;
  // Deletes every stored body but these (at recovery: the loaded jobs').
  virtual absl::Status KeepBodies(const std::vector<uint64_t>& body_ids) = 0;
};

// What sacct asks the store for; the rest of its filter is applied to the
// decoded jobs (core/accounting.h).
struct AcctScan {
  std::vector<uint32_t> uids;  // empty: every user
  std::vector<uint64_t> ids;   // empty: every job; else a job or any task of that array
  int64_t ended_after = 0;     // jobs still running (end 0) or ended at or after this
};

// Reads the job records for accounting on the caller's thread, through a
// connection of its own (WAL: readers never wait for the controller's
// writes, nor it for them). Thread-safe.
class AcctReader {
 public:
  virtual ~AcctReader() = default;
  virtual absl::StatusOr<std::vector<Job>> Scan(const AcctScan& q) = 0;
};
std::unique_ptr<AcctReader> OpenSqliteAcctReader(const std::string& path);

// SQLite in WAL mode with synchronous=FULL at `path` (created if missing).
absl::StatusOr<std::unique_ptr<JobStore>> OpenSqliteJobStore(
    const std::string& path);
std::unique_ptr<JobStore> MakeMemoryJobStore();

// Stable text encoding of a Job, used by the stores (no protobuf here).
// Without the body, the record names the body the store keeps apart:
// spec.body_id, or the job's own ID while the spec still holds it.
std::string EncodeJob(const Job& job, bool with_body = true);
absl::StatusOr<Job> DecodeJob(const std::string& text);

}  // namespace sluice::ctld
