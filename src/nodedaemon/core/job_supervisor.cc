#include "nodedaemon/core/job_supervisor.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "absl/strings/numbers.h"
#include "common/users.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sluice::node {
namespace {

const char* kJobFiles[] = {"slurm_script", "spec", "status", "stepd.pid",
                           "stepd.sock", "spec.tmp", "status.tmp",
                           "stepd.pid.tmp"};

void RemoveJobDir(const std::string& dir) {
  for (const char* f : kJobFiles) ::unlink((dir + "/" + f).c_str());
  ::rmdir(dir.c_str());
}

}  // namespace

JobSupervisor::JobSupervisor(SupervisorOptions opts, StepdControl* stepds)
    : opts_(std::move(opts)), stepds_(stepds) {}

namespace {
// `n` (at least one) of `candidates`, those `used` counts least first (so
// co-located work shares as little as possible), in ascending order.
std::vector<uint32_t> LeastUsed(std::vector<uint32_t> candidates,
                                const std::map<uint32_t, int>& used, uint32_t n) {
  auto count = [&](uint32_t c) {
    auto it = used.find(c);
    return it == used.end() ? 0 : it->second;
  };
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](uint32_t a, uint32_t b) { return count(a) < count(b); });
  candidates.resize(std::min<size_t>(std::max<uint32_t>(n, 1), candidates.size()));
  std::sort(candidates.begin(), candidates.end());
  return candidates;
}
}  // namespace

std::vector<uint32_t> JobSupervisor::PickCpus(uint32_t n) const {
  std::map<uint32_t, int> used;
  for (const auto& [id, r] : running_)
    for (uint32_t c : r.cpus) ++used[c];
  for (const auto& [id, cpus] : step_only_jobs_)
    for (uint32_t c : cpus) ++used[c];
  std::vector<uint32_t> all(opts_.cpu_count);
  for (uint32_t i = 0; i < opts_.cpu_count; ++i) all[i] = i;
  return LeastUsed(std::move(all), used, n);
}

std::vector<uint32_t> JobSupervisor::PickStepCpus(uint64_t job,
                                                 const std::vector<uint32_t>& job_cpus,
                                                 uint32_t n) const {
  std::map<uint32_t, int> used;
  for (const auto& [key, st] : steps_)
    if (key.first == job)
      for (uint32_t c : st.cpus) ++used[c];
  return LeastUsed(job_cpus, used, n);
}

std::vector<uint32_t> JobSupervisor::Minors(const std::vector<uint32_t>& gpus) const {
  std::vector<uint32_t> out;
  for (uint32_t g : gpus) out.push_back(g < opts_.all_gpus.size() ? opts_.all_gpus[g] : g);
  return out;
}

absl::Status JobSupervisor::WriteJobFiles(const StepSpec& spec,
                                          const std::string& script,
                                          const std::string& dir) {
  // The directory is root's; only the script inside belongs to the user,
  // who reads it after dropping privileges.
  if (::mkdir(dir.c_str(), 0711) != 0 && errno != EEXIST)
    return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", strerror(errno)));
  std::string path = dir + "/slurm_script";
  if (auto s = WriteFileAtomic(path, script, 0700); !s.ok()) return s;
  if (geteuid() == 0 && ::chown(path.c_str(), spec.job.uid, spec.job.gid) != 0)
    return absl::InternalError(absl::StrCat("cannot chown ", path, ": ", strerror(errno)));
  return WriteFileAtomic(dir + "/spec", EncodeStepSpec(spec), 0600);
}

// What this node decides for any step it runs (batch or srun).
void JobSupervisor::FillNodeSide(StepSpec* spec) const {
  spec->node_name = opts_.node_name;
  spec->hostname = opts_.hostname;
  spec->conf_path = opts_.conf_path;
  spec->cpu_ids = PickCpus(spec->job.cpus);
  spec->all_gpus = opts_.all_gpus;
  spec->gpu_minors = Minors(spec->job.gpus);
  spec->task_prolog = opts_.task_prolog;
  spec->task_epilog = opts_.task_epilog;
  spec->unkillable_timeout_s = opts_.unkillable_timeout_s;
  spec->acct_gather_s = opts_.acct_gather_s;
  spec->cgroup = opts_.cgroup;
  if (spec->job.groups.empty() && !spec->job.user.empty())
    spec->job.groups = common::GroupsOf(spec->job.user, spec->job.gid);
}

