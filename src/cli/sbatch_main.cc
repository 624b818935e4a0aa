// sbatch: submit a batch script to sluice-ctld.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>
#include <thread>
#include <cstdlib>

#include "common/process_init.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/sbatch_help.h"
#include "cli/sbatch_more_options.h"
#include "cli/sbatch_options.h"
#include "cli/user_env.h"
#include "common/begin_time.h"
#include "common/job_types.h"
#include "common/time_spec.h"
#include "common/users.h"

extern char** environ;

namespace sluice::cli {
namespace {

// --wait: poll until the job ends; exit with its exit code, as Slurm does.
int WaitForJob(CtldClient& client, uint64_t id) {
  ::sluice::v1::QueryJobsRequest req;
  req.add_job_ids(id);
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    auto rep = client.QueryJobs(req);
    // An array's ID returns every record of it: all must have ended, and
    // the highest exit code wins, as in Slurm.
    if (rep.ok() && rep->jobs_size() > 0) {
      bool done = true;
      int rc = 0;
      for (const auto& j : rep->jobs()) {
        done &= common::IsFinished(static_cast<common::JobState>(j.state()));
        rc = std::max(rc, j.exit_code() != 0 ? j.exit_code()
                          : j.state() == ::sluice::v1::JOB_STATE_COMPLETED ? 0 : 1);
      }
      if (done) return rc;
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

// --test-only: the scheduler's estimate in Slurm's words, on stderr; the
// job is not submitted.
int TestOnly(CtldClient& client, ::sluice::v1::SubmitBatchJobRequest* req, bool quiet) {
  req->set_test_only(true);
  auto rep = client.Submit(*req);
  if (!rep.ok()) {
    std::fprintf(stderr, "allocation failure: %s\n", std::string(rep.status().message()).c_str());
    return 1;
  }
  for (const auto& n : rep->notes()) PrintError("sbatch", n);
  if (!rep->error().empty()) {
    std::fprintf(stderr, "allocation failure: %s\n", rep->error().c_str());
    return 1;
  }
  if (quiet) return 0;
  if (rep->test_start() == 0) {
    std::fprintf(stderr, "sbatch: Job %llu has no start time estimate\n",
                 static_cast<unsigned long long>(rep->job_id()));
    return 0;
  }
  std::fprintf(stderr, "sbatch: Job %llu to start at %s using %u processors on nodes %s in partition %s\n",
               static_cast<unsigned long long>(rep->job_id()),
               common::FormatTimestamp(rep->test_start()).c_str(), rep->test_cpus(),
               rep->test_nodes().c_str(), rep->test_partition().c_str());
  return 0;
}

int Report(const CliFailure& f) {
  for (const auto& line : f.message) PrintError("sbatch", line);
  if (f.usage_hint)
    std::fprintf(stderr, "Try \"sbatch --help\" for more information\n");
  return f.exit_code;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  SbatchOptions cmdline;
  if (auto f = ParseSbatchArgs(args, &cmdline)) return Report(*f);
  if (cmdline.version) {
    std::printf("%s\n", kVersion);
    return 0;
  }
  if (cmdline.help || cmdline.usage) {
    std::string text = cmdline.help ? SbatchHelp() : SbatchUsage();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }

  // The script: --wrap, a file, or standard input.
  std::string script, default_name;
  if (cmdline.wrap) {
    if (!cmdline.positional.empty()) {
      PrintError("sbatch", "Script arguments not permitted with --wrap option");
      return 1;
    }
    script = WrapScript(*cmdline.wrap);
    default_name = "wrap";
  } else if (!cmdline.positional.empty()) {
    const std::string& path = cmdline.positional[0];
    auto text = ReadFile(path);
    if (!text) {
      PrintError("sbatch", absl::StrCat("Unable to open file ", path));
      return 1;
    }
    script = *text;
    default_name = path.substr(path.rfind('/') + 1);
  } else {
    script = ReadAll(0);
    default_name = "sbatch";
  }
  if (auto f = CheckScript(script)) return Report(*f);

  // Precedence: directives < SBATCH_* < command line.
  SbatchOptions opts;
  if (auto f = ParseSbatchArgs(ExtractDirectives(script), &opts))
    return Report(*f);
  if (auto f = ApplyInputEnv(std::getenv, &opts)) return Report(*f);
  if (auto f = ParseSbatchArgs(args, &opts)) return Report(*f);
  if (auto f = FinishTopology(&opts)) return Report(*f);
  for (const auto& w : opts.warnings) PrintError("sbatch", w);

  // --uid/--gid: root submits for another user, as in Slurm (the
  // controller refuses anyone else however the request was made).
  int64_t as_uid = -1, as_gid = -1;
  for (auto [given, name] : {std::pair{&opts.uid, "uid"}, std::pair{&opts.gid, "gid"}}) {
    if (!*given) continue;
    if (getuid() != 0) {
      PrintError("sbatch", absl::StrCat("--", name, " only permitted by root user"));
      return 255;
    }
    std::optional<int64_t> id;
    if (std::string(name) == "uid") {
      const std::string& v = **given;
      bool numeric = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
      auto u = numeric ? common::LookupUser(static_cast<uid_t>(std::strtoul(v.c_str(), nullptr, 10)))
                       : common::LookupUser(v);
      if (u) id = u->uid;
      as_uid = id.value_or(-1);
    } else if (auto g = common::LookupGroup(**given)) {
      id = *g;
      as_gid = *g;
    }
    if (!id) {
      PrintError("sbatch", absl::StrCat("Invalid --", name, " specification"));
      return 255;
    }
  }
  int64_t deadline = 0;
  if (opts.deadline) {
    auto t = common::ParseBeginTime(*opts.deadline, time(nullptr));
    if (!t.ok()) {
      std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str());
      PrintError("sbatch", "Invalid --deadline specification");
      return 255;
    }
    deadline = *t;
  }
  int64_t begin = 0;
  if (opts.begin) {
    auto t = common::ParseBeginTime(*opts.begin, time(nullptr));
    if (!t.ok()) {  // Slurm's parser names where it stopped, then sbatch's line
      std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str());
      PrintError("sbatch", "Invalid --begin specification");
      return 255;
    }
    begin = *t;
  }

  bool append = false;
  if (opts.open_mode) {
    if (*opts.open_mode == "append" || *opts.open_mode == "a") {
      append = true;
    } else if (*opts.open_mode != "truncate" && *opts.open_mode != "t") {
      PrintError("sbatch", "Invalid --open-mode specification");
      return 255;
    }
  }

  auto cfg = LoadConfigOrComplain("sbatch");
  if (!cfg) return 1;
  if (opts.clusters && !OnlyThisCluster("sbatch", *opts.clusters, *cfg, false)) return 1;

  ::sluice::v1::SubmitBatchJobRequest req;
  auto* j = req.mutable_job();
  j->set_name(opts.job_name.value_or(default_name));
  j->set_partition(opts.partition.value_or(""));
  if (opts.time_limit_min) {
    j->set_time_limit_set(true);
    j->set_time_limit_min(*opts.time_limit_min);
  }
  j->set_min_nodes(opts.nodes.value_or(0));
  j->set_ntasks(opts.ntasks.value_or(0));
  j->set_ntasks_per_node(opts.ntasks_per_node.value_or(0));
  j->set_cpus_per_task(opts.cpus_per_task.value_or(0));
  j->set_mem_mb(opts.mem_mb.value_or(0));
  j->set_gpus_per_node(opts.gpus_per_node.value_or(""));
  j->set_gres(opts.gres.value_or(""));
  j->set_script(script);
  std::string cwd = CurrentDir();
  std::string workdir = cwd;
  if (opts.chdir) {
    workdir = (*opts.chdir)[0] == '/' ? *opts.chdir
                                      : absl::StrCat(cwd, "/", *opts.chdir);
  }
  j->set_work_dir(workdir);
  j->set_std_out(opts.output.value_or(""));
  j->set_std_err(opts.error.value_or(""));
  j->set_std_in(opts.input.value_or(""));
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  std::vector<std::string> job_env = ExportedEnv(opts.export_env, env);
  if (opts.export_file) {
    // NAME=value entries separated by NULs (or, without any, by newlines),
    // from a file or an open descriptor 3..; they win over the same names.
    std::optional<std::string> text;
    int fd = -1;
    if (absl::SimpleAtoi(*opts.export_file, &fd) && fd >= 3) text = ReadAll(fd);
    else text = ReadFile(*opts.export_file);
    if (!text) {
      PrintError("sbatch", absl::StrCat("Unable to open --export-file=", *opts.export_file));
      return 1;
    }
    char sep = text->find('\0') != std::string::npos ? '\0' : '\n';
    for (absl::string_view e : absl::StrSplit(*text, sep, absl::SkipEmpty())) {
      size_t eq = e.find('=');
      if (eq == absl::string_view::npos) continue;
      std::string key(e.substr(0, eq + 1));
      std::erase_if(job_env, [&](const std::string& x) { return x.rfind(key, 0) == 0; });
      job_env.emplace_back(e);
    }
  }
  if (opts.get_user_env && getuid() == 0) {
    // The job's user's login environment fills in what sbatch's own lacks
    // (as in Slurm, sbatch's variables win). Slurm does this for root only
    // and quietly ignores the option for anyone else.
    auto how = ParseGetUserEnv(*opts.get_user_env);
    auto owner = common::LookupUser(static_cast<uid_t>(as_uid >= 0 ? as_uid : 0));
    auto login = how && owner ? LoginEnvironment(owner->name, *how) : std::nullopt;
    if (!login) {
      PrintError("sbatch", "Unable to retrieve the user's login environment (--get-user-env)");
      return 1;
    }
    std::set<std::string> have;
    for (const auto& e : job_env) have.insert(e.substr(0, e.find('=')));
    for (auto& e : *login)
      if (!have.count(e.substr(0, e.find('=')))) job_env.push_back(std::move(e));
  }
  for (auto& e : job_env) j->add_env(std::move(e));
  // --export: the job's srun steps export the same (srun reads it), as
  // Slurm sets it.
  if (opts.export_env) j->add_env(absl::StrCat("SLURM_EXPORT_ENV=", *opts.export_env));
  // -m: the job's steps are laid out so (srun reads it), as Slurm sets it.
  if (opts.distribution) j->add_env(absl::StrCat("SLURM_DISTRIBUTION=", *opts.distribution));
  j->set_append_output(append);
  j->set_dependency(opts.dependency.value_or(""));
  j->set_nodelist(opts.nodelist.value_or(""));
  j->set_exclude(opts.exclude.value_or(""));
  j->set_constraint(opts.constraint.value_or(""));
  j->set_exclusive(opts.exclusive);
  j->set_gpus(opts.gpus.value_or(0));
  j->set_gpus_per_task(opts.gpus_per_task.value_or(0));
  j->set_cpus_per_gpu(opts.cpus_per_gpu.value_or(0));
  j->set_mem_per_cpu_mb(opts.mem_per_cpu_mb.value_or(0));
  j->set_mem_per_gpu_mb(opts.mem_per_gpu_mb.value_or(0));
  j->set_nice(opts.nice.value_or(0));
  j->set_requeue(opts.requeue);
  j->set_signal_num(opts.signal_num);
  j->set_signal_secs(opts.signal_secs);
  j->set_signal_batch(opts.signal_batch);
  j->set_contiguous(opts.contiguous);
  j->set_account(opts.account.value_or(""));
  j->set_priority(opts.priority.value_or(0));
  j->set_begin_time(begin);
  j->set_hold(opts.hold);
  j->set_submit_host(common::ShortHostname());
  j->set_comment(opts.comment.value_or(""));
  j->set_array(opts.array.value_or(""));
  j->set_deadline(deadline);
  j->set_mincpus(opts.mincpus.value_or(0));
  j->set_sockets_per_node(opts.sockets_per_node.value_or(0));
  j->set_cores_per_socket(opts.cores_per_socket.value_or(0));
  j->set_spread_job(opts.spread_job);
  if (as_uid >= 0 || as_gid >= 0) {
    j->set_as_set(true);
    j->set_as_uid(as_uid);
    j->set_as_gid(as_gid);
  }
  if (opts.time_min_min) {
    j->set_time_min_set(true);
    j->set_time_min_min(*opts.time_min_min);
  }  // "" (as Slurm takes --array=): no array
  // The script's own arguments: what follows the script on the command line.
  for (size_t i = 1; i < cmdline.positional.size(); ++i) j->add_script_args(cmdline.positional[i]);
  // Inert here, as in Slurm on a cluster like ours (docs/CLI.md): --qos and
  // --wckey (no accounting storage).
  j->set_mail_type(opts.mail_type.value_or(""));
  j->set_mail_user(opts.mail_user.value_or(""));

  if (opts.verbose) {
    std::map<std::string, std::string> shown = opts.shown;
    shown["verbose"] = std::to_string(opts.verbose);
    if (opts.time_limit_min) shown["time"] = DumpedTimeLimit(*opts.time_limit_min);
    for (const char* k : {"output", "error", "input"})
      if (auto it = shown.find(k); it != shown.end() && !it->second.empty() && it->second[0] != '/')
        it->second = absl::StrCat(workdir, "/", it->second);
    PrintDefinedOptions("sbatch", shown);
  }
  CtldClient client(*cfg);
  if (opts.test_only) return TestOnly(client, &req, opts.quiet);
  auto rep = client.Submit(req);
  if (!rep.ok()) {
    PrintError("sbatch", absl::StrCat("Batch job submission failed: ",
                                      rep.status().message()));
    return 1;
  }
  for (const auto& n : rep->notes()) PrintError("sbatch", n);
  if (!rep->error().empty())
    PrintError("sbatch",
               absl::StrCat("Batch job submission failed: ", rep->error()));
  if (rep->job_id() == 0) return 1;
  if (opts.parsable)
    std::printf("%llu\n", static_cast<unsigned long long>(rep->job_id()));
  else if (!opts.quiet)  // -Q: errors only
    std::printf("Submitted batch job %llu\n",
                static_cast<unsigned long long>(rep->job_id()));
  if (!opts.wait) return 0;
  std::fflush(stdout);
  return WaitForJob(client, rep->job_id());
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
