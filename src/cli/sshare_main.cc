// sshare: Fair Tree's shares and usage per association (issue 13 point 5),
// as Slurm 22.05 prints them. Rows: every account, and the caller's own
// user associations; -a every user's, -u those users', -A only those
// accounts' subtrees, -U users only.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/sshare_format.h"
#include "common/process_init.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

constexpr char kUsage[] =
    "Usage:  sshare [OPTION]                                                    \n"
    "  Valid OPTIONs are:                                                       \n"
    "    -a or --all            list all users                                  \n"
    "    -A or --accounts=      display specific accounts (comma separated list)\n"
    "    -e or --helpformat     Print a list of fields that can be specified    \n"
    "                           with the '--format' option                      \n"
    "    -l or --long           include normalized usage in output              \n"
    "    -m or --partition      print the partition part of the association     \n"
    "    -M or --cluster=names  clusters to issue commands to.                  \n"
    "                           NOTE: SlurmDBD must be up.                      \n"
    "    -n or --noheader       omit header from output                         \n"
    "    -o or --format=        Comma separated list of fields (use             \n"
    "                           \"--helpformat\" for a list of available fields).\n"
    "    -p or --parsable       '|' delimited output with a trailing '|'        \n"
    "    -P or --parsable2      '|' delimited output without a trailing '|'     \n"
    "    -u or --users=         display specific users (comma separated list)   \n"
    "    -U or --Users          display only user information                   \n"
    "    -v or --verbose        display more information                        \n"
    "    -V or --version        display tool version number                     \n"
    "          --help           display this usage description                  \n"
    "          --usage          display this usage description                  \n"
    "                                                                           \n\n";

std::set<std::string> ListOf(const char* v) {
  std::set<std::string> out;
  for (absl::string_view s : absl::StrSplit(v, ',', absl::SkipEmpty())) out.emplace(s);
  return out;
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("sshare");
  enum { kHelp = 1000, kUsageOpt };
  static const struct option kLong[] = {
      {"all", no_argument, nullptr, 'a'},         {"accounts", required_argument, nullptr, 'A'},
      {"helpformat", no_argument, nullptr, 'e'},  {"long", no_argument, nullptr, 'l'},
      {"partition", no_argument, nullptr, 'm'},   {"cluster", required_argument, nullptr, 'M'},
      {"clusters", required_argument, nullptr, 'M'}, {"noheader", no_argument, nullptr, 'n'},
      {"format", required_argument, nullptr, 'o'}, {"parsable", no_argument, nullptr, 'p'},
      {"parsable2", no_argument, nullptr, 'P'},   {"users", required_argument, nullptr, 'u'},
      {"Users", no_argument, nullptr, 'U'},       {"verbose", no_argument, nullptr, 'v'},
      {"version", no_argument, nullptr, 'V'},     {"help", no_argument, nullptr, kHelp},
      {"usage", no_argument, nullptr, kUsageOpt}, {nullptr, 0, nullptr, 0}};
  bool all = false, long_format = false, partition = false, header = true, users_only = false;
  std::set<std::string> accounts, users;
  std::string format, clusters;
  int verbose = 0;
  ShareLayout layout = ShareLayout::kTable;
  int c;
  while ((c = getopt_long(argc, argv, "aA:elmM:no:pPu:UvV", kLong, nullptr)) != -1) {
    switch (c) {
      case 'a': all = true; break;
      case 'A': accounts = ListOf(optarg); break;
      case 'e': std::fputs(ShareHelpFormat().c_str(), stdout); return 0;
      case 'l': long_format = true; break;
      case 'm': partition = true; break;
      case 'M': clusters = optarg; break;
      case 'n': header = false; break;
      case 'o': format = optarg; break;
      case 'p': layout = ShareLayout::kParsable; break;
      case 'P': layout = ShareLayout::kParsable2; break;
      case 'u':
        // (Slurm takes -u -1 or "all" as every user)
        if (std::string(optarg) == "-1" || std::string(optarg) == "all") all = true;
        else users = ListOf(optarg);
        break;
      case 'U': users_only = true; break;
      case 'v': ++verbose; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case kHelp:
      case kUsageOpt: std::fputs(kUsage, stdout); return 0;
      case '?': std::fprintf(stderr, "Try \"sshare --help\" for more information\n"); return 1;
      default: return NoHandler("sshare", c);
    }
  }
  std::vector<ShareColumn> cols = DefaultShareColumns(long_format, partition);
  if (!format.empty()) {
    auto parsed = ParseShareFormat(format);
    if (!parsed.ok()) {
      PrintError("sshare", std::string(parsed.status().message()));
      return 1;
    }
    cols = *std::move(parsed);
  }
  auto cfg = LoadConfigOrComplain("sshare");
  if (!cfg) return 1;
  if (!clusters.empty() && !OnlyThisCluster("sshare", clusters, *cfg, false)) return 1;
  CtldClient& client = CommandClient(*cfg);
  auto rep = client.QueryShares();
  if (!rep.ok()) {
    PrintError("sshare", std::string(rep.status().message()));
    return 1;
  }
  if (verbose) std::fprintf(stderr, "sshare: %d associations\n", rep->shares_size());
  // The rows: within -A's subtrees (re-indented from there), accounts
  // unless -U, and the users asked for.
  std::vector<const v1::ShareRecord*> rows;
  std::vector<int> indent;
  int base = -1;  // depth of the -A account whose subtree this row is in
  for (const auto& r : rep->shares()) {
    if (base >= 0 && static_cast<int>(r.depth()) <= base) base = -1;
    if (!accounts.empty() && base < 0) {
      if (!r.user().empty() || !accounts.count(r.account())) continue;
      base = static_cast<int>(r.depth());
    }
    const int depth = static_cast<int>(r.depth()) - std::max(base, 0);
    if (r.user().empty()) {
      if (users_only) continue;
    } else if (!rep->private_usage()) {
      bool wanted = all || (users.empty() ? r.user() == rep->caller() : users.count(r.user()) > 0);
      if (!wanted) continue;
    }
    rows.push_back(&r);
    indent.push_back(users_only ? 0 : depth);
  }
  std::fputs(FormatShares(cols, rows, rep->cluster(), layout, header, indent).c_str(), stdout);
  return 0;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
