// sluice-stepd's log: one line per event on stderr (the node daemon's log),
// in the daemons' format. Not spdlog: the stepd links statically and starts
// once per job, so it carries no shared logging library. Thread-compatible.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "absl/strings/str_format.h"

namespace sluice::node {

template <typename... Args>
void StepLog(const char* level, const absl::FormatSpec<Args...>& fmt, const Args&... args) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &t);
  std::string line = absl::StrFormat("[%s.%03d] [stepd %d] [%s] ", when,
                                     static_cast<int>(ts.tv_nsec / 1000000), getpid(), level) +
                     absl::StrFormat(fmt, args...) + "\n";
  ssize_t n = write(2, line.data(), line.size());
  (void)n;
}

}  // namespace sluice::node
