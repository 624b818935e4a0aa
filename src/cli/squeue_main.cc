// squeue: view the job queue.
#include "absl/strings/string_view.h"
#include <deque>
#include <getopt.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <ctime>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_format.h"
#include "common/process_init.h"
#include "cli/views_json.h"
#include "cli/array_ids.h"
#include "cli/cli_util.h"
#include "cli/query_help.h"
#include "common/time_spec.h"
#include "cli/ctld_client.h"
#include "cli/squeue_format.h"
#include "common/hostlist.h"
#include "common/job_types.h"
#include "common/users.h"

namespace sluice::cli {
namespace {

using ::sluice::v1::JobInfo;

constexpr char kValidStates[] =
    "PENDING,RUNNING,SUSPENDED,COMPLETED,CANCELLED,FAILED,TIMEOUT,NODE_FAIL,"
    "PREEMPTED,BOOT_FAIL,DEADLINE,OUT_OF_MEMORY,COMPLETING,CONFIGURING,"
    "RESIZING,RESV_DEL_HOLD,REQUEUED,REQUEUE_FED,REQUEUE_HOLD,REVOKED,"
    "SIGNALING,SPECIAL_EXIT,STAGE_OUT,STOPPED";

struct Options {
  char document = 0;  // --json 'j', --yaml 'y'
  std::vector<uint64_t> jobs;
  std::vector<JobSelector> selectors;  // -j, parallel to jobs
  std::set<uint32_t> uids;
  bool users_given = false;
  std::set<std::string> partitions, names, nodes;
  std::vector<std::string> node_order;  // -w as given, to check in order
  std::set<common::JobState> states;
  bool all_states = false, states_given = false, noheader = false, long_fmt = false;
  bool start = false;  // --start: pending jobs with their expected start
  bool steps = false;  // -s/--steps: the running jobs' steps
  std::string format;
  std::string long_format;  // -O/--Format
  int iterate_s = 0;        // -i/--iterate
  bool long_format_given = false;
  // -v: the settings dump Slurm prints on stdout, from the raw arguments.
  int verbose = 0;
  bool all = false, array = false;
  std::string raw_jobs, raw_names, raw_nodes, raw_partitions, raw_sort, raw_states,
      raw_steps, raw_users;
};

// squeue -v's dump, in Slurm 22.05's layout (its "sibling" line has one
// space more than the others).
std::string SettingsDump(const Options& o) {
  auto text = [](const std::string& v) { return v.empty() ? std::string("(null)") : v; };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  std::string out = "-----------------------------\n";
  // Naming partitions or jobs lists hidden partitions too.
  absl::StrAppend(&out, "all         = ",
                  flag(o.all || !o.raw_jobs.empty() || !o.raw_partitions.empty()), "\n");
  absl::StrAppend(&out, "array       = ", flag(o.array), "\n");
  absl::StrAppend(&out, "federation  = false\n");
  absl::StrAppend(&out, "format      = ", text(o.format), "\n");
  absl::StrAppend(&out, "iterate     = 0\n");
  absl::StrAppend(&out, "job_flag    = ", o.raw_jobs.empty() ? 0 : 1, "\n");
  absl::StrAppend(&out, "jobs        = ", text(o.raw_jobs), "\n");
  absl::StrAppend(&out, "licenses    = (null)\n");
  absl::StrAppend(&out, "local       = false\n");
  absl::StrAppend(&out, "names       = ", text(o.raw_names), "\n");
  absl::StrAppend(&out, "nodes       = ", o.raw_nodes, "\n");
  absl::StrAppend(&out, "partitions  = ", text(o.raw_partitions), "\n");
  absl::StrAppend(&out, "priority    = false\n");
  absl::StrAppend(&out, "reservation = (null)\n");
  absl::StrAppend(&out, "sibling      = false\n");
  absl::StrAppend(&out, "sort        = ", text(o.raw_sort), "\n");
  absl::StrAppend(&out, "start_flag  = ", o.start ? 1 : 0, "\n");
  absl::StrAppend(&out, "states      = ", text(o.raw_states), "\n");
  absl::StrAppend(&out, "step_flag   = ", o.steps ? 1 : 0, "\n");
  absl::StrAppend(&out, "steps       = ", text(o.raw_steps), "\n");
  absl::StrAppend(&out, "users       = ", text(o.raw_users), "\n");
  absl::StrAppend(&out, "verbose     = ", o.verbose, "\n");
  absl::StrAppend(&out, "-----------------------------\n\n\n");
  return out;
}

enum { kMe = 1000, kHelp, kUsage, kStart, kJson, kYaml, kNoconvert, kInert };

const struct option kLong[] = {
    {"jobs", required_argument, nullptr, 'j'},
    {"job", required_argument, nullptr, 'j'},
    {"user", required_argument, nullptr, 'u'},
    {"me", no_argument, nullptr, kMe},
    {"partition", required_argument, nullptr, 'p'},
    {"states", required_argument, nullptr, 't'},
    {"state", required_argument, nullptr, 't'},
    {"noheader", no_argument, nullptr, 'h'},
    {"format", required_argument, nullptr, 'o'},
    {"Format", required_argument, nullptr, 'O'},
    {"iterate", required_argument, nullptr, 'i'},
    {"long", no_argument, nullptr, 'l'},
    {"all", no_argument, nullptr, 'a'},
    {"name", required_argument, nullptr, 'n'},
    {"nodelist", required_argument, nullptr, 'w'},
    {"sort", required_argument, nullptr, 'S'},
    {"array", no_argument, nullptr, 'r'},
    {"steps", optional_argument, nullptr, 's'},
    {"start", no_argument, nullptr, kStart},
    {"verbose", no_argument, nullptr, 'v'},
    {"version", no_argument, nullptr, 'V'},
    {"account", required_argument, nullptr, 'A'},
    {"qos", required_argument, nullptr, 'q'},
    {"clusters", required_argument, nullptr, 'M'},
    {"noconvert", no_argument, nullptr, kNoconvert},
    {"help", no_argument, nullptr, kHelp},
    {"usage", no_argument, nullptr, kUsage},
    {"json", no_argument, nullptr, kJson},
    {"licenses", required_argument, nullptr, 'L'},
    {"reservation", required_argument, nullptr, 'R'},
    {"array-unique", no_argument, nullptr, kInert},
    {"federation", no_argument, nullptr, kInert},
    {"local", no_argument, nullptr, kInert},
    {"sibling", no_argument, nullptr, kInert},
    {"hide", no_argument, nullptr, kInert},
    {"yaml", no_argument, nullptr, kYaml},
    {nullptr, 0, nullptr, 0},
};

constexpr char kShort[] = "j:u:p:t:ho:O:i:lan:w:S:rs::vVA:q:M:L:R:";

// squeue(1)'s input variables for the options squeue has.
constexpr InputVar kInputVars[] = {
    {"SQUEUE_ACCOUNT", "account", 'A', false}, {"SQUEUE_ALL", "all", 'a', true},
    {"SQUEUE_ARRAY", "array", 'r', true},       {"SQUEUE_NAMES", "name", 'n', false},
    {"SQUEUE_FORMAT", "format", 'o', false},    {"SQUEUE_FORMAT2", "Format", 'O', false},
    {"SQUEUE_PARTITION", "partition", 'p', false},
    {"SQUEUE_QOS", "qos", 'q', false},          {"SQUEUE_SORT", "sort", 'S', false},
    {"SQUEUE_STATES", "states", 't', false},    {"SQUEUE_USERS", "user", 'u', false},
    {"SLURM_CLUSTERS", "clusters", 'M', false},
    {"SQUEUE_LICENSES", "licenses", 'L', false}, {"SQUEUE_FEDERATION", "federation", kInert, true},
    {"SQUEUE_LOCAL", "local", kInert, true},     {"SQUEUE_SIBLING", "sibling", kInert, true},
};

int Main(int argc, char** argv) {
  Options o;
  std::vector<std::string> user_args;
  std::string state_arg, sort, clusters;
  std::set<std::string> accounts;
  std::set<std::string> qos_filter;  // -q (jobs without a QOS match none)
  bool match_none = false;
  argv[0] = const_cast<char*>("squeue");
  // One getopt pass (-1 to go on, else the exit code).
  auto parse = [&](int argc, char** argv) -> int {
    optind = 0;  // full re-initialisation (glibc)
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, kShort, kLong, nullptr)) != -1) {
      switch (c) {
        case 'j':
          o.raw_jobs = optarg;
          for (absl::string_view id : absl::StrSplit(optarg, ',', absl::SkipEmpty())) {
            auto sel = ParseJobSelector(id);
            if (!sel.ok()) {
              PrintError("squeue", std::string(sel.status().message()));
              return 1;
            }
            o.jobs.push_back(sel->job);
            o.selectors.push_back(*std::move(sel));
          }
          break;
        case 'u':
          o.raw_users = optarg;
          o.users_given = true;
          for (absl::string_view u : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
            user_args.emplace_back(u);
          break;
        case kMe:
          o.users_given = true;
          o.uids.insert(getuid());
          break;
        case 'p':
          o.raw_partitions = optarg;
          for (absl::string_view p : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
            o.partitions.emplace(p);
          break;
        case 't':
          o.raw_states = optarg;
          o.states_given = true;
          state_arg = optarg;
          break;
        case 'h': o.noheader = true; break;
        // -o and -O exclude each other; the later one says so.
        case 'o':
          if (o.long_format_given) {
            PrintError("squeue", "-o (--format) is incompatible with -O (--Format)");
            return 1;
          }
          o.format = optarg;
          break;
        case 'O':
          if (!o.format.empty()) {
            PrintError("squeue", "-O (--Format) is incompatible with -o (--format)");
            return 1;
          }
          o.long_format = optarg;
          o.long_format_given = true;
          break;
        case 'l': o.long_fmt = true; break;
        case 'i':
          // Slurm takes the leading number ("5x" is 5) and refuses the rest.
          o.iterate_s = std::atoi(optarg);
          if (o.iterate_s <= 0) {
            PrintError("squeue", absl::StrCat("--iterate=", optarg));
            std::fputc('\n', stderr);
            return 1;
          }
          break;
        case kStart: o.start = true; break;
        case 's':
          o.steps = true;
          if (optarg) o.raw_steps = optarg;
          break;
        case 'n':
          o.raw_names = optarg;
          for (absl::string_view n : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
            o.names.emplace(n);
          break;
        case 'w': {
          o.raw_nodes = optarg;
          auto hosts = common::ExpandHostlist(optarg);
          if (!hosts.ok()) {
            // (Slurm's reading of an unclosed range "n[1-" is "n]".)
            std::string raw = optarg;
            auto open = raw.find('[');
            PrintError("squeue", absl::StrCat("Invalid node name ",
                                              open == std::string::npos ? raw : raw.substr(0, open) + "]"));
            return 1;
          }
          o.nodes.insert(hosts->begin(), hosts->end());
          o.node_order.insert(o.node_order.end(), hosts->begin(), hosts->end());
          break;
        }
        case 'S':
          sort = o.raw_sort = optarg;
          break;
        case 'A':
          for (absl::string_view a : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
            accounts.emplace(a);
          break;
        case 'q':
          for (absl::string_view q : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
            qos_filter.emplace(absl::AsciiStrToLower(q));
          break;
        // No Sluice job holds a license or runs in a reservation (there
        // are none): these filters match none, as Slurm's here.
        case 'L':
        case 'R':
          match_none = true;
          break;
        // Inert, as in Slurm on a lone cluster without hidden partitions
        // (docs/CLI.md): --array-unique (pending arrays are one line
        // already), --federation, --local, --sibling, --hide.
        case kInert: break;
        case 'M': clusters = optarg; break;
        // Inert, as in Slurm on a cluster like ours (docs/CLI.md): -a shows
        // hidden partitions (there are none); -r lists array tasks one per
        // line;
        // --noconvert keeps sizes unconverted (squeue prints them in MB).
        case 'a': o.all = true; break;
        case 'r': o.array = true; break;
        case kNoconvert: break;
        // --json/--yaml: every job the controller holds; the listing's
        // filters do not narrow it, as in Slurm 22.05.
        case kJson: o.document = 'j'; break;
        case kYaml: o.document = 'y'; break;
        case 'v': ++o.verbose; break;
        case 'V': std::printf("%s\n", kVersion); return 0;
        case kHelp: std::fputs(SqueueHelp(), stdout); return 0;
        case kUsage: std::fputs(SqueueUsage(), stdout); return 0;
        case '?':
          std::fprintf(stderr, "Try \"squeue --help\" for more information\n");
          return 1;
        default:
          return NoHandler("squeue", c);
      }
    }
    return -1;
  };
  // SQUEUE_* input variables (squeue(1)) stand for their options; one the
  // command line gives is left to the command line, as in Slurm.
  std::set<int> given;
  opterr = 0;
  optind = 0;
  for (int c; (c = getopt_long(argc, argv, kShort, kLong, nullptr)) != -1;) given.insert(c);
  // Either format on the command line stands for both variables, and
  // SQUEUE_FORMAT outranks SQUEUE_FORMAT2, as in Slurm.
  if (given.count('o') || given.count('O')) given.insert({'o', 'O'});
  if (const char* f = std::getenv("SQUEUE_FORMAT"); f && *f) given.insert('O');
  if (int rc = ParseInputVars("squeue", kInputVars, std::size(kInputVars), given, parse); rc >= 0)
    return rc;
  if (int rc = parse(argc, argv); rc >= 0) return rc;
  if (o.states_given) {
    for (absl::string_view s : absl::StrSplit(state_arg, ',', absl::SkipEmpty())) {
      std::string str(s);
      if (str == "all" || str == "ALL") {
        o.all_states = true;
        continue;
      }
      auto st = common::ParseJobState(str);
      if (!st) {
        PrintError("squeue", absl::StrCat("Invalid job state specified: ", str));
        PrintError("squeue", absl::StrCat("Valid job states include: ", kValidStates));
        std::fputc('\n', stderr);
        return 1;
      }
      o.states.insert(*st);
    }
  }
  for (const auto& u : user_args) {
    uint32_t uid;
    if (auto info = common::LookupUser(u)) {
      o.uids.insert(info->uid);
    } else if (absl::SimpleAtoi(u, &uid)) {
      o.uids.insert(uid);
    } else {
      PrintError("squeue", absl::StrCat("Invalid user: ", u));
      std::fputc('\n', stderr);
    }
  }

  auto cfg = LoadConfigOrComplain("squeue");
  if (!cfg) return 1;
  if (!OnlyThisCluster("squeue", clusters, *cfg, true)) return 1;
  CtldClient& client = CommandClient(*cfg);
  if (o.document) {
    ::sluice::v1::QueryJobsRequest all;
    auto rep = LoadJobs(client, all);
    if (!rep) return 1;
    std::fputs(SqueueDocument(rep->reply(), o.document == 'y').c_str(), stdout);
    return 0;
  }
  if (!o.node_order.empty()) {
    // -w names nodes: one that is not a node is refused, as Slurm does.
    auto cluster = client.QueryCluster();
    if (cluster.ok()) {
      std::set<std::string> known;
      for (const auto& n : cluster->nodes()) known.insert(n.name());
      for (const auto& n : o.node_order)
        if (!known.count(n)) {
          PrintError("squeue", absl::StrCat("Invalid node name ", n));
          return 1;
        }
    }
  }
  ::sluice::v1::QueryJobsRequest req;
  if (o.jobs.size() == 1) req.add_job_ids(o.jobs[0]);
  // The controller filters too, so a large queue is not sent whole; the
  // checks below stay (they also cover what it cannot: array tasks, nodes).
  if (o.users_given)
    for (uint32_t uid : o.uids) req.add_user_ids(uid);
  for (const auto& p : o.partitions) req.add_partitions(p);
  for (const auto& n : o.names) req.add_names(n);
  if (o.states_given && !o.all_states)
    for (auto st : o.states) req.add_states(static_cast<::sluice::v1::JobState>(st));
  req.set_active_only(!o.states_given);
  // The default listing reads few fields: ask for those alone.
  req.set_brief(o.format.empty() && !o.long_format_given && !o.long_fmt && !o.start &&
                !o.steps && sort.empty());
  if (o.verbose) std::fputs(SettingsDump(o).c_str(), stdout);
  // -i: the listing again every N seconds, a blank line between rounds.
  auto show = [&]() -> int {
    auto rep = LoadJobs(client, req);
    if (!rep) return 1;
    if (o.verbose) {
      // The time of the listing and what the controller sent, as Slurm's -v.
      if (!o.noheader) std::printf("%s\n", ListingTime(rep->now()).c_str());  // with the header
      std::printf("last_update_time=%lld records=%d\n",
                  req.job_ids_size() ? 0LL : static_cast<long long>(rep->now()), rep->jobs_size());
    }

    std::vector<const JobInfo*> rows;
    // An array's waiting tasks are one record; -r, or -j naming some of
    // them, shows them one line each.
    std::deque<JobInfo> split;
    for (const auto& j : rep->jobs()) {
      if (j.array_job_id() == 0 || j.array_task_id() >= 0) continue;
      const common::ArrayIndexSet* only = nullptr;
      bool whole = o.selectors.empty();
      for (const auto& sel : o.selectors) {
        if (!SelectorMatches(sel, j)) continue;
        if (sel.tasks) only = &*sel.tasks;
        else whole = true;
      }
      if (whole) only = nullptr;
      if (!o.array && (whole || !only)) continue;
      for (auto& t : SplitPendingRest(j, only)) split.push_back(std::move(t));
    }
    std::vector<const JobInfo*> listed;
    for (const auto& j : rep->jobs()) {
      bool rest = j.array_job_id() && j.array_task_id() < 0;
      bool narrowed = false;
      for (const auto& sel : o.selectors) narrowed |= sel.tasks && SelectorMatches(sel, j);
      if (rest && (o.array || narrowed)) continue;  // shown task by task
      listed.push_back(&j);
    }
    for (const auto& t : split) listed.push_back(&t);
    for (const JobInfo* jp : listed) {
      const JobInfo& j = *jp;
      auto st = static_cast<common::JobState>(j.state());
      if (o.states_given && !o.all_states) {
        common::JobState shown =
            j.completing() ? common::JobState::kCompleting : st;
        if (!o.states.count(shown)) continue;
      } else if (!o.states_given && common::IsFinished(st)) {
        continue;
      }
      if (o.start && st != common::JobState::kPending) continue;
      if (!o.selectors.empty()) {
        bool any = false;
        for (const auto& sel : o.selectors) any |= SelectorMatches(sel, j);
        if (!any) continue;
      }
      if (o.users_given && !o.uids.count(j.user_id())) continue;
      if (!o.partitions.empty() && !o.partitions.count(j.partition())) continue;
      if (!o.names.empty() && !o.names.count(j.name())) continue;
      if (!o.nodes.empty() && !RunsOnAny(j.node_list(), o.nodes)) continue;
      if (!accounts.empty() && !accounts.count(j.account())) continue;
      if (!qos_filter.empty() && !qos_filter.count(j.qos())) continue;
      if (match_none) continue;
      rows.push_back(&j);
    }
    if (o.steps) {
      // Slurm lists each running job's srun steps, then its batch step
      // (whose ID sorts after every number).
      std::string out = o.noheader ? "" : absl::StrFormat("%15s %8s %9s %8s %9s %s\n", "STEPID",
                                                         "NAME", "PARTITION", "USER", "TIME",
                                                         "NODELIST");
      SortJobsDefault(&rows);
      for (const JobInfo* j : rows) {
        if (static_cast<common::JobState>(j->state()) != common::JobState::kRunning) continue;
        int64_t run = std::max<int64_t>(0, rep->now() - j->start_time());
        for (const auto& st : j->steps())
          absl::StrAppend(&out, absl::StrFormat(
                                    "%15s %8s %9s %8s %9s %s\n",
                                    absl::StrCat(j->job_id(), ".", st.step_id()),
                                    st.name().substr(0, 8), j->partition(),
                                    j->user_name().substr(0, 8),
                                    common::FormatDuration(std::max<int64_t>(0, rep->now() - st.start_time())),
                                    st.node_list()));
        if (!j->interactive())
          absl::StrAppend(&out, absl::StrFormat("%15s %8s %9s %8s %9s %s\n",
                                                absl::StrCat(j->job_id(), ".batch"), "batch",
                                                j->partition(), j->user_name().substr(0, 8),
                                                common::FormatDuration(run), j->batch_host()));
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      return 0;
    }
    if (o.start)
      SortJobsByStart(&rows);
    else
      SortJobsDefault(&rows);
    if (!sort.empty())
      if (auto s = SortJobsBy(&rows, sort, rep->now()); !s.ok()) {
        PrintError("squeue", std::string(s.message()));
        return 1;
      }

    std::string fmt = !o.format.empty() ? o.format
                      : o.start         ? kSqueueStartFormat
                      : o.long_fmt      ? kSqueueLongFormat
                                        : kSqueueDefaultFormat;
    std::vector<FormatItem> items;
    if (o.long_format_given) {
      std::vector<std::string> unknown;
      items = ParseSqueueLongFormat(o.long_format, &unknown);
      for (const auto& u : unknown)
        PrintError("squeue", absl::StrCat("Invalid job format specification: ", u));
    } else {
      items = ParseSqueueFormat(fmt);
    }
    std::string out;
    if ((o.long_fmt && o.format.empty()) || (o.iterate_s && !o.noheader && !o.verbose)) {
      absl::StrAppend(&out, ListingTime(rep->now()), "\n");
    }
    // -M: Slurm names the cluster above each cluster's listing.
    if (!clusters.empty() && !o.noheader) absl::StrAppend(&out, "CLUSTER: ", cfg->cluster_name, "\n");
    if (!o.noheader) absl::StrAppend(&out, SqueueHeader(items), "\n");
    out.reserve(out.size() + rows.size() * 96);
    for (const JobInfo* j : rows) {
      AppendSqueueRow(&out, items, *j, rep->now());
      out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  };
  for (;;) {
    if (int rc = show(); rc != 0 || o.iterate_s == 0) return rc;
    std::fputc('\n', stdout);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(o.iterate_s));
  }
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
