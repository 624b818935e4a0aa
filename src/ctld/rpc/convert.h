// Conversion between wire messages (sluice.v1) and controller domain values.
// The only place in ctld where both worlds meet. Pure; thread-safe.
#pragma once

#include <map>
#include <string>

#include "ctld.pb.h"
#include "node.pb.h"
#include "ctld/core/controller.h"

namespace sluice::ctld::rpc {

namespace v1 = ::sluice::v1;

SubmitRequest FromProto(const v1::JobRequest& p);
NodeReport FromProto(const v1::NodeReportRequest& p);
// `node_mem_mb`: the largest RealMemory among the job's partition's nodes,
// what a pending job that names no memory is shown to ask for (as Slurm's
// TRES shows it).
void ToProto(const Job& j, v1::JobInfo* p, uint64_t node_mem_mb = 0,
             const std::string& cluster = "");
// A 64-bit digest of everything ToProto(Job) reads (given the same
// `node_mem_mb` and cluster): equal digests mean equal JobInfo, so the
// readers' copy reconverts only the jobs whose digest moved. It hashes
// every field of Job and JobSpec except those no view shows (the script,
// the environment, the script's arguments, the submit line, what steps
// used), so a field ToProto starts to read is already covered; the sizes
// of Job and JobSpec are pinned in convert.cc, so a new field stops the
// build until it is added here or listed as left out.
uint64_t ShownDigest(const Job& j, uint64_t node_mem_mb);
// Partition -> the largest RealMemory among its nodes (the `node_mem_mb`
// above, and the memory a job naming none asked for in accounting).
std::map<std::string, uint64_t, std::less<>> PartitionNodeMem(const common::SlurmConfig& c);
void ToProto(const NodeRecord& n, v1::NodeInfo* p);
void ToProto(const common::PartitionConf& c, v1::PartitionInfo* p);
void ToProto(const LaunchRequest& r, v1::LaunchBatchRequest* p);
void ToProto(const SignalRequest& r, v1::SignalJobRequest* p);

}  // namespace sluice::ctld::rpc
