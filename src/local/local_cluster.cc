#include "local/local_cluster.h"

#include <algorithm>

#include <fcntl.h>
#include <netinet/in.h>
#include <dirent.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/hostlist.h"
#include "absl/strings/str_split.h"
#include "cli/ctld_client.h"
#include "common/net.h"
#include "common/slurm_conf.h"

namespace sluice::local {
namespace {

using Clock = std::chrono::steady_clock;

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

std::string SelfDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = 0;
  std::string p = buf;
  return p.substr(0, p.rfind('/'));
}

// Daemons sit beside sluice-local in a build tree, in ../sbin when installed.
std::string FindDaemon(const std::string& name) {
  std::string dir = SelfDir();
  for (const auto& cand : {dir + "/" + name, dir + "/../sbin/" + name})
    if (access(cand.c_str(), X_OK) == 0) return cand;
  return name;
}

absl::Status WriteFile(const std::string& path, const std::string& text,
                       mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("open " + path);
  bool ok = write(fd, text.data(), text.size()) ==
            static_cast<ssize_t>(text.size());
  close(fd);
  return ok ? absl::OkStatus() : Errno("write " + path);
}

// Starts argv detached (own session), output appended to `log`.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                            const std::string& log) {
  pid_t pid = fork();
  if (pid < 0) return Errno("fork");
  if (pid == 0) {
    setsid();
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int nul = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (nul >= 0) dup2(nul, 0);
    // Daemons must not hold on to the caller's pipes or sockets.
    close_range(3, ~0U, 0);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Running and not a zombie (a container's init may never reap them).
bool Alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  std::getline(in, stat);
  size_t rp = stat.rfind(')');
  return rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] != 'Z';
}

std::string CmdLine(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/cmdline"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Started {
  std::string what;
  pid_t pid;
};

std::vector<Started> ReadPids(const std::string& dir) {
  std::vector<Started> out;
  std::ifstream in(dir + "/pids");
  std::string what;
  pid_t pid;
  while (in >> what >> pid) out.push_back({what, pid});
  return out;
}

void AppendPid(const std::string& dir, const std::string& what, pid_t pid) {
  std::ofstream out(dir + "/pids", std::ios::app);
  out << what << " " << pid << "\n";
}

absl::Status WaitFor(const std::function<bool()>& ready, int seconds,
                     const std::string& what) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  auto delay = std::chrono::milliseconds(5);
  while (Clock::now() < deadline) {
    if (ready()) return absl::OkStatus();
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
  return absl::DeadlineExceededError(absl::StrCat("timed out waiting for ", what));
}

absl::Status StartMunged(const std::string& dir, const std::string& socket) {
  std::string mdir = dir + "/munge";
  ::mkdir(mdir.c_str(), 0755);
  std::string key = mdir + "/munge.key";
  if (access(key.c_str(), R_OK) != 0) {
    std::string bytes(1024, '\0');
    std::ifstream r("/dev/urandom", std::ios::binary);
    r.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (auto s = WriteFile(key, bytes, 0400); !s.ok()) return s;
  }
  const char* munged = access("/usr/sbin/munged", X_OK) == 0 ? "/usr/sbin/munged"
                                                             : "/sbin/munged";
  std::string pidfile = mdir + "/munged.pid";
  std::vector<std::string> args = {munged,
                                   "--socket=" + socket,
                                   "--key-file=" + key,
                                   "--pid-file=" + pidfile,
                                   "--log-file=" + mdir + "/munged.log",
                                   "--seed-file=" + mdir + "/munged.seed",
                                   "--force"};
  auto pid = Spawn(args, dir + "/log/munged.out");
  if (!pid.ok()) return pid.status();
  int status = 0;
  waitpid(*pid, &status, 0);  // munged daemonizes; the parent exits
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return absl::InternalError(
        absl::StrCat("munged failed to start; see ", dir, "/log/munged.out"));
  if (auto s = WaitFor([&] { return access(socket.c_str(), F_OK) == 0; }, 10,
                       "munged socket");
      !s.ok())
    return s;
  std::ifstream in(pidfile);
  pid_t mpid = 0;
  in >> mpid;
  AppendPid(dir, "munged", mpid);
  return absl::OkStatus();
}

}  // namespace

