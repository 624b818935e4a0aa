#include "common/multi_prog.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/array_spec.h"

namespace sluice::common {
namespace {

// Words split at blanks, with '...' and "..." quoting.
std::vector<std::string> Words(absl::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool in = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in = true;
    } else if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      if (in) out.push_back(cur);
      cur.clear();
      in = false;
    } else {
      cur += c;
      in = true;
    }
  }
  if (in) out.push_back(cur);
  return out;
}

// The offset of `task` in `range`, nullopt when it is not there.
std::optional<uint32_t> OffsetIn(absl::string_view range, uint32_t task) {
  if (range == "*") return 0;
  auto set = ParseTaskSelection(range);
  if (!set.ok() || !set->Contains(task)) return std::nullopt;
  uint32_t off = 0;
  set->ForEach([&](uint32_t i) {
    if (i == task) return false;
    ++off;
    return true;
  });
  return off;
}

}  // namespace

absl::StatusOr<std::vector<MultiProgLine>> ParseMultiProg(absl::string_view text,
                                                          absl::string_view file,
                                                          uint32_t ntasks) {
  std::vector<MultiProgLine> out;
  int lineno = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::string_view line = raw.substr(0, raw.find('#'));
    std::vector<std::string> w = Words(line);
    if (w.empty()) continue;
    bool ok = w.size() >= 2 && (w[0] == "*" || ParseTaskSelection(w[0]).ok());
    if (!ok)
      return absl::InvalidArgumentError(absl::StrCat(
          "Invalid task range specification\nLine ", lineno, " of configuration file ", file,
          " invalid"));
    out.push_back({w[0], std::vector<std::string>(w.begin() + 1, w.end())});
  }
  for (uint32_t t = 0; t < ntasks; ++t)
    if (!MultiProgArgv(out, t))
      return absl::InvalidArgumentError(absl::StrCat(
          "Configuration file ", file, " invalid, no record for task id ", t));
  return out;
}

std::optional<std::vector<std::string>> MultiProgArgv(const std::vector<MultiProgLine>& lines,
                                                      uint32_t task) {
  for (const auto& l : lines) {
    auto off = OffsetIn(l.range, task);
    if (!off) continue;
    std::vector<std::string> argv;
    for (const auto& a : l.argv)
      argv.push_back(absl::StrReplaceAll(
          a, {{"%t", std::to_string(task)}, {"%o", std::to_string(*off)}}));
    return argv;
  }
  return std::nullopt;
}

}  // namespace sluice::common
