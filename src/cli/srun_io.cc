#include "cli/srun_io.h"

#include "common/output_pattern.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/hostlist.h"

namespace sluice::cli {
namespace {

using common::Frame;
using common::FrameType;

int g_signal_pipe[2] = {-1, -1};
void OnSignal(int sig) {
  unsigned char b = static_cast<unsigned char>(sig);
  ssize_t w = write(g_signal_pipe[1], &b, 1);
  (void)w;
}

termios g_saved_tty;
bool g_tty_raw = false;
void RestoreTty() {
  if (g_tty_raw) {
    tcsetattr(0, TCSADRAIN, &g_saved_tty);
    g_tty_raw = false;
  }
}
void RestoreTtyAndDie(int sig) {
  RestoreTty();
  signal(sig, SIG_DFL);
  raise(sig);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}



}  // namespace

StepIoServer::StepIoServer(IoOptions opts, common::Authenticator* auth)
    : opts_(std::move(opts)), auth_(auth) {
  std::random_device rd;
  for (int i = 0; i < 4; ++i) absl::StrAppend(&key_, absl::Hex(rd(), absl::kZeroPad8));
}

StepIoServer::~StepIoServer() {
  RestoreTty();
  if (listen_fd_ >= 0) close(listen_fd_);
  for (auto& c : conns_)
    if (c.fd >= 0) close(c.fd);
  for (auto& [path, fd] : by_path_)
    if (fd >= 0) close(fd);
}

uint16_t StepIoServer::Listen(const std::string& address) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) return 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(listen_fd_, 128) != 0)
    return 0;
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

int StepIoServer::OutFd(uint32_t task, bool err) {
  const std::string& pattern = err && !opts_.err_pattern.empty() ? opts_.err_pattern
                                                                 : opts_.out_pattern;
  if (pattern.empty()) return err ? 2 : 1;
  auto key = std::make_pair(task, err);
  if (auto it = files_.find(key); it != files_.end()) return it->second;
  if (pattern == "none") return files_[key] = -1;
  std::string node;
  uint32_t index = 0, i = 0;
  for (const auto& [name, tasks] : opts_.tasks_by_node) {
    for (uint32_t t : tasks)
      if (t == task) node = name, index = i;
    ++i;
  }
  std::string path = common::ExpandStepIoPattern(pattern, opts_.job, opts_.step, task, index, node);
  // Tasks and streams sharing a file share one descriptor (one truncation).
  auto [it, fresh] = by_path_.emplace(path, -1);
  if (fresh) it->second = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  return files_[key] = it->second;
}

void StepIoServer::Output(uint32_t task, bool err, const std::string& data) {
  int fd = OutFd(task, err);
  if (fd < 0) return;
  std::string label = opts_.label ? absl::StrCat(task, ": ") : "";
  if (opts_.unbuffered || opts_.pty) {
    WriteAll(fd, label.empty() ? data : label + data);
    return;
  }
  std::string& buf = partial_[{task, err}];
  buf += data;
  size_t start = 0, nl;
  std::string out;
  while ((nl = buf.find('\n', start)) != std::string::npos) {
    absl::StrAppend(&out, label, buf.substr(start, nl - start + 1));
    start = nl + 1;
  }
  buf.erase(0, start);
  if (!out.empty()) WriteAll(fd, out);
}

void StepIoServer::FlushPartial() {
  for (auto& [key, buf] : partial_) {
    if (buf.empty()) continue;
    int fd = OutFd(key.first, key.second);
    if (fd >= 0) WriteAll(fd, (opts_.label ? absl::StrCat(key.first, ": ") : "") + buf);
    buf.clear();
  }
}

void StepIoServer::SendAll(FrameType type, uint32_t task, const std::string& payload) {
  std::string f = common::EncodeFrame(type, task, payload);
  for (auto& c : conns_)
    if (c.fd >= 0 && !c.node.empty()) WriteAll(c.fd, f);
}

