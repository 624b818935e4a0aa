#include "absl/strings/string_view.h"
#include "cli/signals.h"

#include <csignal>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace sluice::cli {
namespace {
struct Sig {
  const char* name;
  int num;
};
constexpr Sig kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ABRT", SIGABRT},
    {"KILL", SIGKILL}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"USR1", SIGUSR1},
    {"USR2", SIGUSR2}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH}, {"PIPE", SIGPIPE}, {"CHLD", SIGCHLD},
};
}  // namespace

int ParseSignal(absl::string_view s) {
  int n;
  if (absl::SimpleAtoi(s, &n)) return (n > 0 && n < 65) ? n : 0;
  std::string up = absl::AsciiStrToUpper(s);
  if (up.rfind("SIG", 0) == 0) up = up.substr(3);
  for (const auto& sig : kSignals)
    if (up == sig.name) return sig.num;
  return 0;
}

}  // namespace sluice::cli
