#include "nodedaemon/stepd/step_io.h"

#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sluice::node {
namespace asio = boost::asio;
using common::Frame;
using common::FrameType;

absl::Status StepIo::Connect(const std::string& address, const std::string& hello) {
  size_t colon = address.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port > 65535)
    return absl::InvalidArgumentError(absl::StrCat("bad srun address ", address));
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.substr(0, colon), ec);
  if (!ec) socket_.connect(asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(port)), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("connect to srun at ", address, ": ", ec.message()));
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  connected_ = true;
  Send(FrameType::kHello, 0, hello);
  ReadSrun();
  return absl::OkStatus();
}

void StepIo::Send(FrameType type, uint32_t task, std::string payload) {
  if (!connected_) return;
  out_q_.push_back(common::EncodeFrame(type, task, payload));
  if (!writing_) WriteNext();
}

void StepIo::WriteNext() {
  if (out_q_.empty()) {
    writing_ = false;
    if (after_flush_) {
      auto then = std::move(after_flush_);
      after_flush_ = nullptr;
      boost::system::error_code ec;
      socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      socket_.close(ec);
      connected_ = false;
      then();
    }
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(out_q_.front()),
                    [this](const boost::system::error_code& ec, size_t) {
                      out_q_.pop_front();
                      if (ec) {
                        out_q_.clear();
                        connected_ = false;
                      }
                      WriteNext();
                    });
}

void StepIo::Flush(std::function<void()> then) {
  after_flush_ = std::move(then);
  if (!writing_) WriteNext();
}

void StepIo::AddTask(uint32_t task, int out, int err, int in, bool pty) {
  Task& t = tasks_[task];
  t.in = in;
  t.pty = pty;
  if (out >= 0) {
    t.out = std::make_shared<asio::posix::stream_descriptor>(io_, out);
    ++t.open_streams;
    ReadStream(task, t.out, FrameType::kStdout);
  }
  if (err >= 0) {
    t.err = std::make_shared<asio::posix::stream_descriptor>(io_, err);
    ++t.open_streams;
    ReadStream(task, t.err, FrameType::kStderr);
  }
}

void StepIo::ReadStream(uint32_t task, std::shared_ptr<asio::posix::stream_descriptor> d,
                        FrameType type) {
  auto buf = std::make_shared<std::array<char, 8192>>();
  d->async_read_some(asio::buffer(*buf), [this, task, d, type, buf](
                                             const boost::system::error_code& ec, size_t n) {
    if (n > 0) Send(type, task, std::string(buf->data(), n));
    if (ec) {  // EOF, or EIO from a pty whose last holder is gone
      Task& t = tasks_[task];
      --t.open_streams;
      MaybeReport(task);
      return;
    }
    ReadStream(task, d, type);
  });
}

void StepIo::TaskExited(uint32_t task, int wait_status, bool oom) {
  Task& t = tasks_[task];
  t.exited = true;
  t.status = wait_status;
  t.oom = oom;
  MaybeReport(task);
  if (t.open_streams > 0) {
    // A background process may hold the pipe: do not wait for it long.
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(200));
    timer->async_wait([this, task, timer](const boost::system::error_code&) {
      Task& t = tasks_[task];
      if (!t.reported) {
        t.open_streams = 0;
        MaybeReport(task);
      }
    });
  }
}

void StepIo::MaybeReport(uint32_t task) {
  Task& t = tasks_[task];
  if (t.reported || !t.exited || t.open_streams > 0) return;
  t.reported = true;
  if (t.in >= 0 && !t.pty) ::close(t.in);
  t.in = -1;
  if (t.out) t.out->close();
  if (t.err) t.err->close();
  Send(FrameType::kExit, task,
       WIFSIGNALED(t.status)
           ? absl::StrCat("signal ", WTERMSIG(t.status), t.oom ? " oom" : "")
           : absl::StrCat("exit ", WEXITSTATUS(t.status)));
  for (const auto& [id, other] : tasks_)
    if (!other.reported) return;
  if (on_all_reported) on_all_reported();
}

void StepIo::Message(const std::string& line) { Send(FrameType::kMessage, 0, line); }

void StepIo::ReadSrun() {
  socket_.async_read_some(asio::buffer(rbuf_), [this](const boost::system::error_code& ec,
                                                      size_t n) {
    if (n > 0) {
      decoder_.Feed(rbuf_, n);
      while (auto f = decoder_.Next()) OnSrunFrame(*f);
    }
    if (ec || decoder_.bad()) {
      // srun is gone: its tasks lose their terminal or stdin.
      for (auto& [id, t] : tasks_)
        if (t.in >= 0 && !t.pty) {
          ::close(t.in);
          t.in = -1;
        }
      if (on_control && ec != asio::error::operation_aborted)
        on_control(Frame{FrameType::kStdinEof, common::kAllTasks, "srun gone"});
      return;
    }
    ReadSrun();
  });
}

void StepIo::OnSrunFrame(const Frame& f) {
  if (f.type == FrameType::kStdin) {
    for (auto& [id, t] : tasks_) {
      if (t.in < 0 || (f.task != common::kAllTasks && f.task != id)) continue;
      size_t off = 0;
      while (off < f.payload.size()) {
        ssize_t w = ::write(t.in, f.payload.data() + off, f.payload.size() - off);
        if (w <= 0) break;
        off += static_cast<size_t>(w);
      }
    }
    return;
  }
  if (f.type == FrameType::kStdinEof) {
    for (auto& [id, t] : tasks_)
      if (t.in >= 0 && !t.pty) {
        ::close(t.in);
        t.in = -1;
      }
    return;
  }
  if (on_control) on_control(f);
}

}  // namespace sluice::node