void StepIoServer::Accept() {
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  conns_.push_back(Conn{fd, "", {}});
}

void StepIoServer::OnReadable(Conn& c) {
  char buf[16384];
  ssize_t n = read(c.fd, buf, sizeof buf);
  if (n <= 0) {
    close(c.fd);
    c.fd = -1;
    return;
  }
  c.decoder.Feed(buf, static_cast<size_t>(n));
  while (c.fd >= 0) {
    auto f = c.decoder.Next();
    if (!f) break;
    OnFrame(c, *f);
  }
  if (c.decoder.bad() && c.fd >= 0) {
    close(c.fd);
    c.fd = -1;
  }
}

void StepIoServer::OnFrame(Conn& c, const Frame& f) {
  if (c.node.empty()) {
    // The first frame must be a valid hello: anything else closes the
    // connection (another user cannot read from or type into the step).
    size_t nl = f.payload.find('\n');
    std::string node = f.payload.substr(0, nl);
    bool ok = f.type == FrameType::kHello && nl != std::string::npos &&
              opts_.tasks_by_node.count(node);
    for (const auto& other : conns_)
      if (other.node == node && other.fd >= 0) ok = false;  // one per node
    if (ok) {
      auto who = auth_->Verify(f.payload.substr(nl + 1),
                               common::IoCredentialPayload(opts_.job, opts_.step, node, key_));
      ok = who.ok() && (who->uid == 0 || who->uid == geteuid());
    }
    if (!ok) {
      close(c.fd);
      c.fd = -1;
      return;
    }
    c.node = node;
    // A node that connects after the step was told to die dies too.
    if (killed_)
      WriteAll(c.fd, common::EncodeFrame(FrameType::kSignal, common::kAllTasks,
                                         std::to_string(SIGKILL)));
    if (opts_.pty) {
      winsize ws{};
      if (ioctl(0, TIOCGWINSZ, &ws) == 0)
        WriteAll(c.fd, common::EncodeFrame(FrameType::kWinsize, 0,
                                           absl::StrCat(ws.ws_row, " ", ws.ws_col)));
    }
    return;
  }
  switch (f.type) {
    case FrameType::kStdout: Output(f.task, false, f.payload); break;
    case FrameType::kStderr: Output(f.task, true, f.payload); break;
    case FrameType::kMessage: messages_.push_back(f.payload); break;
    case FrameType::kExit: {
      TaskEnd e;
      std::string p = f.payload;
      e.signaled = p.rfind("signal ", 0) == 0;
      e.oom = absl::EndsWith(p, " oom");
      if (e.oom) p.resize(p.size() - 4);
      (void)absl::SimpleAtoi(p.substr(p.find(' ') + 1), &e.code);
      ends_[f.task] = e;
      if (!first_end_ms_) first_end_ms_ = NowMs();
      if (opts_.kill_on_bad_exit && !killed_ && (e.signaled || e.code != 0)) {
        killed_ = true;
        SendAll(FrameType::kSignal, common::kAllTasks, std::to_string(SIGKILL));
      }
      break;
    }
    default: break;
  }
}

