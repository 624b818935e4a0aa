#include "nodedaemon/launch/cgroup.h"
#include "common/hostlist.h"
#include "nodedaemon/launch/device_filter.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sluice::node {
namespace {

constexpr uint32_t kNvidiaMajor = 195;

absl::Status WriteFile(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return absl::InternalError(absl::StrCat(path, ": ", strerror(errno)));
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return absl::InternalError(
        absl::StrCat("write ", value, " to ", path, ": ", strerror(err)));
  return absl::OkStatus();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<pid_t> ReadPids(const std::string& path) {
  std::vector<pid_t> out;
  std::ifstream in(path);
  pid_t p;
  while (in >> p) out.push_back(p);
  return out;
}

// Value of `key` in a "key value" per line file (memory.events, oom_control).
uint64_t KeyValue(const std::string& path, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(ReadFile(path), '\n')) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ');
    uint64_t v = 0;
    if (kv.size() == 2 && kv[0] == key && absl::SimpleAtoi(kv[1], &v)) return v;
  }
  return 0;
}

absl::Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return absl::InternalError(absl::StrCat("mkdir ", path, ": ", strerror(errno)));
  return absl::OkStatus();
}

void RemoveDir(const std::string& path) {
  // The kernel may still be tearing down the last task for a moment.
  for (int i = 0; i < 50 && ::rmdir(path.c_str()) != 0 && errno == EBUSY; ++i)
    ::usleep(10000);  // bounded retry: rmdir polls until the cgroup empties
  // The node daemon's scope directory goes with its last job (one try: it
  // is busy while other jobs of the same daemon remain).
  ::rmdir(path.substr(0, path.rfind('/')).c_str());
}

struct Mount {
  std::string dir;
  std::set<std::string> options;  // v1: controllers named in the options
};

// ---- cgroup v1: one directory per controller ------------------------------

class V1JobCgroup : public JobCgroup {
 public:
  V1JobCgroup(std::vector<std::string> dirs, std::string track_dir,
              std::string memory_dir)
      : dirs_(std::move(dirs)),
        track_(std::move(track_dir)),
        memory_(std::move(memory_dir)) {}
  std::vector<std::string> ProcsFiles() const override {
    std::vector<std::string> out;
    for (const auto& d : dirs_) out.push_back(d + "/cgroup.procs");
    return out;
  }
  std::vector<pid_t> Pids() const override { return ReadPids(track_ + "/cgroup.procs"); }
  uint64_t OomKills() const override {
    return memory_.empty() ? 0 : KeyValue(memory_ + "/memory.oom_control", "oom_kill");
  }
  void Remove() override {
    for (const auto& d : dirs_) RemoveDir(d);
  }

 private:
  std::vector<std::string> dirs_;
  std::string track_;
  std::string memory_;
};

class V1Manager : public CgroupManager {
 public:
  V1Manager(std::map<std::string, std::string> roots, common::CgroupConf conf)
      : roots_(std::move(roots)), conf_(std::move(conf)) {}

  std::string Describe() const override {
    std::vector<std::string> used;
    for (const auto& [c, dir] : roots_) used.push_back(c);
    return absl::StrCat("cgroup/v1 (", absl::StrJoin(used, " "), ")");
  }

