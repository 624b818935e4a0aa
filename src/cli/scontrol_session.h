// scontrol's interactive mode and its per-command stderr silencing. The
// commands themselves stay in scontrol_main.cc. Not thread-safe (a CLI's
// one thread; both touch the process's standard streams).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace sluice::cli {

// Reads command lines from standard input until its end, exit or quit:
// each after the prompt "scontrol: " (echoed after it when the input is
// not a terminal, as Slurm's readline does), split on blanks and handed to
// `run`, which sets `*done` to stop. The exit code is the last command's
// (exit and quit keep it).
int Interactive(const std::function<int(const std::vector<std::string>&, bool* done)>& run);

// While alive (when `on`), standard error goes to /dev/null; it is
// restored afterwards, so the next command of a session prints again.
class QuietStderr {
 public:
  explicit QuietStderr(bool on);
  ~QuietStderr();
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_ = -1;
};

}  // namespace sluice::cli
