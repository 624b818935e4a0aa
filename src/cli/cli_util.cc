#include "cli/cli_util.h"

#include "common/time_spec.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <cstdlib>

#include "common/hostlist.h"

namespace sluice::cli {

bool OnlyThisCluster(const char* cmd, const std::string& clusters,
                     const common::SlurmConfig& cfg, bool all_ok) {
  for (absl::string_view name : absl::StrSplit(clusters, ',', absl::SkipEmpty()))
    if (name != cfg.cluster_name && !(all_ok && name == "all")) {
      PrintError(cmd, absl::StrCat("No cluster '", name, "' known by database."));
      return false;
    }
  return true;
}

int NoHandler(const char* cmd, int option) {
  PrintError(cmd, absl::StrCat("internal error: option ", option, " has no handler"));
  return 1;
}

void PrintDefinedOptions(const char* cmd, const std::map<std::string, std::string>& shown) {
  std::fprintf(stderr, "%s: defined options\n", cmd);
  std::fprintf(stderr, "%s: -------------------- --------------------\n", cmd);
  for (const auto& [name, value] : shown)
    std::fprintf(stderr, "%s: %-20s: %s\n", cmd, name.c_str(), value.c_str());
  std::fprintf(stderr, "%s: -------------------- --------------------\n", cmd);
  std::fprintf(stderr, "%s: end of defined options\n", cmd);
}

std::string DumpedTimeLimit(int64_t minutes) {
  return minutes < 0 ? common::FormatTimeLimit(minutes) : common::FormatDurationLong(minutes * 60);
}

void PrintError(const char* cmd, const std::string& msg) {
  std::fprintf(stderr, "%s: error: %s\n", cmd, msg.c_str());
}

std::optional<common::SlurmConfig> LoadConfigOrComplain(const char* cmd) {
  auto cfg = common::LoadSlurmConf(common::ResolveConfPath());
  if (!cfg.ok()) {
    PrintError(cmd, std::string(cfg.status().message()));
    return std::nullopt;
  }
  return std::move(*cfg);
}

bool RunsOnAny(const std::string& node_list, const std::set<std::string>& nodes) {
  auto hosts = common::ExpandHostlist(node_list);
  if (!hosts.ok()) return false;
  for (const auto& h : *hosts)
    if (nodes.count(h)) return true;
  return false;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::optional<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string s = ReadAll(fd);
  close(fd);
  return s;
}

void ExitNow(int rc) {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(rc);
}

std::string CurrentDir() {
  char buf[4096];
  if (getcwd(buf, sizeof buf)) return buf;
  const char* pwd = std::getenv("PWD");
  return pwd ? pwd : "/";
}

namespace {
std::optional<uint64_t> NodeCountValue(absl::string_view v) {
  uint64_t mult = 1;
  if (!v.empty() && (v.back() == 'k' || v.back() == 'K')) mult = 1024;
  if (!v.empty() && (v.back() == 'm' || v.back() == 'M')) mult = 1024 * 1024;
  if (mult > 1) v.remove_suffix(1);
  uint64_t n;
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != v.npos ||
      !absl::SimpleAtoi(v, &n) || n * mult > UINT32_MAX)
    return std::nullopt;
  return n * mult;
}
}  // namespace

std::optional<CountError> ParseNodeCount(const std::string& text, uint32_t* min,
                                         uint32_t* max) {
  absl::string_view t = text;
  size_t dash = t.find('-');
  absl::string_view lo = t.substr(0, dash);
  auto a = NodeCountValue(lo);
  if (!a) return CountError{absl::StrCat("\"", lo, "\" is not a valid node count"), 255};
  uint64_t b = *a;
  if (dash != absl::string_view::npos) {
    auto m = NodeCountValue(t.substr(dash + 1));
    if (!m)
      return CountError{absl::StrCat("\"", t.substr(dash + 1), "\" is not a valid node count"),
                        255};
    b = *m;
    if (b < *a)
      return CountError{absl::StrCat("Maximum node count ", b,
                                     " is less than minimum node count ", *a),
                        255};
  }
  *min = static_cast<uint32_t>(*a);
  *max = static_cast<uint32_t>(b);
  return std::nullopt;
}

std::optional<CountError> ParsePositive(const std::string& text, const char* option,
                                        uint32_t* out) {
  uint32_t v;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(text, &v) || v == 0)
    return CountError{absl::StrCat("Invalid numeric value \"", text, "\" for ", option, "."), 1};
  *out = v;
  return std::nullopt;
}

absl::StatusOr<std::string> ParseDistribution(const std::string& text) {
  auto bad = [] { return absl::InvalidArgumentError("Invalid --distribution specification"); };
  std::string t = text;
  if (size_t comma = t.find(','); comma != std::string::npos) {
    std::string pack = t.substr(comma + 1);
    if (pack != "Pack" && pack != "NoPack") return bad();
    t = t.substr(0, comma);
  }
  std::vector<std::string> levels = absl::StrSplit(t, ':');
  if (levels.empty() || levels.size() > 3) return bad();
  const std::string& node = levels[0];
  if (node == "arbitrary" || node.rfind("plane", 0) == 0)
    return absl::UnimplementedError(
        absl::StrCat("--distribution=", node, " is not supported by this Sluice release"));
  if (node != "block" && node != "cyclic" && node != "*") return bad();
  for (size_t i = 1; i < levels.size(); ++i)
    if (levels[i] != "block" && levels[i] != "cyclic" && levels[i] != "fcyclic" && levels[i] != "*")
      return bad();
  return node == "cyclic" ? std::string("cyclic") : std::string("block");
}

int ParseInputVars(const char* cmd, const InputVar* vars, size_t count, const std::set<int>& given,
                   const std::function<int(int, char**)>& parse) {
  std::vector<std::string> args = {cmd};
  for (size_t i = 0; i < count; ++i) {
    const char* value = std::getenv(vars[i].var);
    if (!value || !*value || given.count(vars[i].value)) continue;
    args.push_back(vars[i].flag ? absl::StrCat("--", vars[i].option)
                                : absl::StrCat("--", vars[i].option, "=", value));
  }
  if (args.size() == 1) return -1;
  std::vector<char*> ptrs;
  for (auto& a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  return parse(static_cast<int>(args.size()), ptrs.data());
}

std::string ListingTime(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  char buf[64];
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Y", &tm);
  return buf;
}

std::string RenderHelp(const HelpLine* lines, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) absl::StrAppend(&out, lines[i].text, "\n");
  return out;
}

std::string RenderLines(const char* const* lines, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) absl::StrAppend(&out, lines[i], "\n");
  return out;
}

std::vector<std::string> HelpOptions(const HelpLine* lines, size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i)
    if (lines[i].option) out.push_back(lines[i].option);
  return out;
}

std::string CommandLine(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) absl::StrAppend(&out, i ? " " : "", argv[i]);
  return out;
}

}  // namespace sluice::cli
