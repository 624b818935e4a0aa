#include "nodedaemon/launch/job_pids.h"

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sluice::node {
namespace {

// SLURM_LOCALID and SLURM_PROCID from a task's environment; the batch
// script has neither: 0 and 0.
std::pair<int, int> TaskIds(const std::string& root, pid_t pid) {
  std::ifstream in(absl::StrCat(root, "/", pid, "/environ"), std::ios::binary);
  std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int local = 0, global = 0;
  for (absl::string_view v : absl::StrSplit(env, '\0')) {
    if (absl::ConsumePrefix(&v, "SLURM_LOCALID=")) (void)absl::SimpleAtoi(v, &local);
    else if (absl::ConsumePrefix(&v, "SLURM_PROCID=")) (void)absl::SimpleAtoi(v, &global);
  }
  return {local, global};
}

}  // namespace

ProcTable ReadProcTable(const std::string& root) {
  ProcTable out;
  DIR* d = opendir(root.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    std::ifstream in(absl::StrCat(root, "/", pid, "/status"));
    ProcEntry p;
    bool have = false;
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string key;
      f >> key;
      if (key == "PPid:") {
        f >> p.ppid;
        have = true;
      } else if (key == "Uid:") {
        f >> p.uid;
      } else if (key == "VmSize:") {
        f >> p.vm_kb;
      }
    }
    if (have) out[pid] = p;
  }
  closedir(d);
  return out;
}

uint64_t TreeVmKb(const ProcTable& procs, pid_t root) {
  std::multimap<pid_t, pid_t> children;
  for (const auto& [pid, p] : procs) children.emplace(p.ppid, pid);
  uint64_t kb = 0;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    if (auto it = procs.find(p); it != procs.end()) kb += it->second.vm_kb;
    for (auto [it, end] = children.equal_range(p); it != end; ++it) todo.push_back(it->second);
  }
  return kb;
}

std::vector<JobPid> ListJobPids(const std::vector<StepdOf>& stepds, const std::string& root) {
  ProcTable procs = ReadProcTable(root);
  std::multimap<pid_t, pid_t> children;
  for (const auto& [pid, p] : procs) children.emplace(p.ppid, pid);
  std::vector<JobPid> out;
  for (const auto& s : stepds) {
    std::vector<JobPid> tasks, rest;
    std::vector<pid_t> todo;
    for (auto [it, end] = children.equal_range(s.stepd); it != end; ++it) {
      auto [local, global] = TaskIds(root, it->second);
      tasks.push_back({it->second, s.job, s.step, local, global, procs[it->second].uid});
      todo.push_back(it->second);
    }
    while (!todo.empty()) {
      pid_t p = todo.back();
      todo.pop_back();
      for (auto [it, end] = children.equal_range(p); it != end; ++it) {
        rest.push_back({it->second, s.job, s.step, -1, -1, procs[it->second].uid});
        todo.push_back(it->second);
      }
    }
    std::sort(tasks.begin(), tasks.end(),
              [](const JobPid& a, const JobPid& b) { return a.local_id < b.local_id; });
    std::sort(rest.begin(), rest.end(),
              [](const JobPid& a, const JobPid& b) { return a.pid < b.pid; });
    out.insert(out.end(), tasks.begin(), tasks.end());
    out.insert(out.end(), rest.begin(), rest.end());
  }
  return out;
}

}  // namespace sluice::node
