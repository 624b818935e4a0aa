// scontrol: show jobs, nodes and partitions; hold and release jobs; expand
// hostlists. The subset Slurm users and workflow tools rely on.
#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "common/process_init.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/array_ids.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/scontrol_config.h"
#include "cli/scontrol_format.h"
#include "cli/scontrol_listpids.h"
#include "cli/scontrol_session.h"
#include "cli/scontrol_update.h"
#include "common/hostlist.h"
#include "common/job_types.h"
#include "common/time_spec.h"
#include "common/users.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

// scontrol show step [J[.S]]: running jobs' batch and srun steps. As in
// Slurm, what does not start with a number means every step, and a step
// that is not a number ("J.batch") means step 0.
int ShowSteps(CtldClient& client, const std::string& arg, bool one_liner) {
  v1::QueryJobsRequest req;
  uint64_t job = 0;
  int64_t step = -1;
  if (!arg.empty() && absl::ascii_isdigit(static_cast<unsigned char>(arg[0]))) {
    job = std::strtoull(arg.c_str(), nullptr, 10);
    if (auto dot = arg.find('.'); dot != std::string::npos) step = std::atoll(arg.c_str() + dot + 1);
    req.add_job_ids(job);
  }
  auto rep = client.QueryJobs(req);
  std::string err = !rep.ok() ? std::string(rep.status().message()) : rep->error();
  if (err.empty() && job && rep->jobs_size() == 0) err = "Invalid job id specified";
  if (!err.empty()) {
    std::fprintf(stderr, "slurm_get_job_steps error: %s\n", err.c_str());
    return 1;
  }
  std::string out;
  for (const auto& j : rep->jobs()) {
    auto st = static_cast<common::JobState>(j.state());
    if (st != common::JobState::kRunning && st != common::JobState::kSuspended) continue;
    if (step < 0 && !j.interactive()) out += ScontrolStep(j, nullptr, one_liner);
    for (const auto& s : j.steps())
      if (step < 0 || s.step_id() == static_cast<uint64_t>(step)) out += ScontrolStep(j, &s, one_liner);
  }
  if (out.empty() && job) {
    std::fprintf(stderr, "Job step %llu.%s not found\n", static_cast<unsigned long long>(job),
                 step < 0 ? "" : std::to_string(step).c_str());
    return 1;
  }
  if (out.empty()) out = "No job steps in the system\n";
  std::fputs(out.c_str(), stdout);
  return 0;
}

