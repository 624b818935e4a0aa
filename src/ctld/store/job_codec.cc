// Line-oriented "key=value" encoding, values escaped (\n, \\, \=). Unknown
// keys are skipped so newer records load in older builds.
#include "absl/strings/string_view.h"
#include <functional>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ctld/store/job_store.h"

namespace sluice::ctld {
namespace {

std::string Esc(absl::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '\\') o += "\\\\";
    else if (c == '\n') o += "\\n";
    else if (c == '\x1f') o += "\\u";
    else o += c;
  }
  return o;
}

std::string Unesc(absl::string_view s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[++i];
      o += n == 'n' ? '\n' : n == 'u' ? '\x1f' : n;
    } else {
      o += s[i];
    }
  }
  return o;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::vector<std::string> e;
  for (const auto& x : v) e.push_back(Esc(x));
  return absl::StrJoin(e, "\x1f");
}

std::string EncodeAlloc(const std::vector<NodeAllocation>& alloc) {
  std::vector<std::string> parts;
  for (const auto& a : alloc)
    parts.push_back(absl::StrCat(a.node, "/", a.cpus, "/", a.mem_mb, "/",
                                 absl::StrJoin(a.gpus, ".")));
  return absl::StrJoin(parts, ",");
}

bool DecodeAlloc(absl::string_view s, std::vector<NodeAllocation>* out) {
  if (s.empty()) return true;
  for (absl::string_view item : absl::StrSplit(s, ',')) {
    std::vector<absl::string_view> f = absl::StrSplit(item, '/');
    if (f.size() != 4) return false;
    NodeAllocation a;
    a.node = std::string(f[0]);
    if (!absl::SimpleAtoi(f[1], &a.cpus) || !absl::SimpleAtoi(f[2], &a.mem_mb))
      return false;
    if (!f[3].empty()) {
      for (absl::string_view g : absl::StrSplit(f[3], '.')) {
        uint32_t x;
        if (!absl::SimpleAtoi(g, &x)) return false;
        a.gpus.push_back(x);
      }
    }
    out->push_back(std::move(a));
  }
  return true;
}

// Usage as "known/max_rss/ave_rss/max_vm/ave_vm/user_usec/sys_usec/
// rss_task/vm_task/rss_node/vm_node/tasks[/min_cpu_usec/min_cpu_task/
// min_cpu_node/max_cpu_usec/max_cpu_task/max_cpu_node/min_rss_kb/
// min_rss_task/min_rss_node/min_vm_kb/min_vm_task/min_vm_node]" (node
// names hold no '/'; the per-task ends only when known).
std::string EncodeUsage(const StepUsage& u) {
  std::string out =
      absl::StrCat(u.known ? 1 : 0, "/", u.max_rss_kb, "/", u.ave_rss_kb, "/", u.max_vm_kb, "/",
                   u.ave_vm_kb, "/", u.user_usec, "/", u.sys_usec, "/", u.max_rss_task, "/",
                   u.max_vm_task, "/", u.max_rss_node, "/", u.max_vm_node, "/", u.tasks);
  if (u.has_min_cpu)
    absl::StrAppend(&out, "/", u.min_cpu_usec, "/", u.min_cpu_task, "/", u.min_cpu_node, "/",
                    u.max_cpu_usec, "/", u.max_cpu_task, "/", u.max_cpu_node, "/", u.min_rss_kb,
                    "/", u.min_rss_task, "/", u.min_rss_node, "/", u.min_vm_kb, "/",
                    u.min_vm_task, "/", u.min_vm_node);
  return out;
}

