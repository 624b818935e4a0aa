#include "nodedaemon/core/step_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sluice::node {
namespace {

// One "key=value" line per field, values C-escaped; repeated keys append.
class Writer {
 public:
  void Put(absl::string_view k, absl::string_view v) {
    absl::StrAppend(&out_, k, "=", absl::CEscape(v), "\n");
  }
  void Put(absl::string_view k, uint64_t v) { absl::StrAppend(&out_, k, "=", v, "\n"); }
  void Ids(absl::string_view k, const std::vector<uint32_t>& v) {
    Put(k, absl::StrJoin(v, ","));
  }
  std::string out_;
};

using Fields = std::multimap<std::string, std::string>;

absl::StatusOr<Fields> Parse(const std::string& text) {
  Fields f;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos)
      return absl::DataLossError(absl::StrCat("malformed line: ", line));
    std::string v;
    if (!absl::CUnescape(line.substr(eq + 1), &v))
      return absl::DataLossError(absl::StrCat("bad escape in: ", line));
    f.emplace(std::string(line.substr(0, eq)), std::move(v));
  }
  return f;
}

std::string Get(const Fields& f, const std::string& k) {
  auto it = f.find(k);
  return it == f.end() ? "" : it->second;
}
template <typename T>
T Num(const Fields& f, const std::string& k) {
  T v{};
  (void)absl::SimpleAtoi(Get(f, k), &v);
  return v;
}
std::vector<uint32_t> IdList(const Fields& f, const std::string& k) {
  std::vector<uint32_t> out;
  for (absl::string_view p : absl::StrSplit(Get(f, k), ',', absl::SkipEmpty())) {
    uint32_t v;
    if (absl::SimpleAtoi(p, &v)) out.push_back(v);
  }
  return out;
}

}  // namespace

std::string EncodeStepSpec(const StepSpec& s) {
  Writer w;
  const BatchJob& j = s.job;
  w.Put("job_id", j.id);
  w.Put("uid", j.uid);
  w.Put("gid", j.gid);
  w.Put("user", j.user);
  if (!j.groups.empty()) w.Ids("groups", std::vector<uint32_t>(j.groups.begin(), j.groups.end()));
  w.Put("job_name", j.job_name);
  for (const auto& e : j.env) w.Put("env", e);
  w.Put("work_dir", j.work_dir);
  w.Put("std_out", j.std_out);
  w.Put("std_err", j.std_err);
  w.Put("std_in", j.std_in);
  w.Ids("gpus", j.gpus);
  w.Put("cpus", j.cpus);
  w.Put("mem_mb", j.mem_mb);
  w.Put("append_output", j.append_output ? 1 : 0);
  w.Put("partition", j.partition);
  w.Put("node_list", j.node_list);
  for (const auto& a : j.script_args) w.Put("script_arg", a);
  w.Put("node_name", s.node_name);
  w.Put("hostname", s.hostname);
  w.Put("conf_path", s.conf_path);
  w.Ids("cpu_ids", s.cpu_ids);
  w.Ids("all_gpus", s.all_gpus);
  w.Ids("gpu_minors", s.gpu_minors);
  w.Put("prolog", s.prolog);
  w.Put("epilog", s.epilog);
  w.Put("task_prolog", s.task_prolog);
  w.Put("task_epilog", s.task_epilog);
  w.Put("unkillable_timeout_s", s.unkillable_timeout_s);
  w.Put("acct_gather_s", s.acct_gather_s);
  w.Put("cgroup_plugin", s.cgroup.plugin);
  w.Put("cgroup_mountpoint", s.cgroup.mountpoint);
  w.Put("constrain_cores", s.cgroup.constrain_cores ? 1 : 0);
  w.Put("constrain_ram_space", s.cgroup.constrain_ram_space ? 1 : 0);
  w.Put("constrain_devices", s.cgroup.constrain_devices ? 1 : 0);
  w.Put("allowed_ram_space_pct", absl::StrCat(s.cgroup.allowed_ram_space_pct));
  if (s.step >= 0) {
    w.Put("step", static_cast<uint64_t>(s.step));
    for (const auto& a : s.argv) w.Put("argv", a);
    w.Ids("tasks", s.tasks);
    w.Put("node_index", s.node_index);
    w.Put("ntasks", s.ntasks);
    w.Put("pty", s.pty ? 1 : 0);
    w.Put("stdin_all", s.stdin_all ? 1 : 0);
    w.Put("multi_prog", s.multi_prog);
    w.Put("cpu_bind", s.cpu_bind);
    w.Put("io_address", s.io_address);
    w.Put("io_key", s.io_key);
    w.Put("munge_socket", s.munge_socket);
    w.Ids("job_cpu_ids", s.job_cpu_ids);
    w.Put("job_mem_mb", s.job_mem_mb);
    w.Ids("job_gpu_minors", s.job_gpu_minors);
  }
  return w.out_;
}