  using CgroupManager::Create;
  absl::StatusOr<std::unique_ptr<JobCgroup>> Create(
      const std::string& scope, const std::vector<Level>& levels) override {
    std::vector<std::string> dirs;
    std::string track, memory;
    for (const auto& [ctrl, root] : roots_) {
      std::string parent = root;
      for (const std::string& level : {std::string("sluice"), scope}) {
        std::string up = parent;
        parent += "/" + level;
        if (auto s = MakeDir(parent); !s.ok()) return s;
        if (ctrl != "cpuset") continue;
        // A cpuset cgroup takes no tasks until cpus and mems are set.
        for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
          std::string have = ReadFile(parent + "/" + f);
          if (have.empty() || have == "\n")
            (void)WriteFile(parent + "/" + f, ReadFile(up + "/" + f));
        }
      }
      std::string dir;
      for (const Level& l : levels) {
        dir = absl::StrCat(parent, "/", l.name);
        if (auto s = MakeDir(dir); !s.ok()) return s;
        if (auto s = Apply(ctrl, parent, dir, l.limits); !s.ok()) return s;
        parent = dir;
      }
      dirs.push_back(dir);
      if (ctrl == "memory") memory = dir;
      if (ctrl == "pids") track = dir;
    }
    if (dirs.empty()) return absl::FailedPreconditionError("no cgroup controller");
    if (track.empty()) track = memory.empty() ? dirs.front() : memory;
    return std::unique_ptr<JobCgroup>(
        new V1JobCgroup(std::move(dirs), track, memory));
  }

 private:
  // One level's limits in one controller; `parent` is the level above.
  absl::Status Apply(const std::string& ctrl, const std::string& parent, const std::string& dir,
                     const CgroupLimits& lim) {
    if (ctrl == "cpuset") {
      std::string cpus = lim.cpus.empty() || !conf_.constrain_cores
                             ? ReadFile(parent + "/cpuset.cpus")
                             : common::FormatIdRanges(lim.cpus);
      if (auto s = WriteFile(dir + "/cpuset.cpus", cpus); !s.ok()) return s;
      return WriteFile(dir + "/cpuset.mems", ReadFile(parent + "/cpuset.mems"));
    }
    if (ctrl == "memory" && conf_.constrain_ram_space && lim.mem_bytes > 0) {
      uint64_t bytes = static_cast<uint64_t>(
          static_cast<double>(lim.mem_bytes) * conf_.allowed_ram_space_pct / 100);
      if (auto s = WriteFile(dir + "/memory.limit_in_bytes", std::to_string(bytes)); !s.ok())
        return s;
      // No swap beyond the RAM limit, where swap accounting exists.
      (void)WriteFile(dir + "/memory.memsw.limit_in_bytes", std::to_string(bytes));
      return absl::OkStatus();
    }
    if (ctrl == "devices" && conf_.constrain_devices) {
      std::set<uint32_t> mine(lim.gpu_minors.begin(), lim.gpu_minors.end());
      for (uint32_t m : lim.all_gpu_minors) {
        if (mine.count(m)) continue;
        if (auto s = WriteFile(dir + "/devices.deny",
                               absl::StrCat("c ", kNvidiaMajor, ":", m, " rwm"));
            !s.ok())
          return s;
      }
    }
    return absl::OkStatus();
  }

 private:
  std::map<std::string, std::string> roots_;  // controller -> mount dir
  common::CgroupConf conf_;
};

// ---- cgroup v2: one unified directory ------------------------------------

class V2JobCgroup : public JobCgroup {
 public:
  explicit V2JobCgroup(std::string dir) : dir_(std::move(dir)) {}
  std::vector<std::string> ProcsFiles() const override { return {dir_ + "/cgroup.procs"}; }
  std::vector<pid_t> Pids() const override { return ReadPids(dir_ + "/cgroup.procs"); }
  uint64_t OomKills() const override { return KeyValue(dir_ + "/memory.events", "oom_kill"); }
  void Remove() override { RemoveDir(dir_); }

 private:
  std::string dir_;
};

class V2Manager : public CgroupManager {
 public:
  V2Manager(std::string root, std::set<std::string> controllers,
            common::CgroupConf conf)
      : root_(std::move(root)), ctrls_(std::move(controllers)), conf_(std::move(conf)) {}

  std::string Describe() const override {
    return absl::StrCat("cgroup/v2 at ", root_, " (", absl::StrJoin(ctrls_, " "), ")");
  }