bool DecodeUsage(absl::string_view s, StepUsage* u) {
  std::vector<std::string> f = absl::StrSplit(s, '/');
  if (f.size() != 11 && f.size() != 12 && f.size() != 15 && f.size() != 24) return false;
  if (f.size() >= 12 && !absl::SimpleAtoi(f[11], &u->tasks)) return false;
  if (f.size() >= 15) {
    if (!absl::SimpleAtoi(f[12], &u->min_cpu_usec) || !absl::SimpleAtoi(f[13], &u->min_cpu_task))
      return false;
    u->has_min_cpu = true;
    u->min_cpu_node = f[14];
  }
  if (f.size() == 24) {
    if (!absl::SimpleAtoi(f[15], &u->max_cpu_usec) || !absl::SimpleAtoi(f[16], &u->max_cpu_task) ||
        !absl::SimpleAtoi(f[18], &u->min_rss_kb) || !absl::SimpleAtoi(f[19], &u->min_rss_task) ||
        !absl::SimpleAtoi(f[21], &u->min_vm_kb) || !absl::SimpleAtoi(f[22], &u->min_vm_task))
      return false;
    u->max_cpu_node = f[17];
    u->min_rss_node = f[20];
    u->min_vm_node = f[23];
  }
  int known = 0;
  if (!absl::SimpleAtoi(f[0], &known) || !absl::SimpleAtoi(f[1], &u->max_rss_kb) ||
      !absl::SimpleAtoi(f[2], &u->ave_rss_kb) || !absl::SimpleAtoi(f[3], &u->max_vm_kb) ||
      !absl::SimpleAtoi(f[4], &u->ave_vm_kb) || !absl::SimpleAtoi(f[5], &u->user_usec) ||
      !absl::SimpleAtoi(f[6], &u->sys_usec) || !absl::SimpleAtoi(f[7], &u->max_rss_task) ||
      !absl::SimpleAtoi(f[8], &u->max_vm_task))
    return false;
  u->known = known != 0;
  u->max_rss_node = f[9];
  u->max_vm_node = f[10];
  return true;
}

// Steps: records separated by \x1e, fields by \x1d (a name holding either
// has it replaced by '?').
std::string EncodeSteps(const std::vector<StepRecord>& steps) {
  std::vector<std::string> recs;
  for (const auto& r : steps) {
    std::string name = r.name;
    for (char& c : name)
      if (c == '\x1d' || c == '\x1e') c = '?';
    recs.push_back(absl::StrJoin(
        {absl::StrCat(r.id), name, absl::StrCat(r.start_time), absl::StrCat(r.end_time),
         absl::StrCat(static_cast<int>(r.state)), absl::StrCat(r.exit_code),
         absl::StrCat(r.exit_signal), r.node_list, absl::StrCat(r.nnodes),
         absl::StrCat(r.ntasks), absl::StrCat(r.ncpus), EncodeUsage(r.usage)},
        "\x1d"));
  }
  return absl::StrJoin(recs, "\x1e");
}

bool DecodeSteps(absl::string_view s, std::vector<StepRecord>* out) {
  if (s.empty()) return true;
  for (absl::string_view rec : absl::StrSplit(s, '\x1e')) {
    std::vector<std::string> f = absl::StrSplit(rec, '\x1d');
    if (f.size() != 12) return false;
    StepRecord r;
    int state = 0;
    if (!absl::SimpleAtoi(f[0], &r.id) || !absl::SimpleAtoi(f[2], &r.start_time) ||
        !absl::SimpleAtoi(f[3], &r.end_time) || !absl::SimpleAtoi(f[4], &state) ||
        state < 0 || state >= common::kJobStateCount || !absl::SimpleAtoi(f[5], &r.exit_code) ||
        !absl::SimpleAtoi(f[6], &r.exit_signal) || !absl::SimpleAtoi(f[8], &r.nnodes) ||
        !absl::SimpleAtoi(f[9], &r.ntasks) || !absl::SimpleAtoi(f[10], &r.ncpus) ||
        !DecodeUsage(f[11], &r.usage))
      return false;
    r.name = f[1];
    r.state = static_cast<JobState>(state);
    r.node_list = f[7];
    out->push_back(std::move(r));
  }
  return true;
}

}  // namespace