absl::StatusOr<StepSpec> DecodeStepSpec(const std::string& text) {
  auto f = Parse(text);
  if (!f.ok()) return f.status();
  StepSpec s;
  BatchJob& j = s.job;
  j.id = Num<uint64_t>(*f, "job_id");
  if (j.id == 0) return absl::DataLossError("spec has no job_id");
  j.uid = Num<uint32_t>(*f, "uid");
  j.gid = Num<uint32_t>(*f, "gid");
  j.user = Get(*f, "user");
  for (uint32_t g : IdList(*f, "groups")) j.groups.push_back(g);
  j.job_name = Get(*f, "job_name");
  auto [b, e] = f->equal_range("env");
  for (auto it = b; it != e; ++it) j.env.push_back(it->second);
  j.work_dir = Get(*f, "work_dir");
  j.std_out = Get(*f, "std_out");
  j.std_err = Get(*f, "std_err");
  j.std_in = Get(*f, "std_in");
  j.gpus = IdList(*f, "gpus");
  j.cpus = Num<uint32_t>(*f, "cpus");
  j.mem_mb = Num<uint64_t>(*f, "mem_mb");
  j.append_output = Get(*f, "append_output") == "1";
  j.partition = Get(*f, "partition");
  j.node_list = Get(*f, "node_list");
  {
    auto [ab, ae] = f->equal_range("script_arg");
    for (auto it = ab; it != ae; ++it) j.script_args.push_back(it->second);
  }
  s.node_name = Get(*f, "node_name");
  s.hostname = Get(*f, "hostname");
  s.conf_path = Get(*f, "conf_path");
  s.cpu_ids = IdList(*f, "cpu_ids");
  s.all_gpus = IdList(*f, "all_gpus");
  s.gpu_minors = IdList(*f, "gpu_minors");
  s.prolog = Get(*f, "prolog");
  s.epilog = Get(*f, "epilog");
  s.task_prolog = Get(*f, "task_prolog");
  s.task_epilog = Get(*f, "task_epilog");
  s.unkillable_timeout_s = Num<uint32_t>(*f, "unkillable_timeout_s");
  s.acct_gather_s = Num<uint32_t>(*f, "acct_gather_s");
  if (f->count("cgroup_plugin")) s.cgroup.plugin = Get(*f, "cgroup_plugin");
  if (f->count("cgroup_mountpoint")) s.cgroup.mountpoint = Get(*f, "cgroup_mountpoint");
  s.cgroup.constrain_cores = Get(*f, "constrain_cores") == "1";
  s.cgroup.constrain_ram_space = Get(*f, "constrain_ram_space") == "1";
  s.cgroup.constrain_devices = Get(*f, "constrain_devices") == "1";
  double pct = 100;
  if (absl::SimpleAtod(Get(*f, "allowed_ram_space_pct"), &pct) && pct > 0)
    s.cgroup.allowed_ram_space_pct = pct;
  if (f->count("step")) {
    s.step = Num<int32_t>(*f, "step");
    auto [ab, ae] = f->equal_range("argv");
    for (auto it = ab; it != ae; ++it) s.argv.push_back(it->second);
    s.tasks = IdList(*f, "tasks");
    s.node_index = Num<uint32_t>(*f, "node_index");
    s.ntasks = Num<uint32_t>(*f, "ntasks");
    s.pty = Get(*f, "pty") == "1";
    s.stdin_all = Get(*f, "stdin_all") == "1";
    s.multi_prog = Get(*f, "multi_prog");
    s.cpu_bind = Get(*f, "cpu_bind");
    s.io_address = Get(*f, "io_address");
    s.job_cpu_ids = IdList(*f, "job_cpu_ids");
    s.job_mem_mb = Num<uint64_t>(*f, "job_mem_mb");
    s.job_gpu_minors = IdList(*f, "job_gpu_minors");
    s.io_key = Get(*f, "io_key");
    s.munge_socket = Get(*f, "munge_socket");
    if (s.argv.empty()) return absl::DataLossError("step spec has no argv");
  }
  return s;
}

