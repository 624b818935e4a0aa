// scancel: cancel or signal jobs.
#include "absl/strings/string_view.h"
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/process_init.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/signals.h"
#include "common/hostlist.h"
#include "common/job_types.h"
#include "common/users.h"

namespace sluice::cli {
namespace {

enum { kMe = 1000, kHelp, kUsage };
const struct option kLong[] = {
    {"user", required_argument, nullptr, 'u'},
    {"me", no_argument, nullptr, kMe},
    {"name", required_argument, nullptr, 'n'},
    {"jobname", required_argument, nullptr, 'n'},
    {"partition", required_argument, nullptr, 'p'},
    {"state", required_argument, nullptr, 't'},
    {"signal", required_argument, nullptr, 's'},
    {"full", no_argument, nullptr, 'f'},
    {"batch", no_argument, nullptr, 'b'},
    {"verbose", no_argument, nullptr, 'v'},
    {"quiet", no_argument, nullptr, 'Q'},
    {"nodelist", required_argument, nullptr, 'w'},
    {"account", required_argument, nullptr, 'A'},
    {"qos", required_argument, nullptr, 'q'},
    {"interactive", no_argument, nullptr, 'i'},
    {"clusters", required_argument, nullptr, 'M'},
    {"version", no_argument, nullptr, 'V'},
    {"help", no_argument, nullptr, kHelp},
    {"usage", no_argument, nullptr, kUsage},
    {nullptr, 0, nullptr, 0},
};

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("scancel");
  opterr = 1;
  std::optional<uint32_t> uid;
  std::set<std::string> names, partitions, nodes;
  std::optional<common::JobState> state;
  int signal = 0;
  bool full = false, batch = false, filters = false;
  int verbose = 0;
  int c;
  while ((c = getopt_long(argc, argv, "u:n:p:t:s:fbvQw:A:q:iM:V", kLong,
                          nullptr)) != -1) {
    switch (c) {
      case 'u': {
        filters = true;
        if (auto u = common::LookupUser(optarg)) {
          uid = u->uid;
        } else {
          uint32_t v;
          if (!absl::SimpleAtoi(optarg, &v)) {
            PrintError("scancel", absl::StrCat("Invalid user name: ", optarg));
            return 1;
          }
          uid = v;
        }
        break;
      }
      case kMe: filters = true; uid = getuid(); break;
      case 'n':
        filters = true;
        for (absl::string_view n : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
          names.emplace(n);
        break;
      case 'p':
        filters = true;
        for (absl::string_view p : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
          partitions.emplace(p);
        break;
      case 't': {
        filters = true;
        state = common::ParseJobState(optarg);
        if (!state) {
          PrintError("scancel", absl::StrCat("Invalid job state specified: ", optarg));
          return 1;
        }
        break;
      }
      case 'w': {
        filters = true;
        auto h = common::ExpandHostlist(optarg);
        if (!h.ok()) {
          PrintError("scancel", absl::StrCat("Invalid node list: ", optarg));
          return 1;
        }
        nodes.insert(h->begin(), h->end());
        break;
      }
      case 's':
        signal = ParseSignal(optarg);
        if (!signal) {
          PrintError("scancel", absl::StrCat("Invalid job signal: ", optarg));
          return 1;
        }
        break;
      case 'f': full = true; break;
      case 'b': batch = true; break;
      case 'v': ++verbose; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case kHelp: case kUsage:
        std::printf("Usage: scancel [OPTIONS] [job_id[_array_id][.step_id]]\n\n"
                    "See docs/CLI.md for the options Sluice supports.\n");
        return 0;
      case '?':
        std::fprintf(stderr, "Try \"scancel --help\" for more information\n");
        return 1;
      default: break;
    }
  }
  std::vector<uint64_t> ids;
  std::map<uint64_t, std::vector<int32_t>> steps;  // "N.S": only that step
  for (int i = optind; i < argc; ++i) {
    for (absl::string_view tok : absl::StrSplit(argv[i], absl::ByAnyChar(", "),
                                               absl::SkipEmpty())) {
      uint64_t v;
      int32_t step = -1;
      absl::string_view job_part = tok.substr(0, tok.find('.'));
      bool ok = absl::SimpleAtoi(job_part, &v) && v != 0;
      if (ok && job_part.size() < tok.size())
        ok = absl::SimpleAtoi(tok.substr(job_part.size() + 1), &step) && step >= 0;
      if (!ok) {
        PrintError("scancel", absl::StrCat("Invalid job id ", tok));
        return 1;
      }
      if (step >= 0)
        steps[v].push_back(step);
      else
        ids.push_back(v);
    }
  }
  if (!steps.empty() && !filters) {
    ::sluice::v1::CancelJobsRequest sreq;
    for (const auto& [job, list] : steps)
      for (int32_t st : list) {
        sreq.add_job_ids(job);
        sreq.add_step_ids(st);
      }
    for (uint64_t id : ids) {
      sreq.add_job_ids(id);
      sreq.add_step_ids(-1);
    }
    auto cfg = LoadConfigOrComplain("scancel");
    if (!cfg) return 1;
    CtldClient client(*cfg);
    auto rep = client.Cancel(sreq);
    if (!rep.ok()) {
      PrintError("scancel", std::string(rep.status().message()));
      return 1;
    }
    for (const auto& r : rep->results())
      if (!r.error().empty() && verbose)
        PrintError("scancel", absl::StrCat("Kill job error on job id ", r.job_id(), ": ", r.error()));
    return 0;
  }
  if (ids.empty() && !filters) {
    PrintError("scancel", "No job identification provided");
    return 1;
  }
  auto cfg = LoadConfigOrComplain("scancel");
  if (!cfg) return 1;
  CtldClient client(*cfg);

  if (filters) {
    // Filters pick among the live jobs (and among `ids` when given too).
    auto rep = client.QueryJobs({});
    if (!rep.ok()) {
      PrintError("scancel", std::string(rep.status().message()));
      return 1;
    }
    std::set<uint64_t> given(ids.begin(), ids.end());
    ids.clear();
    for (const auto& j : rep->jobs()) {
      auto st = static_cast<common::JobState>(j.state());
      if (common::IsFinished(st) || st == common::JobState::kCompleting) continue;
      if (state && st != *state) continue;
      if (uid && j.user_id() != *uid) continue;
      if (!names.empty() && !names.count(j.name())) continue;
      if (!partitions.empty() && !partitions.count(j.partition())) continue;
      if (!given.empty() && !given.count(j.job_id())) continue;
      if (!nodes.empty() && !RunsOnAny(j.node_list(), nodes)) continue;
      ids.push_back(j.job_id());
    }
    if (ids.empty()) return 0;
  }

  ::sluice::v1::CancelJobsRequest req;
  for (uint64_t id : ids) req.add_job_ids(id);
  req.set_signal(signal);
  req.set_full(full);
  req.set_batch(batch);
  if (verbose) {
    for (uint64_t id : ids) {
      if (signal)
        std::fprintf(stderr, "scancel: Signal %d to job %llu\n", signal,
                     static_cast<unsigned long long>(id));
      else
        std::fprintf(stderr, "scancel: Terminating job %llu\n",
                     static_cast<unsigned long long>(id));
    }
  }
  auto rep = client.Cancel(req);
  if (!rep.ok()) {
    PrintError("scancel", std::string(rep.status().message()));
    return 1;
  }
  int rc = 0;
  for (const auto& r : rep->results()) {
    if (r.error().empty()) continue;
    // Slurm keeps quiet about jobs that are unknown or already done unless
    // asked to be verbose, and exits 0 for them.
    bool benign = r.error_code() == 2017 || r.error_code() == 2021;
    if (!benign || verbose)
      PrintError("scancel",
                 absl::StrCat("Kill job error on job id ", r.job_id(), ": ",
                              r.error()));
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
