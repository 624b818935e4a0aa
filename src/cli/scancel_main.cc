// scancel: cancel or signal jobs and steps. Which ones is decided by
// SelectCancelTargets (Slurm's rule: IDs and filters together act only on
// the IDs that match every filter); one CancelJobs call then carries them
// all with the same --signal/--full/--batch.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "cli/array_ids.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/scancel_select.h"
#include "cli/signals.h"
#include "common/hostlist.h"
#include "common/process_init.h"
#include "common/users.h"

namespace sluice::cli {
namespace {

enum { kMe = 1000, kHelp, kUsage, kSibling, kWckey };
const struct option kLong[] = {
    {"account", required_argument, nullptr, 'A'},
    {"batch", no_argument, nullptr, 'b'},
    {"full", no_argument, nullptr, 'f'},
    {"hurry", no_argument, nullptr, 'H'},
    {"interactive", no_argument, nullptr, 'i'},
    {"clusters", required_argument, nullptr, 'M'},
    {"cluster", required_argument, nullptr, 'M'},
    {"name", required_argument, nullptr, 'n'},
    {"jobname", required_argument, nullptr, 'n'},
    {"partition", required_argument, nullptr, 'p'},
    {"quiet", no_argument, nullptr, 'Q'},
    {"qos", required_argument, nullptr, 'q'},
    {"reservation", required_argument, nullptr, 'R'},
    {"sibling", required_argument, nullptr, kSibling},
    {"signal", required_argument, nullptr, 's'},
    {"state", required_argument, nullptr, 't'},
    {"user", required_argument, nullptr, 'u'},
    {"me", no_argument, nullptr, kMe},
    {"version", no_argument, nullptr, 'V'},
    {"verbose", no_argument, nullptr, 'v'},
    {"nodelist", required_argument, nullptr, 'w'},
    {"wckey", required_argument, nullptr, kWckey},
    {"help", no_argument, nullptr, kHelp},
    {"usage", no_argument, nullptr, kUsage},
    {nullptr, 0, nullptr, 0},
};

constexpr char kHelpText[] =
    "Usage: scancel [OPTIONS] [job_id[_array_id][.step_id]]\n"
    "  -A, --account=account           act only on jobs charging this account\n"
    "  -b, --batch                     signal batch shell for specified job\n"
    "  -f, --full                      signal batch shell and all steps for specified job\n"
    "  -H, --hurry                     avoid burst buffer stage out\n"
    "  -i, --interactive               require response from user for each job\n"
    "  -M, --clusters                  clusters to issue commands to.\n"
    "                                  NOTE: SlurmDBD must be up.\n"
    "  -n, --name=job_name             act only on jobs with this name\n"
    "  -p, --partition=partition       act only on jobs in this partition\n"
    "  -Q, --quiet                     disable warnings\n"
    "  -q, --qos=qos                   act only on jobs with this quality of service\n"
    "  -R, --reservation=reservation   act only on jobs with this reservation\n"
    "      --sibling=cluster_name      remove an active sibling job from a federated job\n"
    "  -s, --signal=name | integer     signal to send to job, default is SIGKILL\n"
    "  -t, --state=states              act only on jobs in this state.  Valid job\n"
    "                                  states are PENDING, RUNNING and SUSPENDED\n"
    "  -u, --user=user_name            act only on jobs of this user\n"
    "  -V, --version                   output version information and exit\n"
    "  -v, --verbose                   verbosity level\n"
    "  -w, --nodelist                  act only on jobs on these nodes\n"
    "      --wckey=wckey               act only on jobs with this workload\n"
    "                                  charactization key\n"
    "\nHelp options:\n"
    "  --help                          show this help message\n"
    "  --usage                         display brief usage message\n";

void SplitInto(const char* arg, std::set<std::string>* out) {
  for (absl::string_view v : absl::StrSplit(arg, ',', absl::SkipEmpty())) out->emplace(v);
}

std::string TargetText(const CancelTarget& t) {
  std::string id = t.task < 0 ? std::to_string(t.job) : absl::StrCat(t.job, "_", t.task);
  return t.step < 0 ? id : absl::StrCat(id, ".", t.step);
}

// Slurm's -i prompt; true for y/Y. End of input counts as no (Slurm would
// ask again for ever).
bool Confirm(const CancelTarget& t, const ::sluice::v1::QueryJobsReply& jobs) {
  const ::sluice::v1::JobInfo* job = nullptr;
  for (const auto& j : jobs.jobs())
    if (j.job_id() == t.job) job = &j;
  if (!job) return false;
  for (;;) {
    if (t.step < 0)
      std::printf("Cancel job_id=%lu name=%s partition=%s [y/n]? ",
                  static_cast<unsigned long>(t.job), job->name().c_str(),
                  job->partition().c_str());
    else
      std::printf("Cancel step_id=%lu.%d name=%s partition=%s [y/n]? ",
                  static_cast<unsigned long>(t.job), t.step, job->name().c_str(),
                  job->partition().c_str());
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) return false;
    if (!line.empty() && (line[0] == 'y' || line[0] == 'Y')) return true;
    if (!line.empty() && (line[0] == 'n' || line[0] == 'N')) return false;
  }
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("scancel");
  opterr = 1;
  CancelFilter filter;
  int signal = 0, verbose = 0;
  bool full = false, batch = false, interactive = false, quiet = false;
  std::string clusters;
  int c;
  while ((c = getopt_long(argc, argv, "A:bfHiM:n:p:Qq:R:s:t:u:Vvw:", kLong, nullptr)) != -1) {
    switch (c) {
      case 'A': SplitInto(optarg, &filter.accounts); break;
      case 'b': batch = true; break;
      case 'f': full = true; break;
      case 'H': break;  // no burst buffers here: nothing to stage out (docs/CLI.md)
      case 'i': interactive = true; break;
      case 'M': clusters = optarg; break;
      case 'n': SplitInto(optarg, &filter.names); break;
      case 'p': SplitInto(optarg, &filter.partitions); break;
      case 'Q': quiet = true; break;
      case 'q': SplitInto(optarg, &filter.qos); break;
      case 'R': SplitInto(optarg, &filter.reservations); break;
      case kWckey: SplitInto(optarg, &filter.wckeys); break;
      case kSibling:
        PrintError("scancel", "--sibling: this cluster is not part of a federation");
        return 1;
      case 's':
        signal = ParseSignal(optarg);
        if (!signal) {
          PrintError("scancel", absl::StrCat("Invalid job signal: ", optarg));
          return 1;
        }
        break;
      case 't': {
        auto st = ParseCancelState(optarg);
        if (!st) {
          PrintError("scancel", absl::StrCat("Invalid job state specified: ", optarg));
          return 1;
        }
        filter.state = *st;
        break;
      }
      case 'u': {
        filter.user_name = optarg;
        if (auto u = common::LookupUser(optarg)) {
          filter.uid = u->uid;
        } else {
          uint32_t v;
          if (!absl::SimpleAtoi(optarg, &v)) {
            PrintError("scancel", absl::StrCat("Invalid user name: ", optarg));
            return 1;
          }
          filter.uid = v;
        }
        break;
      }
      case kMe: {
        filter.uid = getuid();
        auto u = common::LookupUser(getuid());
        filter.user_name = u ? u->name : std::to_string(getuid());
        break;
      }
      case 'w': {
        auto h = common::ExpandHostlist(optarg);
        if (!h.ok()) {
          PrintError("scancel", absl::StrCat("Invalid node list: ", optarg));
          return 1;
        }
        filter.nodes.insert(h->begin(), h->end());
        break;
      }
      case 'v': ++verbose; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case kHelp: std::fputs(kHelpText, stdout); return 0;
      case kUsage:
        std::printf("Usage: scancel [-A account] [--batch] [--full] [--interactive] [-n job_name]\n"
                    "               [-p partition] [-Q] [-q qos] [-R reservation] [-s signal | integer]\n"
                    "               [-t PENDING | RUNNING | SUSPENDED] [--usage] [-u user_name]\n"
                    "               [--hurry] [-V] [-v] [-w hosts...] [--wckey=wckey]\n"
                    "               [job_id[_array_id][.step_id]]\n");
        return 0;
      case '?':
        std::fprintf(stderr, "Try \"scancel --help\" for more information\n");
        return 1;
      default:
        return NoHandler("scancel", c);
    }
  }
  std::vector<CancelTarget> targets;
  for (int i = optind; i < argc; ++i) {
    for (const std::string& tok : SplitJobList(argv[i])) {
      CancelTarget t;
      // N, N.S, N_i, N_i.S or N_[list].
      size_t dot = tok.find('.', tok.find(']') == std::string::npos ? 0 : tok.find(']'));
      auto sel = ParseJobSelector(absl::string_view(tok).substr(0, dot));
      bool ok = sel.ok();
      if (ok) t.job = sel->job;
      if (ok && dot != std::string::npos)
        ok = absl::SimpleAtoi(tok.substr(dot + 1), &t.step) && t.step >= 0;
      if (!ok) {
        PrintError("scancel", absl::StrCat("Invalid job id ", tok));
        return 1;
      }
      if (!sel->tasks) {
        targets.push_back(t);
        continue;
      }
      sel->tasks->ForEach([&](uint32_t task) {
        t.task = task;
        targets.push_back(t);
        return true;
      });
    }
  }
  if (targets.empty() && !filter.Any()) {
    PrintError("scancel", "No job identification provided");
    return 1;
  }
  auto cfg = LoadConfigOrComplain("scancel");
  if (!cfg) return 1;
  if (!OnlyThisCluster("scancel", clusters, *cfg, true)) return 1;
  CtldClient& client = CommandClient(*cfg);