std::string EncodeStepResult(const StepResult& r) {
  Writer w;
  w.Put("exit_code", static_cast<uint64_t>(r.exit_code));
  w.Put("signal", static_cast<uint64_t>(r.signal));
  w.Put("launch_failed", r.launch_failed ? 1 : 0);
  w.Put("prolog_failed", r.prolog_failed ? 1 : 0);
  w.Put("epilog_failed", r.epilog_failed ? 1 : 0);
  w.Put("oom", r.oom ? 1 : 0);
  w.Put("unkillable", r.unkillable ? 1 : 0);
  w.Put("lost", r.lost ? 1 : 0);
  w.Put("message", r.message);
  if (r.usage.known)
    w.Put("usage", absl::StrCat(r.usage.max_rss_kb, "/", r.usage.max_rss_task, "/",
                                r.usage.sum_rss_kb, "/", r.usage.tasks, "/", r.usage.user_usec,
                                "/", r.usage.sys_usec, "/", r.usage.max_vm_kb, "/",
                                r.usage.max_vm_task, "/", r.usage.sum_vm_kb, "/",
                                r.usage.has_min_cpu ? 1 : 0, "/", r.usage.min_cpu_usec, "/",
                                r.usage.min_cpu_task, "/", r.usage.max_cpu_usec, "/",
                                r.usage.max_cpu_task, "/", r.usage.min_rss_kb, "/",
                                r.usage.min_rss_task, "/", r.usage.min_vm_kb, "/",
                                r.usage.min_vm_task));
  return w.out_;
}

absl::StatusOr<StepResult> DecodeStepResult(const std::string& text) {
  auto f = Parse(text);
  if (!f.ok()) return f.status();
  if (f->find("exit_code") == f->end())
    return absl::DataLossError("status has no exit_code");
  StepResult r;
  r.exit_code = Num<int>(*f, "exit_code");
  r.signal = Num<int>(*f, "signal");
  r.launch_failed = Get(*f, "launch_failed") == "1";
  r.prolog_failed = Get(*f, "prolog_failed") == "1";
  r.epilog_failed = Get(*f, "epilog_failed") == "1";
  r.oom = Get(*f, "oom") == "1";
  if (std::string u = Get(*f, "usage"); !u.empty()) {
    std::vector<std::string> p = absl::StrSplit(u, '/');
    StepResult::Usage& g = r.usage;
    // (Six fields from a stepd of an earlier release.)
    int min_known = 0;
    g.known = (p.size() == 6 || p.size() == 12 || p.size() == 18) &&
              absl::SimpleAtoi(p[0], &g.max_rss_kb) &&
              absl::SimpleAtoi(p[1], &g.max_rss_task) && absl::SimpleAtoi(p[2], &g.sum_rss_kb) &&
              absl::SimpleAtoi(p[3], &g.tasks) && absl::SimpleAtoi(p[4], &g.user_usec) &&
              absl::SimpleAtoi(p[5], &g.sys_usec) &&
              (p.size() == 6 ||
               (absl::SimpleAtoi(p[6], &g.max_vm_kb) && absl::SimpleAtoi(p[7], &g.max_vm_task) &&
                absl::SimpleAtoi(p[8], &g.sum_vm_kb) && absl::SimpleAtoi(p[9], &min_known) &&
                absl::SimpleAtoi(p[10], &g.min_cpu_usec) &&
                absl::SimpleAtoi(p[11], &g.min_cpu_task))) &&
              (p.size() != 18 ||
               (absl::SimpleAtoi(p[12], &g.max_cpu_usec) && absl::SimpleAtoi(p[13], &g.max_cpu_task) &&
                absl::SimpleAtoi(p[14], &g.min_rss_kb) && absl::SimpleAtoi(p[15], &g.min_rss_task) &&
                absl::SimpleAtoi(p[16], &g.min_vm_kb) && absl::SimpleAtoi(p[17], &g.min_vm_task)));
    g.has_min_cpu = min_known == 1;
    if (!g.known) g = {};
  }
  r.unkillable = Get(*f, "unkillable") == "1";
  r.lost = Get(*f, "lost") == "1";
  r.message = Get(*f, "message");
  return r;
}

std::string JobDir(const std::string& spool, uint64_t id) {
  return absl::StrCat(spool, "/job", id);
}

std::string StepDir(const std::string& spool, uint64_t id, uint32_t step) {
  return absl::StrCat(spool, "/job", id, ".", step);
}

absl::Status WriteFileAtomic(const std::string& path, const std::string& data,
                             mode_t mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                  mode);
  if (fd < 0) return absl::InternalError(absl::StrCat(tmp, ": ", strerror(errno)));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return absl::InternalError(absl::StrCat(tmp, ": ", strerror(err)));
    }
    off += static_cast<size_t>(n);
  }
  // No fsync: these files matter while the node runs; a node that crashes
  // has lost its jobs with it.
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return absl::InternalError(absl::StrCat(path, ": ", strerror(errno)));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": ", strerror(errno)));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace sluice::node