std::string DefaultDir() {
  const char* env = getenv("SLUICE_LOCAL_DIR");
  if (env && *env) return env;
  return absl::StrCat("/tmp/sluice-local-", getuid());
}

std::string RenderSlurmConf(const UpOptions& o, uint16_t ctld_port,
                            const std::vector<uint16_t>& node_ports) {
  std::string gres =
      o.gpus_per_node == 0
          ? ""
          : absl::StrCat(" Gres=gpu:", o.gpu_type.empty() ? "" : o.gpu_type + ":",
                         o.gpus_per_node);
  std::string c = absl::StrCat(
      "# Written by sluice-local.\n"
      "ClusterName=sluice-local\n"
      "SlurmctldHost=localhost(127.0.0.1)\n"
      "SlurmctldPort=", ctld_port, "\n"
      "AuthType=auth/munge\n"
      "AuthInfo=socket=", o.dir, "/munge/munge.socket.2\n"
      "StateSaveLocation=", o.dir, "/state\n"
      "SlurmdSpoolDir=", o.dir, "/spool/%n\n"
      "SchedulerType=sched/backfill\n"
      "SelectType=select/cons_tres\n"
      "GresTypes=gpu\n"
      "KillWait=", o.kill_wait_s, "\n"
      "MinJobAge=300\n");
  const uint32_t per = std::max<uint32_t>(1, o.nodes_per_daemon);
  for (uint32_t i = 0, d = 0; i < o.nodes; i += per, ++d) {
    const uint32_t last = std::min(o.nodes, i + per) - 1;
    std::string names = last == i ? absl::StrCat("mlmini-g2-ghpc-", i)
                                  : absl::StrCat("mlmini-g2-ghpc-[", i, "-", last, "]");
    absl::StrAppend(&c, "NodeName=", names,
                    " NodeAddr=127.0.0.1 NodeHostname=localhost Port=",
                    node_ports[d], " CPUs=", o.cpus_per_node,
                    " RealMemory=", o.mem_per_node_mb, gres, " State=UNKNOWN\n");
  }
  absl::StrAppend(&c, "PartitionName=g2 Nodes=mlmini-g2-ghpc-[0-",
                  o.nodes ? o.nodes - 1 : 0,
                  "] Default=YES MaxTime=INFINITE State=UP\n");
  return c;
}

std::vector<std::string> NodeDaemonGroups(const std::vector<std::string>& nodes,
                                          uint32_t per_daemon) {
  std::vector<std::string> out;
  const size_t per = std::max<uint32_t>(1, per_daemon);
  for (size_t i = 0; i < nodes.size(); i += per)
    out.push_back(common::CompressHostlistOrdered(
        {nodes.begin() + static_cast<ptrdiff_t>(i),
         nodes.begin() + static_cast<ptrdiff_t>(std::min(nodes.size(), i + per))}));
  return out;
}

std::vector<uint16_t> DistinctPorts(size_t n, const std::function<uint16_t()>& pick) {
  std::set<uint16_t> taken;
  std::vector<uint16_t> out;
  while (out.size() < n)
    if (uint16_t p = pick(); p && taken.insert(p).second) out.push_back(p);
  return out;
}

namespace {
absl::Status StartAll(const UpOptions& o);
}  // namespace

// A failed start stops what it did start: no daemons are left behind.
absl::Status Up(const UpOptions& o) {
  if (!ReadPids(o.dir).empty()) {
    for (const auto& s : ReadPids(o.dir))
      if (Alive(s.pid))
        return absl::AlreadyExistsError(absl::StrCat(
            "a cluster is already running in ", o.dir,
            "; run 'sluice-local down --dir ", o.dir, "' first"));
    unlink((o.dir + "/pids").c_str());
  }
  absl::Status s = StartAll(o);
  if (!s.ok() && !ReadPids(o.dir).empty()) (void)Down(o.dir);
  return s;
}

