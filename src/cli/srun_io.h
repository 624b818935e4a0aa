// srun's side of a step's I/O: a TCP listener the nodes' stepds connect
// to, each proving with a MUNGE credential (from root, naming this job,
// step, node and srun's random key) that it is the step's supervisor; then
// task output to the terminal (line-buffered, optionally labelled, or raw),
// stdin to the tasks, signals, window sizes, and the tasks' exits. A poll
// loop on the calling thread; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/auth.h"
#include "common/io_frames.h"

namespace sluice::cli {

struct IoOptions {
  uint64_t job = 0;
  uint32_t step = 0;
  std::map<std::string, std::vector<uint32_t>> tasks_by_node;
  uint32_t ntasks = 0;
  bool label = false;
  bool unbuffered = false;
  bool pty = false;
  bool forward_stdin = true;   // --input=none turns it off
  bool kill_on_bad_exit = false;
  uint32_t wait_s = 0;  // -W: kill the rest this long after the first task ends
  // Ctrl-C: by default the first reports the tasks' status and a second
  // within a second aborts the step. -X forwards the first to the tasks;
  // --quit-on-interrupt aborts at the first.
  bool disable_status = false, quit_on_interrupt = false;
  // -v: Slurm's task-exit notification lines in the summary.
  bool verbose = false;
  std::string out_pattern, err_pattern;  // files per task; "" = terminal
};

struct TaskEnd {
  bool signaled = false;
  int code = 0;  // exit code or signal
  bool oom = false;  // killed by its cgroup's out-of-memory handler
};

class StepIoServer {
 public:
  StepIoServer(IoOptions opts, common::Authenticator* auth);
  ~StepIoServer();
  // The step, once the controller has made it (the listener may be opened
  // before, while the allocation is in flight).
  void SetStep(uint64_t job, uint32_t step, uint32_t ntasks,
               std::map<std::string, std::vector<uint32_t>> tasks_by_node) {
    opts_.job = job;
    opts_.step = step;
    opts_.ntasks = ntasks;
    opts_.tasks_by_node = std::move(tasks_by_node);
  }
  // Listens on `address` (port 0: any); returns the port or 0.
  uint16_t Listen(const std::string& address);
  const std::string& key() const { return key_; }
  // Runs until every task has ended (or `deadline_ms` passes with a node
  // not connected, for a launch that failed). Returns srun's exit code and
  // prints Slurm's per-task error lines.
  int Run();
  // Whether a task was killed for exceeding its memory (after Run).
  bool out_of_memory() const;

 private:
  struct Conn {
    int fd = -1;
    std::string node;  // empty until the hello is verified
    common::FrameDecoder decoder;
  };
  void Accept();
  void OnReadable(Conn& c);
  void OnFrame(Conn& c, const common::Frame& f);
  void Output(uint32_t task, bool err, const std::string& data);
  void FlushPartial();
  void SendAll(common::FrameType type, uint32_t task, const std::string& payload);
  void OnInterrupt();
  int Summarize();
  int OutFd(uint32_t task, bool err);

  IoOptions opts_;
  common::Authenticator* auth_;
  std::string key_;
  int listen_fd_ = -1;
  std::vector<Conn> conns_;
  std::map<uint32_t, TaskEnd> ends_;
  std::map<std::pair<uint32_t, bool>, std::string> partial_;
  std::map<std::pair<uint32_t, bool>, int> files_;  // -1: "none"
  std::map<std::string, int> by_path_;              // opened output files
  std::vector<std::string> messages_;
  bool stdin_open_ = true;
  bool killed_ = false;
  int64_t last_interrupt_ms_ = 0;
  int64_t first_end_ms_ = 0;
};

}  // namespace sluice::cli
