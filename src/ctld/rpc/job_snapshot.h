// The job list as readers see it (squeue, scontrol show job, sbatch
// --wait...): an immutable copy of every job, converted once while the
// strand waits parked (on the first reader's own thread, so the copy's
// heap and cache traffic stay off the strand's core) and shared by all the readers that ask while it is current. A reader
// whose generation (CoreRunner::Generation) is newer than the copy's asks
// for a new one; readers that arrive while one is being made wait for it
// and share it, so fifty squeue loops cost the strand one conversion per
// change, not fifty. Filtering and serialising run on the readers' own
// threads. While changes keep coming, a new copy waits until the strand
// has spent nine times the last copy's time on other work: copies take
// at most a tenth of the strand however many readers ask (a reader may
// then wait that long; it still sees every change made before its call).
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <google/protobuf/arena.h>

#include "ctld.pb.h"
#include "ctld/rpc/core_runner.h"

namespace sluice::ctld::rpc {

struct JobSnapshot {
  uint64_t generation = 0;
  int64_t now = 0;
  // The jobs live in one arena: the copy made while the strand is parked
  // allocates by bumping a pointer, and the last reader frees it in blocks.
  google::protobuf::Arena arena;
  std::vector<::sluice::v1::JobInfo*> jobs;      // by job ID, on `arena`
  // Each job serialised once (off the strand): a reply carries these bytes
  // as-is instead of copying and re-encoding every job for every reader.
  std::vector<std::string> wire;
  std::unordered_map<uint64_t, size_t> index;    // job ID -> position
  bool private_jobs = false;                      // PrivateData=jobs
  // The brief form of each job (QueryJobsRequest.brief), encoded by the
  // first reader that asks for it.
  const std::vector<std::string>& Brief() const;

 private:
  mutable std::once_flag brief_once_;
  mutable std::vector<std::string> brief_;
};

class JobSnapshots {
 public:
  explicit JobSnapshots(CoreRunner* runner) : runner_(runner) {}
  // A snapshot holding every change made before this call.
  std::shared_ptr<const JobSnapshot> Get();
  // The current copy when it holds every change made before this call,
  // else null: never makes one, never waits.
  std::shared_ptr<const JobSnapshot> Current();
  uint64_t builds() const;  // snapshots made so far (QueryCluster, tests)
  // Drops the copy when no reader has asked for `idle`, current or not (a
  // copy of 10,000 jobs holds ~14 MB; a quiet queue keeps its copy
  // current). True when one was dropped.
  bool DropIfUnread(std::chrono::steady_clock::duration idle);
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
  std::chrono::steady_clock::time_point next_build_{};  // earliest next copy
  std::chrono::steady_clock::time_point last_read_{};   // a reader last asked
  std::chrono::steady_clock::duration last_strand_time_{};
  std::chrono::steady_clock::duration total_strand_time_{};
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