namespace {
absl::Status StartAll(const UpOptions& o) {
  if (!ReadPids(o.dir).empty()) {
    for (const auto& s : ReadPids(o.dir))
      if (Alive(s.pid))
        return absl::AlreadyExistsError(absl::StrCat(
            "a cluster is already running in ", o.dir,
            "; run 'sluice-local down --dir ", o.dir, "' first"));
    unlink((o.dir + "/pids").c_str());
  }
  for (const std::string& d : {o.dir, o.dir + "/log", o.dir + "/spool",
                               o.dir + "/state"})
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
      return Errno("mkdir " + d);
  ::chmod(o.dir.c_str(), 0755);

  std::string conf_path = o.conf.empty() ? o.dir + "/slurm.conf" : o.conf;
  if (o.conf.empty()) {
    // Each daemon its own port: picked at random below the ephemeral range
    // (common/net.h), so two picks can meet (at 128 nodes, one start in
    // three failed on "Address already in use").
    const uint32_t per = std::max<uint32_t>(1, o.nodes_per_daemon);
    std::vector<uint16_t> ports =
        DistinctPorts((o.nodes + per - 1) / per + 1, common::PickFreeLoopbackPort);
    const uint16_t ctld_port = ports.front();
    ports.erase(ports.begin());
    if (auto s = WriteFile(conf_path, RenderSlurmConf(o, ctld_port, ports), 0644);
        !s.ok())
      return s;
    std::string gres = "# Written by sluice-local: fake GPUs.\nAutoDetect=off\n";
    if (o.gpus_per_node)
      absl::StrAppend(&gres, "Name=gpu", o.gpu_type.empty() ? "" : " Type=" + o.gpu_type,
                      " Count=", o.gpus_per_node, "\n");
    if (auto s = WriteFile(o.dir + "/gres.conf", gres, 0644); !s.ok()) return s;
    // What a production GPU site enforces: each job held to its cores, its
    // memory and its GPUs.
    if (auto s = WriteFile(o.dir + "/cgroup.conf",
                           "# Written by sluice-local: confine jobs as a GPU site does.\n"
                           "CgroupPlugin=autodetect\n"
                           "ConstrainCores=yes\n"
                           "ConstrainRAMSpace=yes\n"
                           "ConstrainDevices=yes\n",
                           0644);
        !s.ok())
      return s;
  }
  auto cfg = common::LoadSlurmConf(conf_path);
  if (!cfg.ok()) return cfg.status();
  if (cfg->auth_socket.empty())
    return absl::InvalidArgumentError(
        "the configuration needs AuthInfo=socket=PATH for its private munged");
  if (auto s = StartMunged(o.dir, cfg->auth_socket); !s.ok()) return s;

  auto ctld = Spawn({FindDaemon("sluice-ctld"), "-f", conf_path},
                    o.dir + "/log/ctld.log");
  if (!ctld.ok()) return ctld.status();
  AppendPid(o.dir, "sluice-ctld", *ctld);
  std::vector<std::string> names;
  for (const auto& n : cfg->nodes) names.push_back(n.name);
  for (const auto& group : NodeDaemonGroups(names, o.nodes_per_daemon)) {
    auto pid = Spawn({FindDaemon("sluice-noded"), "-f", conf_path, "-N", group,
                      "--gpu-backend", o.gpu_backend},
                     absl::StrCat(o.dir, "/log/noded-", group, ".log"));
    if (!pid.ok()) return pid.status();
    AppendPid(o.dir, "sluice-noded", *pid);
  }

  absl::Status last;
  auto ready = [&] {
    for (const auto& s : ReadPids(o.dir))
      if (!Alive(s.pid)) {
        last = absl::InternalError(absl::StrCat(s.what, " exited; see ", o.dir, "/log"));
        return true;
      }
    // A fresh channel each time: a channel whose first connect failed
    // backs off for a second or more.
    cli::CtldClient client(*cfg);
    auto rep = client.QueryCluster();
    if (!rep.ok()) return false;
    for (const auto& n : rep->nodes())
      if (n.state() == ::sluice::v1::NODE_STATE_UNKNOWN) return false;
    return true;
  };
  if (auto s = WaitFor(ready, o.wait_s, "every node to register"); !s.ok())
    return s;
  if (!last.ok()) return last;
  std::printf("export SLURM_CONF=%s\n", conf_path.c_str());
  std::fflush(stdout);
  return absl::OkStatus();
}
}  // namespace