std::string EncodeJob(const Job& j, bool with_body) {
  const JobSpec& s = j.spec;
  std::vector<std::pair<std::string, std::string>> kv = {
      {"id", absl::StrCat(j.id.value())},
      {"state", absl::StrCat(static_cast<int>(j.state))},
      {"final_state", absl::StrCat(static_cast<int>(j.final_state))},
      {"reason", absl::StrCat(static_cast<int>(j.reason))},
      {"priority", absl::StrCat(j.priority)},
      {"submit_time", absl::StrCat(j.submit_time)},
      {"eligible_time", absl::StrCat(j.eligible_time)},
      {"start_time", absl::StrCat(j.start_time)},
      {"end_time", absl::StrCat(j.end_time)},
      {"exit_code", absl::StrCat(j.exit_code)},
      {"exit_signal", absl::StrCat(j.exit_signal)},
      {"alloc", EncodeAlloc(j.alloc)},
      {"uid", absl::StrCat(s.uid)},
      {"gid", absl::StrCat(s.gid)},
      {"user", s.user},
      {"group", s.group},
      {"name", s.name},
      {"partition", s.partition},
      {"time_limit", absl::StrCat(s.time_limit_min)},
      {"min_nodes", absl::StrCat(s.min_nodes)},
      {"ntasks", absl::StrCat(s.ntasks)},
      {"ntasks_set", absl::StrCat(s.ntasks_set)},
      {"ntasks_per_node", absl::StrCat(s.ntasks_per_node)},
      {"cpus_per_task", absl::StrCat(s.cpus_per_task)},
      {"cpus_per_task_set", absl::StrCat(s.cpus_per_task_set)},
      {"cpus_per_gpu", absl::StrCat(s.cpus_per_gpu)},
      {"mem_mb", absl::StrCat(s.mem_mb)},
      {"gpus_per_node", absl::StrCat(s.gpus_per_node)},
      {"gpu_type", s.gpu_type},
      {"work_dir", s.work_dir},
      {"std_out", s.std_out},
      {"std_err", s.std_err},
      {"std_in", s.std_in},
      {"hold", absl::StrCat(s.hold)},
      {"admin_hold", absl::StrCat(s.admin_hold)},
      {"append_output", absl::StrCat(s.append_output)},
      {"dependency", s.dependency},
      {"nodelist", JoinList(s.nodelist)},
      {"exclude", JoinList(s.exclude)},
      {"constraint", s.constraint},
      {"exclusive", absl::StrCat(s.exclusive)},
      {"contiguous", absl::StrCat(s.contiguous)},
      {"account", s.account},
      {"qos", s.qos},
      {"comment", s.comment},
      {"script_args", JoinList(s.script_args)},
      {"nice", absl::StrCat(s.nice)},
      {"fixed_priority", absl::StrCat(s.fixed_priority)},
      {"begin_time", absl::StrCat(s.begin_time)},
      {"submit_host", s.submit_host},
      {"alloc_sid", absl::StrCat(s.alloc_sid)},
      {"submit_line", s.submit_line},
      {"mem_per_gpu_mb", absl::StrCat(s.mem_per_gpu_mb)},
      {"requeue", absl::StrCat(s.requeue)},
      {"signal_num", absl::StrCat(s.signal_num)},
      {"signal_secs", absl::StrCat(s.signal_secs)},
      {"signal_batch", absl::StrCat(s.signal_batch)},
      {"restart_count", absl::StrCat(j.restart_count)},
      {"interactive", absl::StrCat(s.interactive)},
      {"deadline", absl::StrCat(s.deadline)},
      {"time_min", absl::StrCat(s.time_min_min)},
      {"mail_type", absl::StrCat(s.mail_type)},
      {"mincpus", absl::StrCat(s.mincpus)},
      {"overcommit", absl::StrCat(s.overcommit)},
      {"tmp_mb", absl::StrCat(s.tmp_mb)},
      {"sockets_per_node", absl::StrCat(s.sockets_per_node)},
      {"cores_per_socket", absl::StrCat(s.cores_per_socket)},
      {"mail_user", s.mail_user},
      {"next_step_id", absl::StrCat(j.next_step_id)},
      {"steps", EncodeSteps(j.step_log)},
      {"batch_usage", EncodeUsage(j.batch_usage)},
      {"cancelled_by", absl::StrCat(j.cancelled_by)},
      {"requeue_on_end", absl::StrCat(j.requeue_on_end)},
      {"backfilled", absl::StrCat(j.backfilled)},
      {"suspend_time", absl::StrCat(j.suspend_time)},
      {"pre_suspend_secs", absl::StrCat(j.pre_suspend_secs)},
      {"suspended_secs", absl::StrCat(j.suspended_secs)},
  };
  if (j.array_job_id) {
    kv.insert(kv.end(), {
        {"array_job_id", absl::StrCat(j.array_job_id)},
        {"array_task_id", absl::StrCat(j.array_task_id)},
        {"array_pending", j.array_pending.Encode()},
        {"array_shape", absl::StrCat(s.array.count, ",", s.array.min, ",", s.array.max,
                                     ",", s.array.step, ",", s.array.throttle)},
    });
  }
  if (with_body && s.HoldsBody()) {
    kv.insert(kv.end(), {{"script", s.script}, {"env", JoinList(s.Env())}});
  } else if (uint64_t body = s.body_id ? s.body_id : s.HoldsBody() ? j.id.value() : 0) {
    kv.push_back({"body", absl::StrCat(body)});
  }
  std::string out;
  for (const auto& [k, v] : kv) absl::StrAppend(&out, k, "=", Esc(v), "\n");
  return out;
}