  using CgroupManager::Create;
  absl::StatusOr<std::unique_ptr<JobCgroup>> Create(
      const std::string& scope, const std::vector<Level>& levels) override {
    std::string enable;
    for (const char* c : {"cpuset", "memory", "pids"})
      if (ctrls_.count(c)) absl::StrAppend(&enable, enable.empty() ? "" : " ", "+", c);
    (void)WriteFile(root_ + "/cgroup.subtree_control", enable);
    std::string parent = root_;
    for (const std::string& level : {std::string("sluice"), scope}) {
      parent += "/" + level;
      if (auto s = MakeDir(parent); !s.ok()) return s;
      (void)WriteFile(parent + "/cgroup.subtree_control", enable);
    }
    std::string dir;
    for (size_t i = 0; i < levels.size(); ++i) {
      const CgroupLimits& lim = levels[i].limits;
      dir = absl::StrCat(parent, "/", levels[i].name);
      if (auto s = MakeDir(dir); !s.ok()) return s;
      // Below the first level, controllers are on only where the level
      // above holds no process (v2's rule): a step inside a batch job's
      // cgroup may not get its own cpuset or memory file, and the job's
      // limits, charged hierarchically, still hold for it.
      bool nested = i > 0;
      if (ctrls_.count("cpuset") && conf_.constrain_cores && !lim.cpus.empty())
        if (auto s = WriteFile(dir + "/cpuset.cpus", common::FormatIdRanges(lim.cpus));
            !s.ok() && !nested)
          return s;
      if (ctrls_.count("memory") && conf_.constrain_ram_space && lim.mem_bytes > 0) {
        uint64_t bytes = static_cast<uint64_t>(
            static_cast<double>(lim.mem_bytes) * conf_.allowed_ram_space_pct / 100);
        if (auto s = WriteFile(dir + "/memory.max", std::to_string(bytes)); !s.ok() && !nested)
          return s;
        (void)WriteFile(dir + "/memory.swap.max", "0");
      }
      if (conf_.constrain_devices) {
        // v2 has no devices.deny: an eBPF program attached to the cgroup
        // refuses the GPUs that are not this level's.
        std::set<uint32_t> mine(lim.gpu_minors.begin(), lim.gpu_minors.end());
        std::vector<uint32_t> denied;
        for (uint32_t m : lim.all_gpu_minors)
          if (!mine.count(m)) denied.push_back(m);
        if (auto s = AttachGpuDeviceFilter(dir, denied); !s.ok()) return s;
      }
      if (i + 1 < levels.size()) (void)WriteFile(dir + "/cgroup.subtree_control", enable);
      parent = dir;
    }
    return std::unique_ptr<JobCgroup>(new V2JobCgroup(dir));
  }

 private:
  std::string root_;
  std::set<std::string> ctrls_;
  common::CgroupConf conf_;
};

}  // namespace

std::string CgroupScope(const std::string& node, const std::string& spool_dir) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : spool_dir) h = (h ^ c) * 16777619u;
  return absl::StrCat(node, "_", absl::Hex(h, absl::kZeroPad8));
}


std::optional<Remount> FavorDynmodsRemount(const std::string& proc_mounts, std::string* why) {
  // Per-mount flags as /proc/mounts names them; a remount resets those it
  // is not given. Everything else is the file system's own option.
  static const std::map<std::string, unsigned long> kMountFlags = {
      {"ro", MS_RDONLY},         {"nosuid", MS_NOSUID},       {"nodev", MS_NODEV},
      {"noexec", MS_NOEXEC},     {"sync", MS_SYNCHRONOUS},    {"dirsync", MS_DIRSYNC},
      {"noatime", MS_NOATIME},   {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME},
      {"strictatime", MS_STRICTATIME}, {"lazytime", MS_LAZYTIME}, {"rw", 0}};
  for (absl::string_view line : absl::StrSplit(proc_mounts, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() < 4 || f[2] != "cgroup2") continue;
    Remount r;
    // /proc/mounts writes a space in a path as \\040 (tab, newline and
    // backslash likewise, in octal).
    const std::string& p = f[1];
    for (size_t i = 0; i < p.size(); ++i) {
      bool octal = p[i] == '\\' && i + 3 < p.size();
      for (size_t k = 1; octal && k <= 3; ++k) octal = p[i + k] >= '0' && p[i + k] <= '7';
      if (!octal) {
        r.target += p[i];
        continue;
      }
      r.target += static_cast<char>((p[i + 1] - '0') * 64 + (p[i + 2] - '0') * 8 + (p[i + 3] - '0'));
      i += 3;
    }
    r.flags = MS_REMOUNT;
    std::vector<std::string> data;
    for (const std::string& o : std::vector<std::string>(absl::StrSplit(f[3], ',', absl::SkipEmpty()))) {
      if (o == "favordynmods") {
        *why = absl::StrCat("favordynmods is already on at ", r.target);
        return std::nullopt;
      }
      if (auto it = kMountFlags.find(o); it != kMountFlags.end()) r.flags |= it->second;
      else if (o != "seclabel") data.push_back(o);  // seclabel is shown, never set
    }
    data.push_back("favordynmods");
    r.data = absl::StrJoin(data, ",");
    return r;
  }
  *why = "no cgroup2 hierarchy is mounted";
  return std::nullopt;
}

