// The job list as readers see it (squeue, scontrol show job, sbatch
// --wait...): an immutable copy of every job, made while the strand waits
// parked (on the first reader's own thread, so the copy's heap and cache
// traffic stay off the strand's core) and shared by all the readers that
// ask while it is current. A copy is incremental: each job's ShownDigest
// is compared with the last copy's, and only jobs whose digest moved (or
// that are new) are converted and encoded again; the rest are the last
// copy's entries, shared. So after one change to a deep queue the strand
// waits for a walk of digests, not for a conversion of every job.
// A reader whose generation (CoreRunner::Generation) is newer than the
// copy's asks for a new one; readers that arrive while one is being made
// wait for it and share it, so fifty squeue loops cost the strand one
// copy per change, not fifty. Filtering and serialising the reply run on
// the readers' own threads. Copies take at most a tenth of the strand
// however many readers ask: each copy's strand time is paid from a credit
// that grows by a ninth of the time the strand spends on other work, up to
// `burst`; while the credit is below zero a new copy waits (a reader may
// then wait up to nine times the last copy's time; it still sees every
// change made before its call). So a reader after a quiet spell is served
// at once, and a stream of changes and readers is held to the tenth.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ctld.pb.h"
#include "ctld/rpc/core_runner.h"

namespace sluice::ctld::rpc {

// What QueryJobs' filters read of a job.
struct JobKeys {
  uint64_t id = 0;
  uint64_t array_job_id = 0;
  uint32_t user_id = 0;
  int32_t state = 0;  // v1::JobState
  bool completing = false;
  std::string partition, name;
  static JobKeys Of(const ::sluice::v1::JobInfo& j);
};

// One job as a copy holds it: encoded once (off the strand), in full and in
// the brief form (QueryJobsRequest.brief), so a reply carries these bytes
// as-is instead of re-encoding every job for every reader. Immutable once
// published; shared by the copies in which the job did not change.
struct JobEntry {
  JobKeys keys;
  uint64_t digest = 0;  // ShownDigest when it was converted
  std::string wire, brief;
};

struct JobSnapshot {
  uint64_t generation = 0;
  int64_t now = 0;
  std::string cluster;  // (a different name makes every entry stale)
  std::vector<std::shared_ptr<const JobEntry>> jobs;  // by job ID, ascending
  bool private_jobs = false;                           // PrivateData=jobs
  // The position of job `id`, or jobs.size().
  size_t Find(uint64_t id) const;
};

class JobSnapshots {
 public:
  // `burst`: the most strand time copies may take at once after a quiet
  // spell (zero: each copy is followed by nine times its time of other
  // work before the next).
  explicit JobSnapshots(CoreRunner* runner,
                        std::chrono::steady_clock::duration burst = std::chrono::milliseconds(50))
      : runner_(runner), burst_(burst), credit_(burst) {}
  // A snapshot holding every change made before this call.
  std::shared_ptr<const JobSnapshot> Get();
  // The current copy when it holds every change made before this call,
  // else null: never makes one, never waits.
  std::shared_ptr<const JobSnapshot> Current();
  uint64_t builds() const;  // snapshots made so far (QueryCluster, tests)
  // Jobs converted by the last copy (the rest were shared with the one
  // before), and by all copies so far.
  size_t last_converted() const;
  uint64_t total_converted() const;
  // Drops the copy when no reader has asked for `idle`, current or not (a
  // copy of 10,000 jobs holds several MB; a quiet queue keeps its copy
  // current). True when one was dropped. The next copy then converts
  // every job.
  bool DropIfUnread(std::chrono::steady_clock::duration idle);
  // How long a copy asked for now would wait for the strand's share
  // (zero when it would start at once).
  std::chrono::steady_clock::duration WaitBeforeNextCopy() const;
  // How long the last copy held the strand (for tests).
  std::chrono::steady_clock::duration last_strand_time() const;
  // How long all the copies so far held the strand (QueryCluster).
  std::chrono::steady_clock::duration total_strand_time() const;

 private:
  CoreRunner* runner_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool building_ = false;
  uint64_t builds_ = 0;
  std::shared_ptr<const JobSnapshot> current_;
  // The credit (above) at credit_at_; it grows by a ninth of the time since.
  std::chrono::steady_clock::duration Credit(std::chrono::steady_clock::time_point now) const;
  const std::chrono::steady_clock::duration burst_;
  std::chrono::steady_clock::duration credit_;
  std::chrono::steady_clock::time_point credit_at_{};
  std::chrono::steady_clock::time_point last_read_{};   // a reader last asked
  std::chrono::steady_clock::duration last_strand_time_{};
  std::chrono::steady_clock::duration total_strand_time_{};
  size_t last_converted_ = 0;
  uint64_t total_converted_ = 0;
};

// QueryJobs' answer from a snapshot: the request's filters (all must
// match), IDs resolved as the controller resolves them (an array's own ID
// means all its records).
// With `only_uid`, other users' jobs are as if they did not exist
// (PrivateData=jobs).
void AnswerQueryJobs(const JobSnapshot& snap, const ::sluice::v1::QueryJobsRequest& req,
                     ::sluice::v1::QueryJobsWire* rep,
                     std::optional<uint32_t> only_uid = std::nullopt);

// QueryJobs answered from the controller itself, for a read that names
// its jobs or its users (scontrol show job N, squeue -j N or -u USER,
// sbatch --wait, srun and salloc waiting for their allocation): only those
// jobs are converted, found through the job map and JobIndex, so the read
// costs the strand microseconds however deep the queue, where a new copy
// of every job would cost it most of a second at 100,000 jobs and, on a
// busy controller, wait its turn (issue 14 point 5). The reply holds the
// same bytes AnswerQueryJobs gives over a copy taken at this moment. Call
// on the strand. False, with `rep` untouched, when the read names neither
// jobs nor users or would convert more than `max_jobs` jobs: the caller
// then answers from a copy.
bool AnswerNarrowRead(const Controller& c, int64_t now,
                      const ::sluice::v1::QueryJobsRequest& req,
                      ::sluice::v1::QueryJobsWire* rep, std::optional<uint32_t> only_uid,
                      size_t max_jobs);

}  // namespace sluice::ctld::rpc