// -v: Slurm's count of what the controller sent (the time of the listing,
// "Unknown" for one job's), before the jobs.
int ShowJobs(CtldClient& client, const std::string& id, bool one_liner, bool details,
             bool verbose) {
  v1::QueryJobsRequest req;
  std::optional<JobSelector> sel;
  if (!id.empty()) {
    auto s = ParseJobSelector(id);
    if (!s.ok()) {
      std::fprintf(stderr, "slurm_load_jobs error: Invalid job id specified\n");
      return 1;
    }
    sel = *s;
    req.add_job_ids(sel->job);
  }
  auto rep = LoadJobs(client, req);
  if (!rep) return 1;
  if (verbose)
    std::printf("last_update_time=%s, records=%d\n",
                id.empty() ? common::FormatTimestamp(rep->now()).c_str() : "Unknown",
                rep->jobs_size());
  if (rep->jobs_size() == 0 && id.empty()) {
    std::printf("No jobs in the system\n");
    return 0;
  }
  std::string out;
  for (const auto& j : rep->jobs()) {
    if (!sel || !sel->tasks) {
      out += ScontrolJob(j, rep->now(), one_liner, details);
    } else if (j.array_job_id() && j.array_task_id() < 0) {
      // A task still waiting shows as the array's record, with its index.
      for (const auto& t : SplitPendingRest(j, &*sel->tasks))
        out += ScontrolJob(t, rep->now(), one_liner, details);
    } else if (SelectorMatches(*sel, j)) {
      out += ScontrolJob(j, rep->now(), one_liner, details);
    }
  }
  if (out.empty() && sel && sel->tasks) {
    std::fprintf(stderr, "Job %s not found\n", id.c_str());
    return 1;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int ShowCluster(CtldClient& client, bool nodes, const std::string& name,
                bool one_liner, bool details) {
  auto rep = client.QueryCluster();
  if (!rep.ok()) {
    std::fprintf(stderr, "%s: %s\n", nodes ? "slurm_load_node error" : "slurm_load_partitions error",
                 std::string(rep.status().message()).c_str());
    return 1;
  }
  std::string out;
  if (nodes) {
    // NAME may be a hostlist expression ("n[1-2],n4"); names that are no
    // node are passed over, as Slurm does, unless none is one. (Slurm
    // reads an unclosed range "n[1-" as "n]".)
    std::set<std::string> wanted;
    if (!name.empty()) {
      auto hosts = common::ExpandHostlist(name);
      if (!hosts.ok()) {
        std::printf("Node %s not found\n",
                     (name.substr(0, name.find('[')) + "]").c_str());
        return 1;
      }
      wanted.insert(hosts->begin(), hosts->end());
    }
    for (const auto& n : rep->nodes())
      if (name.empty() || wanted.count(n.name())) out += ScontrolNode(n, one_liner, details);
    if (out.empty()) {
      std::printf("Node %s not found\n", name.c_str());  // (on stdout, as Slurm)
      return 1;
    }
  } else {
    for (const auto& p : rep->partitions())
      if (name.empty() || p.name() == name)
        out += ScontrolPartition(p, *rep, one_liner);
    if (out.empty()) {
      std::printf("Partition %s not found\n", name.c_str());  // (on stdout, as Slurm)
      return 1;
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

// scontrol notify JOBID TEXT...: Slurm's words for each refusal.
int Notify(const std::vector<std::string>& rest) {
  if (rest.size() < 2) {
    std::fprintf(stderr, "too few arguments for keyword:notify\n");
    return 1;
  }
  uint64_t id = 0;
  if (!absl::SimpleAtoi(rest[0], &id) || id == 0) {
    // (Slurm's two messages run together, the second with errno 0.)
    std::fprintf(stderr, "Invalid job_id %sjob notify failure: No error\n", rest[0].c_str());
    return 1;
  }
  auto cfg = LoadConfigOrComplain("scontrol");
  if (!cfg) return 1;
  CtldClient& client = CommandClient(*cfg);
  v1::UpdateJobsRequest req;
  req.set_action(v1::JOB_ACTION_NOTIFY);
  req.add_job_ids(id);
  req.set_message(absl::StrJoin(rest.begin() + 1, rest.end(), " "));
  auto rep = client.UpdateJobs(req);
  std::string error = !rep.ok() ? std::string(rep.status().message())
                      : rep->results_size() ? rep->results(0).error()
                                            : "";
  if (error.empty()) return 0;
  std::fprintf(stderr, "job notify failure: %s\n", error.c_str());
  return 1;
}

int UpdateJobs(CtldClient& client, v1::JobAction action,
               const std::vector<std::string>& args) {
  v1::UpdateJobsRequest req;
  req.set_action(action);
  for (const auto& a : args)
    for (absl::string_view tok : SplitJobList(a)) {
      auto sel = ParseJobSelector(tok);
      if (!sel.ok()) {
        std::fprintf(stderr, "Invalid job id specified for job %s\n",
                     std::string(tok).c_str());
        return 1;
      }
      if (!sel->tasks) {
        req.add_job_ids(sel->job);
        req.add_array_tasks(-1);
        continue;
      }
      sel->tasks->ForEach([&](uint32_t t) {
        req.add_job_ids(sel->job);
        req.add_array_tasks(t);
        return true;
      });
    }
  if (req.job_ids_size() == 0) {
    PrintError("scontrol", "Invalid job id specified");
    return 1;
  }
  auto rep = client.UpdateJobs(req);
  if (!rep.ok()) {
    PrintError("scontrol", std::string(rep.status().message()));
    return 1;
  }
  int rc = 0;
  for (const auto& r : rep->results()) {
    if (r.error().empty()) continue;
    std::fprintf(stderr, "%s for job %llu\n", r.error().c_str(),
                 static_cast<unsigned long long>(r.job_id()));
    rc = 1;
  }
  return rc;
}

int Help() {
  std::printf("Usage: scontrol [-a] [-d] [-o] [-Q] [-v] [COMMAND]\n"
              "  Without a COMMAND, commands are read from standard input (exit or quit ends).\n"
              "  show job|step|node|partition|config|hostnames|hostlist [ID]\n"
              "  update JobId=N|PartitionName=P|NodeName=LIST KEY=VALUE...\n"
              "  hold|uhold|release|requeue|requeuehold|suspend|resume|top JOBID[,JOBID...]\n"
              "  notify JOBID TEXT; listpids [JOBID[.STEP]] [NODE]; ping; reconfigure\n"
              "  oneliner, details, quiet, verbose: set for the commands after them; version\n");
  return 0;
}

// What the global flags and the session keywords (oneliner, details,
// quiet, verbose) set, for every command after them.
struct Session {
  bool one_liner = false, details = false, quiet = false, verbose = false;
};

int RunCommand(std::vector<std::string> words, Session& s, bool* done);

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("scontrol");
  static const struct option kLong[] = {
      {"oneliner", no_argument, nullptr, 'o'},
      {"details", no_argument, nullptr, 'd'},
      {"quiet", no_argument, nullptr, 'Q'},
      {"all", no_argument, nullptr, 'a'},
      {"verbose", no_argument, nullptr, 'v'},
      {"version", no_argument, nullptr, 'V'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  Session s;
  int c;
  while ((c = getopt_long(argc, argv, "+odQVhav", kLong, nullptr)) != -1) {
    switch (c) {
      case 'o': s.one_liner = true; break;
      case 'd': s.details = true; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case 'h': return Help();
      case '?': return 1;
      // -Q: a show that finds nothing says nothing (its exit code stays),
      // as Slurm's quiet mode treats those errors.
      case 'Q': s.quiet = true; break;
      // Inert, as in Slurm on a cluster like ours (docs/CLI.md): -a shows
      // hidden partitions, and there are none.
      case 'a': break;
      // -v: show job's count line; Slurm's plugin-loading chatter has no
      // counterpart (Sluice loads no plugins).
      case 'v': s.verbose = true; break;
      default:
        return NoHandler("scontrol", c);
    }
  }
  std::vector<std::string> words(argv + optind, argv + argc);
  bool done = false;
  if (!words.empty()) return RunCommand(std::move(words), s, &done);
  // No command: read them from standard input, as Slurm's interactive mode.
  return Interactive([&](const std::vector<std::string>& w, bool* quit) { return RunCommand(w, s, quit); });
}

// One command line's words. `*done` is set by exit and quit.
int RunCommand(std::vector<std::string> all, Session& s, bool* done) {
  std::vector<std::string> words;
  Session flags = s;  // options after the command ("show job -dd 5") are its own
  for (const std::string& w : all) {
    if (w == "-o" || w == "--oneliner") flags.one_liner = true;
    else if (w == "-Q" || w == "--quiet") flags.quiet = true;
    else if (w == "-v" || w == "--verbose") flags.verbose = true;
    else if (w.rfind("-d", 0) == 0 || w == "--details") flags.details = true;
    else words.push_back(w);
  }
  if (words.empty()) return 0;
  const bool one_liner = flags.one_liner, details = flags.details, verbose = flags.verbose;
  std::string cmd = absl::AsciiStrToLower(words[0]);
  // The session's keywords: each alone on its line, as Slurm takes them.
  static const std::set<std::string> kAlone = {"exit", "quit", "oneliner", "details", "quiet",
                                               "verbose", "all", "hide", "version"};
  if (kAlone.count(cmd) && words.size() > 1) {
    std::fprintf(stderr, "too many arguments for keyword:%s\n", cmd.c_str());
    if (cmd == "exit" || cmd == "quit") *done = true;
    return 1;
  }
  if (cmd == "exit" || cmd == "quit") {
    *done = true;
    return 0;
  }
  if (cmd == "oneliner") s.one_liner = true;
  else if (cmd == "details") s.details = true;
  else if (cmd == "quiet") s.quiet = true, s.verbose = false;
  else if (cmd == "verbose") s.quiet = false, s.verbose = true;
  if (cmd == "version") std::printf("%s\n", kVersion);
  if (cmd == "help") return Help();  // (its arguments ignored, as Slurm)
  if (kAlone.count(cmd)) return 0;  // (all, hide: inert, as -a)
  std::vector<std::string> rest(words.begin() + 1, words.end());

  if (cmd == "ping") {
    // Slurm's answer for the one controller: UP when it answers a read,
    // else DOWN with its banner and exit 1. A SlurmctldHost of
    // "localhost" is named by this machine's name, as Slurm names it.
    auto cfg = LoadConfigOrComplain("scontrol");
    if (!cfg) return 1;
    CtldClient& client = CommandClient(*cfg);
    std::string host = cfg->ctld_host == "localhost" ? common::ShortHostname() : cfg->ctld_host;
    bool up = client.QueryCluster().ok();
    std::printf("Slurmctld(primary) at %s is %s\n", host.c_str(), up ? "UP" : "DOWN");
    if (up) return 0;
    std::printf("*****************************************\n"
                "** RESTORE SLURMCTLD DAEMON TO SERVICE **\n"
                "*****************************************\n");
    return 1;
  }

  if ((cmd == "show" || cmd == "list") && rest.size() > 2) {
    std::fprintf(stderr, "too many arguments for keyword:%s\n", cmd.c_str());
    return 1;
  }
  // Quiet: the show's error lines go nowhere (stdout stays), for this
  // command only.
  QuietStderr hush((cmd == "show" || cmd == "list") && flags.quiet);
  if ((cmd == "show" || cmd == "list") && !rest.empty()) {
    std::string what = absl::AsciiStrToLower(rest[0]);
    std::string arg = rest.size() > 1 ? rest[1] : "";
    if (what == "hostnames" || what == "hostname") {
      auto hosts = common::ExpandHostlist(arg);
      if (!hosts.ok()) {
        PrintError("scontrol", std::string(hosts.status().message()));
        return 1;
      }
      for (const auto& h : *hosts) std::printf("%s\n", h.c_str());
      return 0;
    }
    if (what == "config") {
      auto cfg = LoadConfigOrComplain("scontrol");
      if (!cfg) return 1;
      CtldClient& client = CommandClient(*cfg);
      auto rep = client.QueryCluster();
      if (!rep.ok()) {
        std::fprintf(stderr, "slurm_load_ctl_conf error: %s\n", kUnableToContact);
        return 1;
      }
      std::string host = cfg->ctld_host == "localhost" ? common::ShortHostname() : cfg->ctld_host;
      std::fputs(ShowConfig(*cfg, *rep, host).c_str(), stdout);
      return 0;
    }
    if (what == "hostlist" || what == "hostlistsorted") {
      auto text = ShowHostlist(arg, what == "hostlistsorted");
      if (!text.ok()) {
        PrintError("scontrol", std::string(text.status().message()));
        return 1;
      }
      std::printf("%s\n", text->c_str());
      return 0;
    }
    auto cfg = LoadConfigOrComplain("scontrol");
    if (!cfg) return 1;
    CtldClient& client = CommandClient(*cfg);
    if (what == "job" || what == "jobs" || what == "jobid")
      return ShowJobs(client, arg, one_liner, details, verbose);
    if (what == "step" || what == "steps")
      return ShowSteps(client, arg, one_liner);
    if (what == "node" || what == "nodes")
      return ShowCluster(client, true, arg, one_liner, details);
    if (what == "partition" || what == "partitions" || what == "part")
      return ShowCluster(client, false, arg, one_liner, details);
    PrintError("scontrol", absl::StrCat("invalid entity: ", rest[0], " for keyword: show"));
    return 1;
  }
  if (cmd == "update" && (IsJobUpdate(rest) || IsPartitionUpdate(rest))) {
    // update JobId=N KEY=VALUE... (all or nothing, Slurm's rules) or
    // PartitionName=P KEY=VALUE...; a bad value is refused before any call.
    bool job = IsJobUpdate(rest);
    absl::Status parsed;
    v1::ModifyJobRequest job_req;
    v1::UpdatePartitionRequest part_req;
    if (job) {
      auto r = ParseJobUpdate(rest, static_cast<int64_t>(::time(nullptr)));
      if (r.ok()) job_req = *std::move(r); else parsed = r.status();
    } else {
      auto r = ParsePartitionUpdate(rest);
      if (r.ok()) part_req = *std::move(r); else parsed = r.status();
    }
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s\n", std::string(parsed.message()).c_str());
      return 1;
    }
    auto cfg = LoadConfigOrComplain("scontrol");
    if (!cfg) return 1;
    CtldClient& client = CommandClient(*cfg);
    auto rep = job ? client.ModifyJob(job_req) : client.UpdatePartition(part_req);
    std::string err = rep.ok() ? rep->error() : std::string(kUnableToContact);
    if (err.empty()) return 0;
    if (job)
      std::fprintf(stderr, "%s for job %llu\n", err.c_str(),
                   static_cast<unsigned long long>(job_req.job_id()));
    else
      std::fprintf(stderr, "slurm_update error: %s\n", err.c_str());
    return 1;
  }
  if (cmd == "update") {
    // update NodeName=LIST State=DRAIN|RESUME|DOWN|UNDRAIN Reason="..."
    v1::UpdateNodesRequest req;
    bool node = false;
    for (const auto& kv : rest) {
      auto eq = kv.find('=');
      std::string key = absl::AsciiStrToLower(kv.substr(0, eq));
      std::string val = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (key == "nodename" || key == "node") {
        node = true;
        req.set_nodes(val);
      } else if (key == "state") {
        req.set_state(val);
      } else if (key == "reason") {
        req.set_reason(val);
      } else {
        std::fprintf(stderr, "Update of this parameter is not supported: %s\n", kv.c_str());
        return 1;
      }
    }
    if (!node) {
      PrintError("scontrol", "only node updates (NodeName=...) are supported so far");
      return 1;
    }
    auto cfg = LoadConfigOrComplain("scontrol");
    if (!cfg) return 1;
    CtldClient& client = CommandClient(*cfg);
    auto rep = client.UpdateNodes(req);
    std::string err = rep.ok() ? rep->error() : std::string(rep.status().message());
    if (!err.empty()) {
      std::fprintf(stderr, "slurm_update error: %s\n", err.c_str());
      return 1;
    }
    return 0;
  }
  if (cmd == "reconfigure" || cmd == "reconfig") {  // (further words ignored, as Slurm)
    auto cfg = LoadConfigOrComplain("scontrol");
    if (!cfg) return 1;
    CtldClient& client = CommandClient(*cfg);
    auto rep = client.Reconfigure();
    std::string err = rep.ok() ? rep->error() : std::string(rep.status().message());
    if (!err.empty()) {
      std::fprintf(stderr, "slurm_reconfigure error: %s\n", err.c_str());
      return 1;
    }
    return 0;
  }
  if (cmd == "notify") return Notify(rest);
  if (cmd == "listpids") return ListPids(rest);
  if ((cmd == "suspend" || cmd == "resume") && rest.empty()) {
    std::fprintf(stderr, "too few arguments for keyword:%s\n", cmd.c_str());
    return 1;
  }
  if (cmd == "hold" || cmd == "uhold" || cmd == "release" || cmd == "requeue" ||
      cmd == "requeuehold" || cmd == "top" || cmd == "suspend" || cmd == "resume") {
    auto cfg = LoadConfigOrComplain("scontrol");
    if (!cfg) return 1;
    CtldClient& client = CommandClient(*cfg);
    v1::JobAction action = cmd == "hold"      ? v1::JOB_ACTION_HOLD
                           : cmd == "uhold"   ? v1::JOB_ACTION_USER_HOLD
                           : cmd == "requeue" ? v1::JOB_ACTION_REQUEUE
                           : cmd == "requeuehold" ? v1::JOB_ACTION_REQUEUE_HOLD
                           : cmd == "top"         ? v1::JOB_ACTION_TOP
                           : cmd == "suspend"     ? v1::JOB_ACTION_SUSPEND
                           : cmd == "resume"      ? v1::JOB_ACTION_RESUME
                                                  : v1::JOB_ACTION_RELEASE;
    return UpdateJobs(client, action, rest);
  }
  std::fprintf(stderr, "invalid keyword: %s\n", words[0].c_str());
  return 1;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