std::unique_ptr<CgroupManager> DetectCgroups(const common::CgroupConf& conf,
                                             const std::string& proc_mounts,
                                             std::string* note) {
  std::map<std::string, std::string> v1;
  std::string v2_root, v2_any;  // with the controllers we need; any at all
  std::set<std::string> v2_ctrls;
  for (absl::string_view line : absl::StrSplit(proc_mounts, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() < 4) continue;
    if (f[2] == "cgroup2" && v2_any.empty()) v2_any = f[1];
    if (f[2] == "cgroup2" && v2_root.empty()) {
      std::set<std::string> c = absl::StrSplit(ReadFile(f[1] + "/cgroup.controllers"),
                                               absl::ByAnyChar(" \n"), absl::SkipEmpty());
      // Usable only with controllers we need ("empty" hierarchies, or one
      // holding only hugetlb while v1 owns the rest, are not).
      if (c.count("memory") || c.count("pids") || c.count("cpuset")) {
        v2_root = f[1];
        v2_ctrls = std::move(c);
      }
    } else if (f[2] == "cgroup") {
      for (absl::string_view o : absl::StrSplit(f[3], ','))
        for (const char* want : {"cpuset", "memory", "devices", "pids"})
          if (o == want && !v1.count(want)) v1[want] = f[1];
    }
  }
  // The start-up line names only what is enforced: a limit that
  // cgroup.conf asks for and the hierarchy can apply.
  auto enforced = [&](const std::string& how, bool has_cpuset, bool has_memory,
                      bool has_devices) {
    std::vector<std::string> on, off;
    auto one = [&](bool wanted, bool can, const char* what, const char* key) {
      if (wanted && can) on.push_back(what);
      else if (wanted) off.push_back(absl::StrCat(what, " (", key, ": no controller)"));
      else off.push_back(absl::StrCat(what, " (", key, "=no)"));
    };
    one(conf.constrain_cores, has_cpuset, "cores", "ConstrainCores");
    one(conf.constrain_ram_space, has_memory, "memory", "ConstrainRAMSpace");
    one(conf.constrain_devices, has_devices, "GPU devices", "ConstrainDevices");
    return absl::StrCat("tracking jobs with ", how, "; enforced: ",
                        on.empty() ? "nothing" : absl::StrJoin(on, ", "),
                        off.empty() ? "" : absl::StrCat("; not enforced: ", absl::StrJoin(off, ", ")));
  };
  // CgroupPlugin=cgroup/v2 takes a cgroup2 hierarchy even without
  // controllers: tracking and device filtering still work there.
  if (conf.plugin == "cgroup/v2" && v2_root.empty()) v2_root = v2_any;
  bool want_v2 = conf.plugin == "cgroup/v2" || (conf.plugin == "autodetect" && !v2_root.empty());
  if (want_v2 && !v2_root.empty()) {
    auto m = std::make_unique<V2Manager>(v2_root, v2_ctrls, conf);
    // Devices on v2 are an eBPF program, not a controller: always possible.
    *note = enforced(m->Describe(), v2_ctrls.count("cpuset"), v2_ctrls.count("memory"), true);
    return m;
  }
  if (conf.plugin != "cgroup/v2" && !v1.empty()) {
    auto m = std::make_unique<V1Manager>(v1, conf);
    *note = enforced(m->Describe(), v1.count("cpuset"), v1.count("memory"), v1.count("devices"));
    return m;
  }
  *note = absl::StrCat(
      "no usable cgroup hierarchy (", conf.plugin,
      "): jobs are tracked by process parentage only; not enforced: cores, "
      "memory, GPU devices");
  return nullptr;
}

}  // namespace sluice::node