void StepIoServer::OnInterrupt() {
  int64_t now = NowMs();
  std::string step = absl::StrCat("StepId=", opts_.job, ".", opts_.step);
  if (opts_.disable_status && !opts_.quit_on_interrupt) {
    SendAll(FrameType::kSignal, common::kAllTasks, std::to_string(SIGINT));
    return;
  }
  if (opts_.quit_on_interrupt || now - last_interrupt_ms_ <= 1000) {
    std::fprintf(stderr, "srun: sending Ctrl-C to %s\n", step.c_str());
    std::fprintf(stderr, "srun: Job step aborted\n");
    killed_ = true;
    SendAll(FrameType::kSignal, common::kAllTasks, std::to_string(SIGINT));
    SendAll(FrameType::kSignal, common::kAllTasks, std::to_string(SIGKILL));
    return;
  }
  last_interrupt_ms_ = now;
  std::fprintf(stderr, "srun: interrupt (one more within 1 sec to abort)\n");
  std::vector<uint32_t> running, done;
  for (const auto& [node, tasks] : opts_.tasks_by_node)
    for (uint32_t t : tasks) (ends_.count(t) ? done : running).push_back(t);
  std::sort(running.begin(), running.end());
  std::sort(done.begin(), done.end());
  if (!running.empty())
    std::fprintf(stderr, "srun: %s task%s %s: running\n", step.c_str(),
                 running.size() > 1 ? "s" : "", common::FormatIdRanges(running).c_str());
  if (!done.empty())
    std::fprintf(stderr, "srun: %s task%s %s: exited\n", step.c_str(),
                 done.size() > 1 ? "s" : "", common::FormatIdRanges(done).c_str());
}

int StepIoServer::Run() {
  if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
    struct sigaction sa{};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGWINCH, SIGTERM, SIGHUP, SIGQUIT}) sigaction(sig, &sa, nullptr);
  }
  signal(SIGPIPE, SIG_IGN);
  if (opts_.pty && isatty(0) && tcgetattr(0, &g_saved_tty) == 0) {
    termios raw = g_saved_tty;
    cfmakeraw(&raw);
    if (tcsetattr(0, TCSADRAIN, &raw) == 0) {
      g_tty_raw = true;
      atexit(RestoreTty);
      for (int sig : {SIGABRT, SIGSEGV}) signal(sig, RestoreTtyAndDie);
    }
  }
  stdin_open_ = opts_.forward_stdin;
  bool eof_sent = false;
  auto connect_deadline = NowMs() + 30000;
  while (ends_.size() < opts_.ntasks) {
    std::vector<pollfd> fds;
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({g_signal_pipe[0], POLLIN, 0});
    size_t conns_at = fds.size();
    for (auto& c : conns_) fds.push_back({c.fd, POLLIN, 0});
    // Accept() below may add connections: only these were polled.
    const size_t polled_conns = conns_.size();
    // Stdin and its end go out once every node is there (task 0's may be
    // the last to connect).
    size_t verified = 0;
    for (auto& c : conns_) verified += !c.node.empty();
    bool any_node = verified == opts_.tasks_by_node.size();
    bool want_stdin = stdin_open_ && any_node;
    if (want_stdin) fds.push_back({0, POLLIN, 0});
    if (!stdin_open_ && !eof_sent && any_node && !opts_.pty) {
      SendAll(FrameType::kStdinEof, common::kAllTasks, "");
      eof_sent = true;
    }
    int r = poll(fds.data(), fds.size(), 500);
    if (r < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) Accept();
    if (fds[1].revents & POLLIN) {
      unsigned char sig;
      while (read(g_signal_pipe[0], &sig, 1) == 1) {
        if (sig == SIGWINCH && opts_.pty) {
          winsize ws{};
          if (ioctl(0, TIOCGWINSZ, &ws) == 0)
            SendAll(FrameType::kWinsize, 0, absl::StrCat(ws.ws_row, " ", ws.ws_col));
        } else if (sig == SIGINT) {
          OnInterrupt();
        } else if (sig != SIGWINCH) {
          killed_ = true;
          SendAll(FrameType::kSignal, common::kAllTasks, std::to_string(SIGKILL));
        }
      }
    }
    for (size_t i = 0; i < polled_conns; ++i)
      if (conns_[i].fd >= 0 && (fds[conns_at + i].revents & (POLLIN | POLLHUP | POLLERR)))
        OnReadable(conns_[i]);
    if (want_stdin && (fds.back().revents & (POLLIN | POLLHUP))) {
      char buf[4096];
      ssize_t n = read(0, buf, sizeof buf);
      if (n > 0) {
        SendAll(FrameType::kStdin, common::kAllTasks, std::string(buf, static_cast<size_t>(n)));
      } else {
        stdin_open_ = false;
      }
    }
    // A node whose connection dropped before its tasks ended lost them.
    bool all_connected = true;
    for (const auto& [node, tasks] : opts_.tasks_by_node) {
      bool live = false, seen = false;
      for (const auto& c : conns_)
        if (c.node == node) seen = true, live |= c.fd >= 0;
      if (!seen) all_connected = false;
      if (seen && !live)
        for (uint32_t t : tasks)
          if (!ends_.count(t)) ends_[t] = TaskEnd{true, SIGKILL};
    }
    if (opts_.wait_s && first_end_ms_ && !killed_ &&
        NowMs() - first_end_ms_ > static_cast<int64_t>(opts_.wait_s) * 1000) {
      std::fprintf(stderr, "srun: error: Timed out waiting for job step to complete\n");
      killed_ = true;
      SendAll(FrameType::kSignal, common::kAllTasks, std::to_string(SIGKILL));
    }
    if (!all_connected && NowMs() > connect_deadline) {
      for (const auto& [node, tasks] : opts_.tasks_by_node)
        for (uint32_t t : tasks)
          if (!ends_.count(t)) ends_[t] = TaskEnd{true, SIGKILL};
    }
  }
  FlushPartial();
  RestoreTty();
  return Summarize();
}

