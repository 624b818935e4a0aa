// sacct: job accounting records, from the controller's own store (no
// slurmdbd). Options, output and errors as Slurm 22.05's sacct.
#include <getopt.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/sacct_fields.h"
#include "cli/sacct_json.h"
#include "common/begin_time.h"
#include "common/job_types.h"
#include "common/process_init.h"
#include "common/users.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

constexpr char kDefaultFormat[] = "jobid,jobname,partition,account,alloccpus,state,exitcode";
constexpr char kBriefFormat[] = "jobid,state,exitcode";
constexpr char kLongFormat[] =
    "jobid,jobidraw,jobname,partition,maxvmsize,maxvmsizenode,maxvmsizetask,avevmsize,maxrss,"
    "maxrssnode,maxrsstask,averss,maxpages,maxpagesnode,maxpagestask,avepages,mincpu,"
    "mincpunode,mincputask,avecpu,ntasks,alloccpus,elapsed,state,exitcode,avecpufreq,"
    "reqcpufreqmin,reqcpufreqmax,reqcpufreqgov,reqmem,consumedenergy,maxdiskread,"
    "maxdiskreadnode,maxdiskreadtask,avediskread,maxdiskwrite,maxdiskwritenode,"
    "maxdiskwritetask,avediskwrite,reqtres,alloctres,tresusageinave,tresusageinmax,"
    "tresusageinmaxn,tresusageinmaxt,tresusageinmin,tresusageinminn,tresusageinmint,"
    "tresusageintot,tresusageoutmax,tresusageoutmaxn,tresusageoutmaxt,tresusageoutave,"
    "tresusageouttot";

// Slurm's names and abbreviations for -s.
std::optional<common::JobState> ParseAcctState(std::string s) {
  s = absl::AsciiStrToUpper(s);
  if (s == "CA") return common::JobState::kCancelled;
  if (s == "CD") return common::JobState::kCompleted;
  if (s == "F") return common::JobState::kFailed;
  if (s == "NF") return common::JobState::kNodeFail;
  if (s == "OOM") return common::JobState::kOutOfMemory;
  if (s == "TO") return common::JobState::kTimeout;
  if (s == "DL") return common::JobState::kDeadline;
  if (s == "PR") return common::JobState::kPreempted;
  return common::ParseJobState(s);
}

int64_t Midnight(int64_t now) {
  time_t t = static_cast<time_t>(now);
  struct tm tm;
  localtime_r(&t, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm));
}

struct Output {
  std::vector<AcctColumn> cols;
  bool header = true;
  int parsable = 0;  // 1: -p (trailing delimiter), 2: -P
  std::string delimiter = "|";
};

// A cell at its width: right-aligned (left for negative widths), cut to
// the width with '+' as the last character; the header is cut without it.
std::string Cell(const std::string& v, int width, bool header) {
  size_t w = static_cast<size_t>(std::abs(width));
  std::string s = v;
  if (s.size() > w) s = header ? s.substr(0, w) : s.substr(0, w ? w - 1 : 0) + (w ? "+" : "");
  std::string pad(w - s.size(), ' ');
  return width < 0 ? s + pad : pad + s;
}

void PrintLine(const Output& o, const std::vector<std::string>& cells, bool header) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (o.parsable) {
      line += cells[i];
      if (o.parsable == 1 || i + 1 < cells.size()) line += o.delimiter;
    } else {
      line += Cell(cells[i], o.cols[i].width, header) + " ";
    }
  }
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
}