absl::StatusOr<Job> DecodeJob(const std::string& text) {
  std::map<std::string, std::string> kv;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos)
      return absl::DataLossError("corrupt job record");
    kv[std::string(line.substr(0, eq))] = Unesc(line.substr(eq + 1));
  }
  Job j;
  JobSpec& s = j.spec;
  bool ok = true;
  auto num = [&](const char* k, auto* out) {
    auto it = kv.find(k);
    if (it == kv.end()) return;
    if (!absl::SimpleAtoi(it->second, out)) ok = false;
  };
  auto str = [&](const char* k, std::string* out) {
    if (auto it = kv.find(k); it != kv.end()) *out = it->second;
  };
  auto flag = [&](const char* k, bool* out) {
    if (auto it = kv.find(k); it != kv.end()) *out = it->second == "1";
  };
  uint64_t id = 0;
  int state = 0, final_state = 3, reason = 0;
  num("id", &id);
  num("state", &state);
  num("final_state", &final_state);
  num("reason", &reason);
  if (!ok || id == 0 || state < 0 || state >= common::kJobStateCount ||
      final_state < 0 || final_state >= common::kJobStateCount ||
      !common::JobReasonFromInt(reason))
    return absl::DataLossError("corrupt job record");
  j.id = JobId(id);
  j.state = static_cast<JobState>(state);
  j.final_state = static_cast<JobState>(final_state);
  j.reason = static_cast<JobReason>(reason);
  num("priority", &j.priority);
  num("submit_time", &j.submit_time);
  num("eligible_time", &j.eligible_time);
  num("start_time", &j.start_time);
  num("end_time", &j.end_time);
  num("exit_code", &j.exit_code);
  num("exit_signal", &j.exit_signal);
  if (!DecodeAlloc(kv["alloc"], &j.alloc)) ok = false;
  num("uid", &s.uid);
  num("gid", &s.gid);
  str("user", &s.user);
  str("group", &s.group);
  str("name", &s.name);
  str("partition", &s.partition);
  num("time_limit", &s.time_limit_min);
  num("min_nodes", &s.min_nodes);
  num("ntasks", &s.ntasks);
  flag("ntasks_set", &s.ntasks_set);
  num("ntasks_per_node", &s.ntasks_per_node);
  num("cpus_per_task", &s.cpus_per_task);
  flag("cpus_per_task_set", &s.cpus_per_task_set);
  num("cpus_per_gpu", &s.cpus_per_gpu);
  num("mem_mb", &s.mem_mb);
  num("gpus_per_node", &s.gpus_per_node);
  str("gpu_type", &s.gpu_type);
  str("script", &s.script);
  num("body", &s.body_id);
  str("work_dir", &s.work_dir);
  str("std_out", &s.std_out);
  str("std_err", &s.std_err);
  str("std_in", &s.std_in);
  if (auto it = kv.find("env"); it != kv.end() && !it->second.empty()) {
    std::vector<std::string> env;
    for (absl::string_view e : absl::StrSplit(it->second, '\x1f')) env.push_back(Unesc(e));
    s.SetEnv(env);
  }
  flag("hold", &s.hold);
  flag("admin_hold", &s.admin_hold);
  flag("append_output", &s.append_output);
  str("dependency", &s.dependency);
  str("constraint", &s.constraint);
  flag("exclusive", &s.exclusive);
  flag("contiguous", &s.contiguous);
  str("account", &s.account);
  str("qos", &s.qos);
  str("comment", &s.comment);
  if (auto it = kv.find("script_args"); it != kv.end() && !it->second.empty())
    for (absl::string_view e : absl::StrSplit(it->second, '\x1f'))
      s.script_args.push_back(Unesc(e));
  num("nice", &s.nice);
  num("fixed_priority", &s.fixed_priority);
  if (kv.count("requeue")) {  // absent in records from older versions
    num("requeue", &s.requeue);
    num("signal_num", &s.signal_num);
    num("signal_secs", &s.signal_secs);
    flag("signal_batch", &s.signal_batch);
    num("restart_count", &j.restart_count);
    flag("interactive", &s.interactive);
  }
  for (const char* k : {"nodelist", "exclude"}) {
    auto it = kv.find(k);
    if (it == kv.end() || it->second.empty()) continue;
    auto& dst = std::string(k) == "nodelist" ? s.nodelist : s.exclude;
    for (absl::string_view e : absl::StrSplit(it->second, '\x1f'))
      dst.push_back(Unesc(e));
  }
  num("begin_time", &s.begin_time);
  num("deadline", &s.deadline);
  num("time_min", &s.time_min_min);
  num("mail_type", &s.mail_type);
  num("mincpus", &s.mincpus);
  flag("overcommit", &s.overcommit);
  num("tmp_mb", &s.tmp_mb);
  num("sockets_per_node", &s.sockets_per_node);
  num("cores_per_socket", &s.cores_per_socket);
  str("mail_user", &s.mail_user);
  if (kv.count("array_job_id")) {
    num("array_job_id", &j.array_job_id);
    num("array_task_id", &j.array_task_id);
    if (!kv["array_pending"].empty()) {
      auto set = common::ParseTaskSelection(kv["array_pending"]);
      if (!set.ok()) return absl::DataLossError("corrupt job record");
      j.array_pending = *std::move(set);
    }
    std::vector<absl::string_view> f = absl::StrSplit(kv["array_shape"], ',');
    if (f.size() != 5 || !absl::SimpleAtoi(f[0], &s.array.count) ||
        !absl::SimpleAtoi(f[1], &s.array.min) || !absl::SimpleAtoi(f[2], &s.array.max) ||
        !absl::SimpleAtoi(f[3], &s.array.step) || !absl::SimpleAtoi(f[4], &s.array.throttle))
      ok = false;
  }
  str("submit_host", &s.submit_host);
  num("alloc_sid", &s.alloc_sid);
  str("submit_line", &s.submit_line);
  num("mem_per_gpu_mb", &s.mem_per_gpu_mb);
  num("next_step_id", &j.next_step_id);
  num("cancelled_by", &j.cancelled_by);
  num("requeue_on_end", &j.requeue_on_end);
  flag("backfilled", &j.backfilled);
  num("suspend_time", &j.suspend_time);
  num("pre_suspend_secs", &j.pre_suspend_secs);
  num("suspended_secs", &j.suspended_secs);
  if (!DecodeSteps(kv["steps"], &j.step_log)) ok = false;
  if (kv.count("batch_usage") && !DecodeUsage(kv["batch_usage"], &j.batch_usage)) ok = false;
  if (!ok) return absl::DataLossError("corrupt job record");
  return j;
}

}  // namespace sluice::ctld