  int rc = 0;
  bool has_steps = false;
  for (const auto& t : targets) has_steps |= t.step >= 0;
  // Plain job IDs go straight to the controller (unknown ones are quiet
  // unless -v, as in Slurm); filters, steps and -i need the job list.
  if (filter.Any() || has_steps || interactive) {
    auto jobs = client.QueryJobs({});
    if (!jobs.ok()) {
      PrintError("scancel", std::string(jobs.status().message()));
      return 1;
    }
    CancelSelection sel = SelectCancelTargets(*jobs, targets, filter);
    for (const auto& t : sel.unknown) {
      rc = 1;
      if (!quiet)
        PrintError("scancel", absl::StrCat(t.step < 0 ? "Kill job error on job id "
                                                      : "Kill job error on job step id ",
                                           TargetText(t), ": Invalid job id specified"));
    }
    if (sel.chosen.empty() && filter.Any() && verbose && !quiet)
      PrintError("scancel", absl::StrCat("No active jobs match ALL job filters, including: ",
                                         filter.Describe()));
    targets.clear();
    for (const auto& t : sel.chosen)
      if (!interactive || Confirm(t, *jobs)) targets.push_back(t);
    if (targets.empty()) return rc;
  }

  ::sluice::v1::CancelJobsRequest req;
  for (const auto& t : targets) {
    req.add_job_ids(t.job);
    req.add_step_ids(t.step);
    req.add_array_tasks(t.task);
    if (!verbose) continue;
    std::string what = t.step < 0 ? absl::StrCat("job ", TargetText(t))
                                  : absl::StrCat("step StepId=", TargetText(t));
    if (signal)
      std::fprintf(stderr, "scancel: Signal %d to %s\n", signal, what.c_str());
    else
      std::fprintf(stderr, "scancel: Terminating %s\n", what.c_str());
  }
  req.set_signal(signal);
  req.set_full(full);
  req.set_batch(batch);
  auto rep = client.Cancel(req);
  if (!rep.ok()) {
    PrintError("scancel", std::string(rep.status().message()));
    return 1;
  }
  for (int i = 0; i < rep->results_size(); ++i) {
    const auto& r = rep->results(i);
    if (r.error().empty()) continue;
    // Slurm keeps quiet about jobs that are unknown or already done unless
    // asked to be verbose, and exits 0 for them.
    bool benign = r.error_code() == 2017 || r.error_code() == 2021;
    const CancelTarget& t = targets[static_cast<size_t>(i)];
    if (!quiet && (!benign || verbose))
      PrintError("scancel", absl::StrCat(t.step < 0 ? "Kill job error on job id "
                                                    : "Kill job error on job step id ",
                                         TargetText(t), ": ", r.error()));
    if (!benign) rc = static_cast<int>(r.error_code() & 0xff);
  }
  return rc;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