void PrintHeader(const Output& o) {
  std::vector<std::string> names, dashes;
  for (const auto& c : o.cols) {
    names.push_back(c.field->name);
    dashes.push_back(std::string(static_cast<size_t>(std::abs(c.width)), '-'));
  }
  PrintLine(o, names, true);
  if (!o.parsable) {
    std::string line;
    for (const auto& d : dashes) line += d + " ";
    line += "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
}

int Usage() {
  std::fprintf(stderr, "Try \"sacct --help\" for more information\n");
  return 1;
}

int Main(int argc, char** argv) {
  auto cfg = LoadConfigOrComplain("sacct");
  if (!cfg) return 1;
  enum { kDelimiter = 1000, kName, kMe, kJson, kYaml, kUsage, kHelp };
  static const option kLong[] = {
      {"allusers", no_argument, nullptr, 'a'},     {"accounts", required_argument, nullptr, 'A'},
      {"account", required_argument, nullptr, 'A'}, {"brief", no_argument, nullptr, 'b'},
      {"delimiter", required_argument, nullptr, kDelimiter},
      {"helpformat", no_argument, nullptr, 'e'},   {"endtime", required_argument, nullptr, 'E'},
      {"jobs", required_argument, nullptr, 'j'},   {"long", no_argument, nullptr, 'l'},
      {"noheader", no_argument, nullptr, 'n'},     {"nodelist", required_argument, nullptr, 'N'},
      {"name", required_argument, nullptr, kName}, {"format", required_argument, nullptr, 'o'},
      {"parsable", no_argument, nullptr, 'p'},     {"parsable2", no_argument, nullptr, 'P'},
      {"partition", required_argument, nullptr, 'r'},
      {"state", required_argument, nullptr, 's'},  {"starttime", required_argument, nullptr, 'S'},
      {"uid", required_argument, nullptr, 'u'},    {"user", required_argument, nullptr, 'u'},
      {"me", no_argument, nullptr, kMe},           {"allocations", no_argument, nullptr, 'X'},
      {"json", no_argument, nullptr, kJson},       {"version", no_argument, nullptr, 'V'},
      {"clusters", required_argument, nullptr, 'M'}, {"yaml", no_argument, nullptr, kYaml},
      {"usage", no_argument, nullptr, kUsage},     {"help", no_argument, nullptr, kHelp},
      {nullptr, 0, nullptr, 0}};
  int64_t now = static_cast<int64_t>(::time(nullptr));
  v1::AcctQueryRequest req;
  std::vector<AcctJobPick> picks;
  std::string format = kDefaultFormat, clusters;
  bool all = false, allocations = false, json = false, yaml = false, start_given = false, end_given = false;
  Output out;
  int64_t start = 0, end = now;
  argv[0] = const_cast<char*>("sacct");
  int c;
  opterr = 1;
  while ((c = getopt_long(argc, argv, "aA:beE:j:lnN:o:pPr:s:S:u:XVM:", kLong, nullptr)) != -1) {
    switch (c) {
      case 'a': all = true; break;
      case 'A':
        for (auto a : absl::StrSplit(optarg, ',', absl::SkipEmpty())) req.add_accounts(std::string(a));
        break;
      case 'b': format = kBriefFormat; break;
      case kDelimiter: out.delimiter = optarg; break;
      case 'e': std::fputs(AcctHelpFormat().c_str(), stdout); return 0;
      case 'E': case 'S': {
        auto t = common::ParseBeginTime(optarg, now);
        if (!t.ok()) {
          std::fprintf(stderr, "Invalid time specification (pos=0): %s\n", optarg);
          return 1;
        }
        (c == 'S' ? start : end) = *t;
        (c == 'S' ? start_given : end_given) = true;
        break;
      }
      case 'j':
        for (auto item : absl::StrSplit(optarg, ',', absl::SkipEmpty())) {
          auto p = ParseAcctJobPick(item);
          if (!p) {
            std::fprintf(stderr, "sacct: fatal: Bad job/step specified: %s\n",
                         std::string(item).c_str());
            return 1;
          }
          picks.push_back(*p);
        }
        break;
      case 'l': format = kLongFormat; break;
      case 'n': out.header = false; break;
      case 'N':
        for (auto n : absl::StrSplit(optarg, ',', absl::SkipEmpty())) req.add_nodes(std::string(n));
        break;
      case kName:
        for (auto n : absl::StrSplit(optarg, ',', absl::SkipEmpty())) req.add_names(std::string(n));
        break;
      case 'o': format = optarg; break;
      case 'p': out.parsable = 1; break;
      case 'P': out.parsable = 2; break;
      case 'r':
        for (auto n : absl::StrSplit(optarg, ',', absl::SkipEmpty()))
          req.add_partitions(std::string(n));
        break;
      case 's':
        for (auto n : absl::StrSplit(optarg, ',', absl::SkipEmpty())) {
          auto st = ParseAcctState(std::string(n));
          if (!st) {
            std::fprintf(stderr, "sacct: fatal: unrecognized job state value '%s'\n",
                         std::string(n).c_str());
            return 1;
          }
          req.add_states(static_cast<v1::JobState>(*st));
        }
        break;
      case 'u':
        for (auto n : absl::StrSplit(optarg, ',', absl::SkipEmpty())) {
          uint32_t uid;
          std::string name(n);
          if (auto u = common::LookupUser(name)) {
            req.add_uids(u->uid);
          } else if (absl::SimpleAtoi(name, &uid)) {
            req.add_uids(uid);
          } else {
            PrintError("sacct", "Invalid user id: " + name);
            return 1;
          }
        }
        break;
      case kMe: req.add_uids(::getuid()); break;
      case 'X': allocations = true; break;
      case kJson: json = true; break;
      case kYaml: yaml = true; break;
      case 'V': std::printf("slurm 22.05.8\n"); return 0;
      case 'M': clusters = optarg; break;
      case kUsage: case kHelp:
        std::fprintf(stderr, "sacct: --%s is not supported by this Sluice release\n",
                     c == kHelp ? "help" : "usage");
        return 1;
      default: return Usage();
    }
  }
  if (!clusters.empty() && !OnlyThisCluster("sacct", clusters, *cfg, true)) return 1;
  auto cols = ParseAcctFormat(format);
  if (!cols.ok()) {
    PrintError("sacct", std::string(cols.status().message()));
    return 1;
  }
  out.cols = *std::move(cols);
  // Whose jobs: -u/--me, else everyone's for -a and root, else the caller's.
  if (req.uids_size() == 0 && !all && ::getuid() != 0) req.add_uids(::getuid());
  for (const auto& p : picks) {
    auto* s = req.add_jobs();
    s->set_id(p.id);
    s->set_task(p.task);
  }
  // The window: -j alone reads every record; -s without -S only what is in
  // that state now; otherwise since midnight.
  if (!start_given) start = !picks.empty() || req.states_size() == 0 ? Midnight(now) : now;
  req.set_windowed(start_given || end_given || picks.empty());
  req.set_start(start);
  req.set_end(end);
  CtldClient& client = CommandClient(*cfg);
  auto rep = client.QueryAccounting(req);
  if (!rep.ok() || !rep->error().empty()) {
    PrintError("sacct", !rep.ok() ? "Problem talking to the database: " + std::string(kUnableToContact)
                                  : rep->error());
    return 1;
  }
  std::vector<const v1::AcctJob*> jobs;
  for (const auto& j : rep->jobs()) jobs.push_back(&j);
  auto key = [](const v1::AcctJob* a) {
    const auto& j = a->job();
    return std::make_tuple(j.array_job_id() ? j.array_job_id() : j.job_id(), j.array_task_id(),
                           j.job_id());
  };
  std::stable_sort(jobs.begin(), jobs.end(),
                   [&](auto* a, auto* b) { return key(a) < key(b); });
  if (json || yaml) {
    std::fputs(AcctJson(jobs, cfg->cluster_name, rep->now(), yaml && !json).c_str(), stdout);
    return 0;
  }
  if (out.header) PrintHeader(out);
  std::string cluster = cfg->cluster_name;
  std::set<std::string> node_set(req.nodes().begin(), req.nodes().end());
  auto print = [&](AcctRow::Kind kind, const v1::AcctJob* j, const v1::AcctStep* s) {
    AcctRow r{kind, j, s, rep->now(), cluster};
    std::vector<std::string> cells;
    for (const auto& col : out.cols) cells.push_back(col.field->value(r));
    PrintLine(out, cells, false);
  };
  for (const v1::AcctJob* j : jobs) {
    // -j N.S shows that step alone; -j N the job and its steps.
    std::vector<std::string> steps_only;
    bool whole = picks.empty();
    for (const auto& p : picks) {
      bool match = p.id == j->job().job_id() || p.id == j->job().array_job_id();
      if (!match) continue;
      if (p.step.empty()) whole = true;
      else steps_only.push_back(p.step);
    }
    auto wanted = [&](const std::string& step) {
      return whole || std::find(steps_only.begin(), steps_only.end(), step) != steps_only.end();
    };
    if (whole) print(AcctRow::kJob, j, nullptr);
    if (allocations) continue;
    // -N: of the job's steps, those that ran on one of the nodes.
    auto on = [&](const std::string& nodes) { return node_set.empty() || RunsOnAny(nodes, node_set); };
    bool batch = j->job().start_time() && !j->job().interactive();
    if (batch && wanted("batch") && on(j->job().batch_host())) print(AcctRow::kBatch, j, nullptr);
    for (const auto& s : j->steps())
      if (wanted(absl::StrCat(s.step_id())) && on(s.node_list())) print(AcctRow::kStep, j, &s);
  }
  return 0;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