absl::StatusOr<pid_t> JobSupervisor::Launch(const BatchJob& job) {
  if (auto it = running_.find(job.id); it != running_.end())
    return it->second.stepd;  // a repeated request
  StepSpec spec;
  spec.job = job;
  FillNodeSide(&spec);
  spec.prolog = opts_.prolog;  // the batch step runs Prolog and Epilog
  spec.epilog = opts_.epilog;
  std::string dir = JobDir(opts_.spool_dir, job.id);
  // A requeued job may come back to this node: nothing of its last run
  // may be mistaken for this one.
  std::erase_if(ended_, [&](const EndedJob& e) { return e.id == job.id; });
  ::unlink((dir + "/status").c_str());
  auto fail = [&](const std::string& msg) -> absl::Status {
    StepResult r;
    r.exit_code = 1;
    r.launch_failed = true;
    r.message = msg;
    EndWith(job.id, r);
    return absl::FailedPreconditionError(msg);
  };
  if (auto s = WriteJobFiles(spec, job.script, dir); !s.ok())
    return fail(std::string(s.message()));
  auto pid = stepds_->Start(dir);
  if (!pid.ok()) return fail(std::string(pid.status().message()));
  (void)WriteFileAtomic(dir + "/stepd.pid", std::to_string(*pid), 0644);
  running_[job.id] = {*pid, spec.cpu_ids, job.gpus};
  return *pid;
}

std::vector<std::pair<uint64_t, pid_t>> JobSupervisor::Recover() {
  std::vector<std::pair<uint64_t, pid_t>> out;
  DIR* d = ::opendir(opts_.spool_dir.c_str());
  if (!d) return out;
  std::vector<uint64_t> ids;
  while (struct dirent* e = ::readdir(d)) {
    uint64_t id = 0;
    absl::string_view name = e->d_name;
    if (absl::ConsumePrefix(&name, "job") && absl::SimpleAtoi(name, &id) && id > 0)
      ids.push_back(id);
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  for (uint64_t id : ids) {
    std::string dir = JobDir(opts_.spool_dir, id);
    auto spec_text = ReadSmallFile(dir + "/spec");
    auto spec = spec_text.ok() ? DecodeStepSpec(*spec_text)
                               : absl::StatusOr<StepSpec>(spec_text.status());
    if (!spec.ok()) {
      RemoveJobDir(dir);  // never got as far as a stepd
      continue;
    }
    if (auto st = ReadSmallFile(dir + "/status"); st.ok()) {
      auto r = DecodeStepResult(*st);
      if (r.ok()) {
        ended_.push_back({id, *r});
        continue;
      }
    }
    pid_t pid = 0;
    if (auto p = ReadSmallFile(dir + "/stepd.pid"); p.ok())
      (void)absl::SimpleAtoi(*p, &pid);
    if (pid > 0 && stepds_->Alive(pid)) {
      running_[id] = {pid, spec->cpu_ids, spec->job.gpus};
      out.emplace_back(id, pid);
    } else {
      OnStepdExit(id);  // it ended while we were away: read or lose it
    }
  }
  return out;
}

void JobSupervisor::Signal(uint64_t id, KillKind kind, int sig,
                           SignalScope scope, uint32_t kill_wait_s,
                           int64_t now, int32_t step, bool every_step) {
  std::string line;
  if (kind == KillKind::kSignal) {
    line = absl::StrCat("signal ", sig, " ",
                        scope == SignalScope::kBatchShell ? "batch" : "all");
  } else {
    line = absl::StrCat("terminate ", kind == KillKind::kTimeout ? "timeout" : "cancel",
                        " ", kill_wait_s, " ", now);
  }
  for (const auto& [key, st] : steps_)
    if (key.first == id && (step < 0 ? kind != KillKind::kSignal || every_step
                                     : key.second == static_cast<uint32_t>(step)))
      Deliver(StepDir(opts_.spool_dir, id, key.second), line);
  if (step < 0 && running_.count(id)) Deliver(JobDir(opts_.spool_dir, id), line);
}

void JobSupervisor::Deliver(const std::string& dir, const std::string& line) {
  if (auto it = pending_.find(dir); it != pending_.end()) {
    it->second.push_back(line);
    return;
  }
  auto r = stepds_->Send(dir, line);
  if (!r.ok() && absl::IsUnavailable(r.status())) pending_[dir].push_back(line);
}

void JobSupervisor::FlushPending() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto& lines = it->second;
    size_t sent = 0;
    for (; sent < lines.size(); ++sent) {
      auto r = stepds_->Send(it->first, lines[sent]);
      if (!r.ok() && absl::IsUnavailable(r.status())) break;
    }
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(sent));
    it = lines.empty() ? pending_.erase(it) : std::next(it);
  }
}

