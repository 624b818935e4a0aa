#include "cli/scontrol_session.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/str_split.h"

namespace sluice::cli {

int Interactive(const std::function<int(const std::vector<std::string>&, bool* done)>& run) {
  const bool echo = !::isatty(STDIN_FILENO);
  int rc = 0;
  std::string line;
  for (;;) {
    std::fputs("scontrol: ", stdout);
    std::fflush(stdout);
    if (!std::getline(std::cin, line)) {
      std::fputs("\n", stdout);  // the end of input ends the prompt's line
      break;
    }
    if (echo) std::printf("%s\n", line.c_str());
    std::vector<std::string> words = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.empty()) continue;
    bool done = false;
    std::fflush(stdout);
    int r = run(words, &done);
    if (!done || r != 0) rc = r;  // a plain exit keeps the last command's code
    std::fflush(stdout);
    std::fflush(stderr);
    if (done) break;
  }
  return rc;
}

QuietStderr::QuietStderr(bool on) {
  if (!on) return;
  std::fflush(stderr);
  saved_ = ::dup(STDERR_FILENO);
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDERR_FILENO);
    ::close(null);
  }
}

QuietStderr::~QuietStderr() {
  if (saved_ < 0) return;
  std::fflush(stderr);
  ::dup2(saved_, STDERR_FILENO);
  ::close(saved_);
}

}  // namespace sluice::cli