absl::Status Status(const std::string& dir) {
  auto pids = ReadPids(dir);
  if (pids.empty())
    return absl::NotFoundError(absl::StrCat("no cluster started in ", dir));
  bool all = true;
  for (const auto& s : pids) {
    bool alive = Alive(s.pid);
    all &= alive;
    std::printf("%-14s %8d %s\n", s.what.c_str(), s.pid,
                alive ? "running" : "stopped");
  }
  std::printf("export SLURM_CONF=%s/slurm.conf\n", dir.c_str());
  return all ? absl::OkStatus()
             : absl::UnavailableError("some processes are not running");
}

// Job supervisors outlive their node daemon by design; taking the cluster
// down ends them too (SIGTERM makes a stepd kill its job and finish). A
// stepd started ahead of its job (standby) names no directory on its
// command line, so they are found through the `stepd.pid` file each job
// directory of this cluster's node spools holds, and by command line.
std::vector<pid_t> StepdsUnder(const std::string& dir) {
  std::set<pid_t> out;
  auto is_stepd = [](pid_t pid) {
    return pid > 0 && Alive(pid) && CmdLine(pid).find("sluice-stepd") != std::string::npos;
  };
  std::vector<std::string> spools;
  if (auto cfg = common::LoadSlurmConf(dir + "/slurm.conf"); cfg.ok())
    for (const auto& n : cfg->nodes) spools.push_back(cfg->SpoolDirFor(n.name));
  for (const auto& spool : spools) {
    DIR* sd = opendir(spool.c_str());
    if (!sd) continue;
    while (struct dirent* e = readdir(sd)) {
      if (std::string(e->d_name).rfind("job", 0) != 0) continue;
      std::ifstream in(spool + "/" + e->d_name + "/stepd.pid");
      pid_t pid = 0;
      if (in >> pid && is_stepd(pid)) out.insert(pid);
    }
    closedir(sd);
  }
  DIR* d = opendir("/proc");
  if (!d) return {out.begin(), out.end()};
  while (struct dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (is_stepd(pid) && CmdLine(pid).find(dir + "/") != std::string::npos) out.insert(pid);
  }
  closedir(d);
  return {out.begin(), out.end()};
}

absl::Status Down(const std::string& dir) {
  auto pids = ReadPids(dir);
  // Stop only processes that are still what we started (pids get reused).
  std::vector<pid_t> mine = StepdsUnder(dir);
  for (pid_t p : mine) kill(p, SIGTERM);
  for (auto it = pids.rbegin(); it != pids.rend(); ++it) {
    std::string what = it->what == "munged" ? "munged" : it->what;
    if (Alive(it->pid) && CmdLine(it->pid).find(what) != std::string::npos) {
      kill(it->pid, SIGTERM);
      mine.push_back(it->pid);
    }
  }
  auto gone = [&] {
    for (pid_t p : mine) {
      waitpid(p, nullptr, WNOHANG);
      if (Alive(p) && CmdLine(p).size()) return false;
    }
    return true;
  };
  if (!WaitFor(gone, 10, "shutdown").ok())
    for (pid_t p : mine) kill(p, SIGKILL);
  unlink((dir + "/pids").c_str());
  return absl::OkStatus();
}

}  // namespace sluice::local