void JobSupervisor::Notify(uint64_t id, const std::string& text) {
  std::string line = "notify " + text;
  std::replace(line.begin(), line.end(), '\n', ' ');  // one command line
  if (running_.count(id)) {
    Deliver(JobDir(opts_.spool_dir, id), line);
    return;
  }
  for (const auto& [key, st] : steps_)
    if (key.first == id) Deliver(StepDir(opts_.spool_dir, id, key.second), line);
}

void JobSupervisor::Kill(uint64_t id) {
  for (const auto& [key, st] : steps_)
    if (key.first == id) Deliver(StepDir(opts_.spool_dir, id, key.second), "kill");
  if (running_.count(id)) Deliver(JobDir(opts_.spool_dir, id), "kill");
}

absl::StatusOr<pid_t> JobSupervisor::LaunchStep(const StepSpec& in, const JobShare& share) {
  auto key = std::make_pair(in.job.id, static_cast<uint32_t>(in.step));
  if (steps_.count(key))
    return absl::AlreadyExistsError("step already launched on this node");
  StepSpec spec = in;
  FillNodeSide(&spec);
  // The job's cpuset here: its batch step's, or one chosen for a job that
  // has only steps on this node; the step's CPUs are within it.
  uint64_t id = spec.job.id;
  if (auto r = running_.find(id); r != running_.end()) {
    spec.job_cpu_ids = r->second.cpus;
  } else if (auto it = step_only_jobs_.find(id); it != step_only_jobs_.end()) {
    spec.job_cpu_ids = it->second;
  } else {
    spec.job_cpu_ids = PickCpus(std::max(share.cpus, spec.job.cpus));
  }
  spec.cpu_ids = PickStepCpus(id, spec.job_cpu_ids, spec.job.cpus);
  spec.job_mem_mb = share.mem_mb;
  spec.job_gpu_minors = Minors(share.gpus.empty() ? spec.job.gpus : share.gpus);
  std::string dir = StepDir(opts_.spool_dir, spec.job.id, key.second);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", strerror(errno)));
  ::unlink((dir + "/status").c_str());
  if (auto s = WriteFileAtomic(dir + "/spec", EncodeStepSpec(spec), 0600); !s.ok()) return s;
  auto pid = stepds_->Start(dir);
  if (!pid.ok()) return absl::FailedPreconditionError(pid.status().message());
  (void)WriteFileAtomic(dir + "/stepd.pid", std::to_string(*pid), 0644);
  steps_[key] = {*pid, spec.cpu_ids};
  if (!running_.count(id)) step_only_jobs_[id] = spec.job_cpu_ids;
  return *pid;
}

void JobSupervisor::OnStepExit(uint64_t job, uint32_t step) {
  steps_.erase({job, step});
  pending_.erase(StepDir(opts_.spool_dir, job, step));
  EndedStep e{job, step, {}};
  if (auto text = ReadSmallFile(StepDir(opts_.spool_dir, job, step) + "/status"); text.ok())
    if (auto r = DecodeStepResult(*text); r.ok()) e.usage = r->usage;
  ended_steps_.push_back(std::move(e));
  bool more = false;
  for (const auto& [key, st] : steps_) more |= key.first == job;
  if (!more && !allocated_.count(job)) step_only_jobs_.erase(job);
  RemoveJobDir(StepDir(opts_.spool_dir, job, step));
}

std::vector<std::tuple<uint64_t, uint32_t, pid_t>> JobSupervisor::RecoverSteps() {
  std::vector<std::tuple<uint64_t, uint32_t, pid_t>> out;
  DIR* d = ::opendir(opts_.spool_dir.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    absl::string_view name = e->d_name;
    uint64_t job = 0;
    uint32_t step = 0;
    size_t dot = name.find('.');
    if (!absl::ConsumePrefix(&name, "job") || dot == absl::string_view::npos) continue;
    std::vector<std::string> parts = absl::StrSplit(name, '.');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &job) || !absl::SimpleAtoi(parts[1], &step))
      continue;
    std::string dir = StepDir(opts_.spool_dir, job, step);
    pid_t pid = 0;
    if (auto p = ReadSmallFile(dir + "/stepd.pid"); p.ok()) (void)absl::SimpleAtoi(*p, &pid);
    if (pid > 0 && stepds_->Alive(pid)) {
      auto spec = ReadSmallFile(dir + "/spec");
      auto decoded = spec.ok() ? DecodeStepSpec(*spec) : absl::StatusOr<StepSpec>(spec.status());
      steps_[{job, step}] = {pid, decoded.ok() ? decoded->cpu_ids : std::vector<uint32_t>{}};
      if (decoded.ok() && !running_.count(job)) step_only_jobs_[job] = decoded->job_cpu_ids;
      out.emplace_back(job, step, pid);
    } else {
      RemoveJobDir(dir);
    }
  }
  ::closedir(d);
  return out;
}

