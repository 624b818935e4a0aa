// sbatch's script handling: the #SBATCH directives it carries, Slurm's
// checks on it, the --wrap script, and the environment --export sends.
// Pure; thread-safe.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/sbatch_options.h"

namespace sluice::cli {
namespace {
CliFailure Fail(std::string msg, int code) { return CliFailure{{std::move(msg)}, code, false}; }
}  // namespace

std::vector<std::string> ShellWords(absl::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quote) {
      if (ch == quote) {
        quote = 0;
      } else if (ch == '\\' && quote == '"' && i + 1 < line.size()) {
        cur += line[++i];
      } else {
        cur += ch;
      }
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
      in_word = true;
    } else if (ch == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      in_word = true;
    } else if (absl::ascii_isspace(ch)) {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else if (ch == '#' && !in_word) {
      break;  // a comment after the options
    } else {
      cur += ch;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

std::vector<std::string> ExtractDirectives(absl::string_view script) {
  std::vector<std::string> words;
  size_t pos = 0;
  bool first = true;
  while (pos < script.size()) {
    size_t nl = script.find('\n', pos);
    absl::string_view line = script.substr(
        pos, nl == absl::string_view::npos ? absl::string_view::npos : nl - pos);
    pos = nl == absl::string_view::npos ? script.size() : nl + 1;
    if (first) {  // the shebang
      first = false;
      continue;
    }
    absl::string_view t = absl::StripLeadingAsciiWhitespace(line);
    if (t.empty()) continue;
    if (t[0] != '#') break;  // first command ends the directives
    if (!absl::StartsWith(t, "#SBATCH")) continue;
    absl::string_view rest = t.substr(7);
    if (!rest.empty() && !absl::ascii_isspace(rest[0])) continue;
    for (auto& w : ShellWords(rest)) words.push_back(std::move(w));
  }
  return words;
}

std::optional<CliFailure> CheckScript(absl::string_view script) {
  if (script.empty()) return Fail("Batch script is empty!", 1);
  if (!absl::StartsWith(script, "#!"))
    return CliFailure{{"This does not look like a batch script.  The first",
                       "line must start with #! followed by the path to an "
                       "interpreter.",
                       "For instance: #!/bin/sh"},
                      1,
                      false};
  if (script.find('\0') != absl::string_view::npos)
    return Fail("The SBATCH script contains a NULL character", 1);
  return std::nullopt;
}

std::vector<std::string> ExportedEnv(const std::optional<std::string>& spec,
                                     const std::vector<std::string>& environ) {
  if (!spec || absl::AsciiStrToUpper(*spec) == "ALL") return environ;
  bool all = false;
  std::vector<std::string> names, assigned;
  if (absl::AsciiStrToUpper(*spec) != "NONE") {
    for (absl::string_view item : absl::StrSplit(*spec, ',', absl::SkipEmpty())) {
      if (absl::AsciiStrToUpper(item) == "ALL") {
        all = true;
      } else if (item.find('=') != absl::string_view::npos) {
        assigned.emplace_back(item);
        names.emplace_back(item.substr(0, item.find('=')));
      } else {
        names.emplace_back(item);
      }
    }
  }
  auto named = [&](const std::string& key) {
    for (const auto& n : names)
      if (n == key) return true;
    return false;
  };
  std::vector<std::string> out;
  for (const auto& e : environ) {
    std::string key = e.substr(0, e.find('='));
    bool explicitly_set = false;
    for (const auto& a : assigned)
      if (a.substr(0, a.find('=')) == key) explicitly_set = true;
    if (explicitly_set) continue;
    if (all || absl::StartsWith(key, "SLURM_") || named(key)) out.push_back(e);
  }
  out.insert(out.end(), assigned.begin(), assigned.end());
  return out;
}

std::string WrapScript(const std::string& command) {
  return absl::StrCat("#!/bin/sh\n# This script was created by sbatch --wrap.\n\n",
                      command, "\n");
}

}  // namespace sluice::cli
