#include "cli/job_request.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/sbatch_options.h"
#include "cli/user_env.h"
#include "common/begin_time.h"
#include "common/time_spec.h"
#include "common/users.h"

namespace sluice::cli {
namespace v1 = ::sluice::v1;

namespace {

int Complain(Command cmd, const std::string& msg, int rc) {
  PrintError(CommandName(cmd), msg);
  return rc;
}

// --uid/--gid: root asks for another user, as in Slurm (the controller
// refuses anyone else however the request was made).
std::optional<int> ResolveIdentity(Command cmd, const JobOptions& o, int64_t* as_uid,
                                   int64_t* as_gid) {
  for (auto [given, name] : {std::pair{&o.uid, "uid"}, std::pair{&o.gid, "gid"}}) {
    if (!*given) continue;
    if (getuid() != 0) return Complain(cmd, absl::StrCat("--", name, " only permitted by root user"), 255);
    std::optional<int64_t> id;
    if (std::string(name) == "uid") {
      const std::string& v = **given;
      bool numeric = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
      auto u = numeric ? common::LookupUser(static_cast<uid_t>(std::strtoul(v.c_str(), nullptr, 10)))
                       : common::LookupUser(v);
      if (u) id = u->uid;
      *as_uid = id.value_or(-1);
    } else if (auto g = common::LookupGroup(**given)) {
      id = *g;
      *as_gid = *g;
    }
    if (!id) return Complain(cmd, absl::StrCat("Invalid --", name, " specification"), 255);
  }
  return std::nullopt;
}

// --begin/--deadline: Slurm's parser names where it stopped, then the
// command's own line.
std::optional<int> ParseWhen(Command cmd, const std::optional<std::string>& text,
                             const char* option, int64_t* out) {
  if (!text) return std::nullopt;
  auto t = common::ParseBeginTime(*text, time(nullptr));
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str());
    return Complain(cmd, absl::StrCat("Invalid --", option, " specification"), 255);
  }
  *out = *t;
  return std::nullopt;
}

// The job's environment: ours under --export, then --export-file's entries
// (NAME=value separated by NULs, or by newlines without any; from a file or
// an open descriptor 3..) over the same names, then --get-user-env's login
// environment under both (sbatch's variables win, as in Slurm).
std::optional<int> JobEnvironment(Command cmd, const JobOptions& o, int64_t as_uid,
                                  const std::vector<std::string>& environ,
                                  std::vector<std::string>* job_env) {
  *job_env = ExportedEnv(o.export_env, environ);
  if (o.export_file) {
    std::optional<std::string> text;
    int fd = -1;
    if (absl::SimpleAtoi(*o.export_file, &fd) && fd >= 3) text = ReadAll(fd);
    else text = ReadFile(*o.export_file);
    if (!text) return Complain(cmd, absl::StrCat("Unable to open --export-file=", *o.export_file), 1);
    char sep = text->find('\0') != std::string::npos ? '\0' : '\n';
    for (absl::string_view e : absl::StrSplit(*text, sep, absl::SkipEmpty())) {
      size_t eq = e.find('=');
      if (eq == absl::string_view::npos) continue;
      std::string key(e.substr(0, eq + 1));
      std::erase_if(*job_env, [&](const std::string& x) { return x.rfind(key, 0) == 0; });
      job_env->emplace_back(e);
    }
  }
  // Slurm does this for root only and quietly ignores it for anyone else.
  if (o.get_user_env && getuid() == 0) {
    auto how = ParseGetUserEnv(*o.get_user_env);
    auto owner = common::LookupUser(static_cast<uid_t>(as_uid >= 0 ? as_uid : 0));
    auto login = how && owner ? LoginEnvironment(owner->name, *how) : std::nullopt;
    if (!login) return Complain(cmd, "Unable to retrieve the user's login environment (--get-user-env)", 1);
    std::set<std::string> have;
    for (const auto& e : *job_env) have.insert(e.substr(0, e.find('=')));
    for (auto& e : *login)
      if (!have.count(e.substr(0, e.find('=')))) job_env->push_back(std::move(e));
  }
  // The job's steps export and lay out the same way (srun reads these),
  // as Slurm sets them.
  if (o.export_env) job_env->push_back(absl::StrCat("SLURM_EXPORT_ENV=", *o.export_env));
  if (o.distribution) job_env->push_back(absl::StrCat("SLURM_DISTRIBUTION=", *o.distribution));
  return std::nullopt;
}

}  // namespace