void JobSupervisor::EndWith(uint64_t id, StepResult r) {
  running_.erase(id);
  for (const auto& e : ended_)
    if (e.id == id) return;
  ended_.push_back({id, std::move(r)});
}

void JobSupervisor::OnStepdExit(uint64_t id) {
  // The batch script is over: its steps go with it, as in Slurm.
  for (const auto& [key, st] : steps_)
    if (key.first == id) Deliver(StepDir(opts_.spool_dir, id, key.second), "kill");
  std::string dir = JobDir(opts_.spool_dir, id);
  pending_.erase(dir);
  StepResult r;
  auto text = ReadSmallFile(dir + "/status");
  auto decoded = text.ok() ? DecodeStepResult(*text)
                           : absl::StatusOr<StepResult>(text.status());
  if (decoded.ok()) {
    r = *decoded;
  } else {
    r.lost = true;
    r.exit_code = 1;
    r.message = "sluice-stepd ended without a result";
  }
  EndWith(id, r);
}

void JobSupervisor::CheckAlive() {
  std::vector<uint64_t> gone;
  for (const auto& [id, r] : running_)
    if (!stepds_->Alive(r.stepd)) gone.push_back(id);
  for (uint64_t id : gone) OnStepdExit(id);
}

std::vector<uint64_t> JobSupervisor::Running() const {
  std::vector<uint64_t> out;
  for (const auto& [id, r] : running_) out.push_back(id);
  return out;
}

std::vector<StepdOf> JobSupervisor::Stepds(uint64_t job) const {
  std::map<std::pair<uint64_t, int64_t>, StepdOf> all;  // (job, -1 batch | step)
  for (const auto& [id, r] : running_)
    if (!job || id == job) all[{id, -1}] = {id, "batch", r.stepd};
  for (const auto& [key, st] : steps_)
    if (!job || key.first == job)
      all[{key.first, key.second}] = {key.first, std::to_string(key.second), st.stepd};
  std::vector<StepdOf> out;
  for (auto& [k, s] : all) out.push_back(std::move(s));
  return out;
}

bool JobSupervisor::Reconcile(const std::map<uint64_t, uint32_t>& allocations) {
  bool changed = false;
  allocated_.clear();
  for (const auto& [job, cpus] : allocations) {
    allocated_.insert(job);
    if (running_.count(job) || step_only_jobs_.count(job) || !cpus) continue;
    step_only_jobs_[job] = PickCpus(cpus);
    changed = true;
  }
  for (auto it = step_only_jobs_.begin(); it != step_only_jobs_.end();) {
    bool steps = false;
    for (const auto& [key, st] : steps_) steps |= key.first == it->first;
    if (!allocated_.count(it->first) && !steps) {
      it = step_only_jobs_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  return changed;
}

std::map<uint64_t, std::vector<uint32_t>> JobSupervisor::JobCpus() const {
  std::map<uint64_t, std::vector<uint32_t>> out = step_only_jobs_;
  for (const auto& [id, r] : running_) out[id] = r.cpus;
  return out;
}

std::map<uint32_t, uint64_t> JobSupervisor::GpuOwners() const {
  std::map<uint32_t, uint64_t> out;
  for (const auto& [id, r] : running_)
    for (uint32_t g : r.gpus) out[g] = id;
  return out;
}

void JobSupervisor::Ack(const std::vector<uint64_t>& ids) {
  for (uint64_t id : ids) {
    auto it = std::find_if(ended_.begin(), ended_.end(),
                           [&](const EndedJob& e) { return e.id == id; });
    if (it == ended_.end()) continue;
    ended_.erase(it);
    RemoveJobDir(JobDir(opts_.spool_dir, id));
  }
}

}  // namespace sluice::node