bool StepIoServer::out_of_memory() const {
  for (const auto& [t, e] : ends_)
    if (e.oom) return true;
  return false;
}

// Slurm's summary: one line per node and outcome, tasks compressed.
int StepIoServer::Summarize() {
  int rc = 0;
  bool force_terminated = false;
  for (const auto& [node, tasks] : opts_.tasks_by_node) {
    // (signaled, code, oom) -> tasks
    std::map<std::tuple<bool, int, bool>, std::vector<uint32_t>> groups;
    for (uint32_t t : tasks) {
      auto it = ends_.find(t);
      if (it == ends_.end()) continue;
      const TaskEnd& e = it->second;
      rc = std::max(rc, e.signaled ? 128 + e.code : e.code);
      if (e.signaled || e.code != 0 || opts_.verbose) groups[{e.signaled, e.code, e.oom}].push_back(t);
      if (e.signaled && e.code == SIGKILL && !e.oom) force_terminated = true;
    }
    for (const auto& [key, list] : groups) {
      auto [signaled, code, oom] = key;
      if (opts_.verbose) {
        // -v: Slurm's notification line (wait status: code << 8, or the
        // signal), then the outcome; a clean end says "Completed".
        std::fprintf(stderr,
                     "srun: launch/slurm: _task_finish: Received task exit notification for %zu "
                     "task%s of StepId=%lu.%u (status=0x%04x).\n",
                     list.size(), list.size() > 1 ? "s" : "", (unsigned long)opts_.job, opts_.step,
                     signaled ? code : (code & 0xff) << 8);
        if (!signaled && code == 0 && !oom) {
          std::fprintf(stderr, "srun: launch/slurm: _task_finish: %s: task%s %s: Completed\n",
                       node.c_str(), list.size() > 1 ? "s" : "",
                       common::FormatIdRanges(list).c_str());
          continue;
        }
      }
      std::string what = oom        ? std::string("Out Of Memory")
                         : signaled ? std::string(strsignal(code))
                                    : absl::StrCat("Exited with exit code ", code);
      std::fprintf(stderr, "srun: error: %s: task%s %s: %s\n", node.c_str(),
                   list.size() > 1 ? "s" : "", common::FormatIdRanges(list).c_str(),
                   what.c_str());
    }
  }
  if (force_terminated)
    std::fprintf(stderr, "srun: Force Terminated StepId=%lu.%u\n", (unsigned long)opts_.job,
                 opts_.step);
  for (const auto& m : messages_) std::fputs(m.c_str(), stderr);
  std::fflush(stderr);
  return rc;
}

}  // namespace sluice::cli
