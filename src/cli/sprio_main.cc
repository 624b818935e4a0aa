// sprio: each pending job's priority and the weighted (or, with -n,
// normalised) factors it sums, as Slurm 22.05 prints them; -w the weights.
// Only under priority/multifactor, as in Slurm.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/sprio_format.h"
#include "common/process_init.h"
#include "common/users.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

constexpr char kHelpText[] =
    "Usage: sprio [OPTIONS]\n"
    "      --federation                display jobs in federation if a member of one\n"
    "  -h, --noheader                  no headers on output\n"
    "  -j, --jobs                      comma separated list of jobs\n"
    "                                  to view, default is all\n"
    "      --local                     display jobs on local cluster only\n"
    "  -l, --long                      long report\n"
    "  -M, --cluster=cluster_name      cluster to issue commands to.  Default is\n"
    "                                  current cluster.  cluster with no name will\n"
    "                                  reset to default.\n"
    "                                  NOTE: SlurmDBD must be up.\n"
    "  -n, --norm                      display normalized values\n"
    "  -o, --format=format             format specification\n"
    "      --sibling                   display job records separately for each federation cluster\n"
    "  -p, --partition=partition_name  comma separated list of partitions\n"
    "  -u, --user=user_name            comma separated list of users to view\n"
    "  -v, --verbose                   verbosity level\n"
    "  -V, --version                   output version information and exit\n"
    "  -w, --weights                   show the weights for each priority factor\n"
    "\nHelp options:\n"
    "  --help                          show this help message\n"
    "  --usage                         display a brief summary of sprio options\n";
constexpr char kUsageText[] =
    "Usage: sprio [-j jid[s]] [-u user_name[s]] [-o format] [-p partitions]\n"
    "   [--federation] [--local] [--sibling] [--usage] [-hlnvVw]\n";

std::vector<std::string> Split(const char* v) {
  return absl::StrSplit(v, ',', absl::SkipEmpty());
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("sprio");
  enum { kHelp = 1000, kUsageOpt, kLocal, kFederation, kSibling };
  static const struct option kLong[] = {
      {"noheader", no_argument, nullptr, 'h'},  {"jobs", required_argument, nullptr, 'j'},
      {"long", no_argument, nullptr, 'l'},      {"cluster", required_argument, nullptr, 'M'},
      {"clusters", required_argument, nullptr, 'M'}, {"norm", no_argument, nullptr, 'n'},
      {"format", required_argument, nullptr, 'o'}, {"partition", required_argument, nullptr, 'p'},
      {"user", required_argument, nullptr, 'u'}, {"verbose", no_argument, nullptr, 'v'},
      {"version", no_argument, nullptr, 'V'},   {"weights", no_argument, nullptr, 'w'},
      {"local", no_argument, nullptr, kLocal},  {"federation", no_argument, nullptr, kFederation},
      {"sibling", no_argument, nullptr, kSibling}, {"help", no_argument, nullptr, kHelp},
      {"usage", no_argument, nullptr, kUsageOpt}, {nullptr, 0, nullptr, 0}};
  bool header = true, long_format = false, norm = false, weights = false;
  std::set<uint64_t> jobs;
  std::set<std::string> partitions;
  std::set<uint32_t> uids;
  bool users_given = false;
  std::string format, clusters;
  int c;
  while ((c = getopt_long(argc, argv, "hj:lM:no:p:u:vVw", kLong, nullptr)) != -1) {
    switch (c) {
      case 'h': header = false; break;
      case 'j':
        for (const auto& s : Split(optarg)) {
          uint64_t id = 0;
          if (!absl::SimpleAtoi(s, &id)) {
            PrintError("sprio", "Invalid job id: " + s);
            return 1;
          }
          jobs.insert(id);
        }
        break;
      case 'l': long_format = true; break;
      case 'M': clusters = optarg; break;
      case 'n': norm = true; break;
      case 'o': format = optarg; break;
      case 'p': for (const auto& s : Split(optarg)) partitions.insert(s); break;
      case 'u':
        users_given = true;
        for (const auto& s : Split(optarg)) {
          auto u = common::LookupUser(s);
          if (!u) std::fprintf(stderr, "sprio: error: Invalid user: %s\n\n", s.c_str());
          else uids.insert(u->uid);
        }
        break;
      case 'v': break;  // (Slurm's -v adds only its own debug lines; listed in docs/CLI.md)
      case 'V': std::printf("%s\n", kVersion); return 0;
      case 'w': weights = true; break;
      case kLocal:
      case kFederation:
      case kSibling: break;  // one cluster, no federation (docs/CLI.md)
      case kHelp: std::fputs(kHelpText, stdout); return 0;
      case kUsageOpt: std::fputs(kUsageText, stdout); return 0;
      case '?': std::fprintf(stderr, "Try \"sprio --help\" for more information\n"); return 1;
      default: return NoHandler("sprio", c);
    }
  }
  auto cfg = LoadConfigOrComplain("sprio");
  if (!cfg) return 1;
  if (!clusters.empty() && !OnlyThisCluster("sprio", clusters, *cfg, false)) return 1;
  CtldClient& client = CommandClient(*cfg);
  auto rep = client.QueryShares();
  if (!rep.ok()) {
    PrintError("sprio", std::string(rep.status().message()));
    return 1;
  }
  if (!rep->multifactor()) {
    std::printf("You are not running a supported priority plugin\n(priority/basic).\n"
                "Only 'priority/multifactor' is supported.\n");
    return 1;
  }
  auto f = ParsePrioFormat(format.empty()
                               ? DefaultPrioFormat(*rep, long_format, norm, users_given && !uids.empty())
                               : format);
  if (!f.ok()) {
    PrintError("sprio", std::string(f.status().message()));
    std::printf("\n");
    return 0;
  }
  if (header || weights) std::fputs(PrioHeader(*f).c_str(), stdout);
  if (weights) {
    std::fputs(PrioWeights(*f, *rep).c_str(), stdout);
    return 0;
  }
  size_t shown = 0;
  for (const auto& j : rep->jobs()) {
    if (!jobs.empty() && !jobs.count(j.job_id())) continue;
    if (!uids.empty() && !uids.count(j.uid())) continue;
    if (!partitions.empty() && !partitions.count(j.partition())) continue;
    std::fputs(PrioLine(*f, j, *rep).c_str(), stdout);
    ++shown;
  }
  if (!shown && (!jobs.empty() || !uids.empty()))
    std::printf("Unable to find jobs matching user/id(s) specified\n");
  return 0;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