std::optional<int> FillJobRequest(Command cmd, const JobOptions& o, const std::string& cwd,
                                  const std::vector<std::string>& environ, v1::JobRequest* j) {
  int64_t as_uid = -1, as_gid = -1, deadline = 0, begin = 0;
  if (auto rc = ResolveIdentity(cmd, o, &as_uid, &as_gid)) return rc;
  if (auto rc = ParseWhen(cmd, o.deadline, "deadline", &deadline)) return rc;
  if (auto rc = ParseWhen(cmd, o.begin, "begin", &begin)) return rc;
  std::vector<std::string> env;
  if (auto rc = JobEnvironment(cmd, o, as_uid, environ, &env)) return rc;
  for (auto& e : env) j->add_env(std::move(e));

  if (o.job_name) j->set_name(*o.job_name);
  j->set_partition(o.partition.value_or(""));
  if (o.time_limit_min) {
    j->set_time_limit_set(true);
    j->set_time_limit_min(*o.time_limit_min);
  }
  if (o.time_min_min) {
    j->set_time_min_set(true);
    j->set_time_min_min(*o.time_min_min);
  }
  j->set_min_nodes(o.nodes.value_or(0));
  j->set_ntasks(o.ntasks.value_or(0));
  j->set_ntasks_per_node(o.ntasks_per_node.value_or(0));
  j->set_cpus_per_task(o.cpus_per_task.value_or(0));
  j->set_mincpus(o.mincpus.value_or(0));
  j->set_mem_mb(o.mem_mb.value_or(0));
  j->set_mem_per_cpu_mb(o.mem_per_cpu_mb.value_or(0));
  j->set_mem_per_gpu_mb(o.mem_per_gpu_mb.value_or(0));
  j->set_gpus_per_node(o.gpus_per_node.value_or(""));
  j->set_gres(o.gres.value_or(""));
  j->set_gpus(o.gpus.value_or(0));
  j->set_gpus_per_task(o.gpus_per_task.value_or(0));
  j->set_cpus_per_gpu(o.cpus_per_gpu.value_or(0));
  j->set_sockets_per_node(o.sockets_per_node.value_or(0));
  j->set_cores_per_socket(o.cores_per_socket.value_or(0));
  j->set_spread_job(o.spread_job);
  j->set_overcommit(o.overcommit);
  j->set_tmp_mb(o.tmp_mb.value_or(0));
  j->set_nodelist(o.nodelist.value_or(""));
  j->set_exclude(o.exclude.value_or(""));
  j->set_constraint(o.constraint.value_or(""));
  j->set_exclusive(o.exclusive);
  j->set_contiguous(o.contiguous);
  j->set_work_dir(JobWorkDir(o, cwd));
  j->set_dependency(o.dependency.value_or(""));
  j->set_begin_time(begin);
  j->set_deadline(deadline);
  j->set_hold(o.hold);
  j->set_nice(o.nice.value_or(0));
  j->set_priority(o.priority.value_or(0));
  j->set_requeue(o.requeue);
  j->set_signal_num(o.signal_num);
  j->set_signal_secs(o.signal_secs);
  j->set_signal_batch(o.signal_batch);
  j->set_account(o.account.value_or(""));
  j->set_comment(o.comment.value_or(""));
  j->set_mail_type(o.mail_type.value_or(""));
  j->set_mail_user(o.mail_user.value_or(""));
  // --qos: checked against the associations where accounting applies
  // (docs/ADMIN.md); --wckey is inert (docs/CLI.md).
  j->set_qos(o.qos.value_or(""));
  if (as_uid >= 0 || as_gid >= 0) {
    j->set_as_set(true);
    j->set_as_uid(as_uid);
    j->set_as_gid(as_gid);
  }
  j->set_submit_host(common::ShortHostname());
  j->set_alloc_sid(static_cast<uint32_t>(std::max<pid_t>(0, getsid(0))));
  return std::nullopt;
}

std::string JobWorkDir(const JobOptions& o, const std::string& cwd) {
  if (!o.chdir) return cwd;
  return (*o.chdir)[0] == '/' ? *o.chdir : absl::StrCat(cwd, "/", *o.chdir);
}

void PrintOptionDump(Command cmd, const JobOptions& o, const std::string& workdir) {
  std::map<std::string, std::string> shown = o.shown;
  shown["verbose"] = std::to_string(o.verbose);
  if (o.time_limit_min) shown["time"] = DumpedTimeLimit(*o.time_limit_min);
  // --begin and --deadline as the times they name (Slurm's dump shows
  // "2026-11-30T05:43:42" for now+60).
  for (const char* k : {"begin", "deadline"})
    if (auto it = shown.find(k); it != shown.end())
      if (auto t = common::ParseBeginTime(it->second, time(nullptr)); t.ok())
        it->second = common::FormatTimestamp(*t);
  // srun's dump shows --mem in MB (11_srun_v), sbatch's as given.
  if (o.mem_mb && cmd != kSbatch) shown["mem"] = std::to_string(*o.mem_mb);
  if (cmd == kSbatch)
    for (const char* k : {"output", "error", "input"})
      if (auto it = shown.find(k); it != shown.end() && !it->second.empty() && it->second[0] != '/')
        it->second = absl::StrCat(workdir, "/", it->second);
  PrintDefinedOptions(CommandName(cmd), shown);
}

int TestOnly(Command cmd, CtldClient& client, v1::SubmitBatchJobRequest* req, bool quiet) {
  req->set_test_only(true);
  auto rep = client.Submit(*req);
  if (!rep.ok()) {
    std::fprintf(stderr, "allocation failure: %s\n", std::string(rep.status().message()).c_str());
    return 1;
  }
  for (const auto& n : rep->notes()) PrintError(CommandName(cmd), n);
  if (!rep->error().empty()) {
    std::fprintf(stderr, "allocation failure: %s\n", rep->error().c_str());
    return 1;
  }
  if (quiet) return 0;
  if (rep->test_start() == 0) {
    std::fprintf(stderr, "%s: Job %llu has no start time estimate\n", CommandName(cmd),
                 static_cast<unsigned long long>(rep->job_id()));
    return 0;
  }
  std::fprintf(stderr, "%s: Job %llu to start at %s using %u processors on nodes %s in partition %s\n",
               CommandName(cmd), static_cast<unsigned long long>(rep->job_id()),
               common::FormatTimestamp(rep->test_start()).c_str(), rep->test_cpus(),
               rep->test_nodes().c_str(), rep->test_partition().c_str());
  return 0;
}

}  // namespace sluice::cli
