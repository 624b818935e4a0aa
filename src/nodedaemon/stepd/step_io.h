// A step's I/O on one node: the stepd's connection to srun (frames, see
// common/io_frames.h), the tasks' stdout/stderr pipes or pty masters, and
// their stdin. Reports each task's exit after its output has drained (or
// a short grace period, when a background process keeps a pipe open).
// Owned by StepDaemon; runs on its io_context; single-threaded.
#pragma once

#include <utility>  // before asio: Boost 1.74 uses std::exchange unincluded
#include <boost/asio.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/io_frames.h"

namespace sluice::node {

class StepIo {
 public:
  explicit StepIo(boost::asio::io_context& io) : io_(io), socket_(io) {}
  // Connects to srun ("host:port") and sends kHello with `hello`.
  absl::Status Connect(const std::string& address, const std::string& hello);
  // `out`/`err` are read ends (err = -1 with a pty, whose master is `out`
  // and also `in`); `in` is the write end of the task's stdin (-1: none).
  void AddTask(uint32_t task, int out, int err, int in, bool pty);
  // `oom`: the cgroup's out-of-memory handler killed it (srun says so).
  void TaskExited(uint32_t task, int wait_status, bool oom = false);
  void Message(const std::string& line);  // a slurmstepd error line
  // Frames srun sends (stdin is handled here; signals and window sizes go
  // to the callback).
  std::function<void(const common::Frame&)> on_control;
  std::function<void()> on_all_reported;  // every task's exit was sent
  void Flush(std::function<void()> then);  // close once everything is sent

 private:
  struct Task {
    std::shared_ptr<boost::asio::posix::stream_descriptor> out, err;
    int in = -1;
    bool pty = false;
    int open_streams = 0;
    bool exited = false;
    bool reported = false;
    bool oom = false;
    int status = 0;
  };
  void Send(common::FrameType type, uint32_t task, std::string payload);
  void WriteNext();
  void ReadStream(uint32_t task, std::shared_ptr<boost::asio::posix::stream_descriptor> d,
                  common::FrameType type);
  void ReadSrun();
  void MaybeReport(uint32_t task);
  void OnSrunFrame(const common::Frame& f);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::socket socket_;
  bool connected_ = false;
  std::deque<std::string> out_q_;
  bool writing_ = false;
  std::function<void()> after_flush_;
  std::map<uint32_t, Task> tasks_;
  common::FrameDecoder decoder_;
  char rbuf_[8192];
};

}  // namespace sluice::node
