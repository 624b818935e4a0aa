// The controller's view of the node daemons: fire-and-forget commands whose
// results come back through callbacks. The gRPC implementation (rpc/) must
// invoke callbacks on the controller's strand; the fake (tests) may invoke
// them inline or on demand.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/ids.h"

namespace sluice::ctld {

struct NodeEndpoint {
  std::string name;
  std::string address;  // "host:port"
};

struct LaunchRequest {
  common::JobId id;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string job_name;
  std::string script;
  std::vector<std::string> env;
  std::string work_dir;
  std::string std_out;  // absolute patterns
  std::string std_err;
  std::string std_in;
  std::vector<uint32_t> gpus;
  uint32_t cpus = 0;
  uint64_t mem_mb = 0;
  bool append_output = false;
  std::string partition;
  std::string node_list;
  std::vector<std::string> script_args;
};

enum class SignalKind { kSignal, kCancel, kTimeout, kNotify };

struct SignalRequest {
  common::JobId id;
  SignalKind kind = SignalKind::kSignal;
  int signal = 0;
  bool batch_only = false;
  uint32_t kill_wait_s = 30;
  int32_t step_id = -1;        // >= 0: only that step
  bool every_step = false;     // the batch step and every srun step (suspend)
  std::string message{};       // kNotify: the text for the job's stderr
};

using Done = std::function<void(absl::Status)>;

class NodeClient {
 public:
  virtual ~NodeClient() = default;
  virtual void Launch(const NodeEndpoint& node, const LaunchRequest& req,
                      Done done) = 0;
  virtual void Signal(const NodeEndpoint& node, const SignalRequest& req,
                      Done done) = 0;
};

}  // namespace sluice::ctld
