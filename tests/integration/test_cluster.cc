#include "test_cluster.h"
#include <dirent.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/net.h"

namespace sluice::testing {
namespace {

std::string ReadFd(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  return out;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
}

// Runs argv (no shell), capturing output.
CmdResult Exec(const std::vector<std::string>& argv, const std::string& cwd) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    int nul = open("/dev/null", O_RDONLY);
    dup2(nul, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  CmdResult r;
  // Read both pipes without deadlock: stderr is small in our commands, but
  // drain stdout on a thread to be safe.
  std::thread t([&] { r.out = ReadFd(out[0]); });
  r.err = ReadFd(err[0]);
  t.join();
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

bool IsRoot() { return geteuid() == 0; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// True when a user with no special rights can reach `dir` (o+x on it and
// on every directory above it).
bool ReachableByOthers(const std::string& dir) {
  std::string path = dir;
  while (!path.empty() && path != "/") {
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !(st.st_mode & S_IXOTH)) return false;
    path = path.substr(0, path.rfind('/'));
  }
  return true;
}

// Copies the executables of `dir` into a world-readable directory under
// /tmp named after `dir`, once per build: a file already there with the
// same size and a later time is kept. Safe across test processes (flock).
std::string PublicCopy(const std::string& dir) {
  std::string target =
      "/tmp/sluice-test-bin-" + std::to_string(std::hash<std::string>{}(dir) % 1000000007);
  mkdir(target.c_str(), 0755);
  chmod(target.c_str(), 0755);
  int lock = open((target + ".lock").c_str(), O_CREAT | O_RDWR, 0600);
  if (lock >= 0) flock(lock, LOCK_EX);
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      std::string from = dir + "/" + name, to = target + "/" + name;
      struct stat src, dst;
      if (stat(from.c_str(), &src) != 0 || !S_ISREG(src.st_mode) || !(src.st_mode & S_IXUSR))
        continue;
      if (stat(to.c_str(), &dst) == 0 && dst.st_size == src.st_size &&
          dst.st_mtime >= src.st_mtime)
        continue;
      std::string tmp = to + ".tmp";
      Exec({"cp", from, tmp}, "");
      chmod(tmp.c_str(), 0755);
      rename(tmp.c_str(), to.c_str());
    }
    closedir(d);
  }
  if (lock >= 0) close(lock);
  return target;
}

std::string Reachable(const std::string& dir) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(dir);
  if (it != cache.end()) return it->second;
  std::string out = ReachableByOthers(dir) ? dir : PublicCopy(dir);
  cache[dir] = out;
  return out;
}

}  // namespace

std::string CommandDir() { return Reachable(SLUICE_BIN_DIR); }
std::string TestToolDir() { return Reachable(SLUICE_TEST_BIN_DIR); }

uint64_t Parsable(const CmdResult& r) {
  uint64_t id = 0;
  return r.rc == 0 && sscanf(r.out.c_str(), "%lu", &id) == 1 ? id : 0;
}

bool ProcessGone(pid_t pid) {
  std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  auto rp = stat.rfind(')');
  return stat.empty() || (rp != std::string::npos && stat[rp + 2] == 'Z');
}

bool HasV1Controllers() {
  std::string m = Slurp("/proc/mounts");
  return IsRoot() && m.find("cpuset") != std::string::npos &&
         m.find("memory") != std::string::npos && m.find("devices") != std::string::npos;
}

bool EnsureUser(const std::string& name) {
  if (getpwnam(name.c_str())) return true;
  if (!IsRoot()) return false;
  auto r = Exec({"useradd", "-m", name}, "");
  return r.rc == 0 || getpwnam(name.c_str()) != nullptr;
}

std::unique_ptr<TestCluster> TestCluster::Start(const ClusterOptions& o) {
  auto c = std::unique_ptr<TestCluster>(new TestCluster);
  char tmpl[] = "/tmp/sluice-it-XXXXXX";
  if (!mkdtemp(tmpl)) return nullptr;
  c->dir_ = tmpl;
  chmod(tmpl, 0755);
  c->work_ = c->dir_ + "/work";
  mkdir(c->work_.c_str(), 01777);
  chmod(c->work_.c_str(), 01777);
  std::vector<std::string> args = {std::string(SLUICE_BIN_DIR) + "/sluice-local",
                                   "up", "--dir", c->dir_};
  if (!o.gpu_backend.empty()) {
    args.push_back("--gpu-backend");
    args.push_back(o.gpu_backend);
  }
  if (!o.conf_text.empty()) {
    args.push_back("--conf");
    args.push_back(c->conf());
  } else {
    for (auto [flag, v] :
         std::vector<std::pair<std::string, uint32_t>>{
             {"--nodes", o.nodes},
             {"--gpus-per-node", o.gpus_per_node},
             {"--cpus-per-node", o.cpus_per_node},
             {"--kill-wait", o.kill_wait_s},
             {"--nodes-per-daemon", o.nodes_per_daemon}}) {
      args.push_back(flag);
      args.push_back(std::to_string(v));
    }
  }
  // Ports are picked free and then released, so a cluster starting at the
  // same moment in a parallel test can take one first; try again with new
  // ones then (sluice-local picks its own when it writes the config).
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (!o.conf_text.empty()) {
      std::string text = o.conf_text;
      ReplaceAll(text, "@DIR@", c->dir_);
      for (int i = 0; i < 10; ++i)
        ReplaceAll(text, "@PORT" + std::to_string(i) + "@",
                   std::to_string(common::PickFreeLoopbackPort()));
      std::ofstream(c->conf()) << text;
      if (!o.cgroup_conf.empty()) std::ofstream(c->dir_ + "/cgroup.conf") << o.cgroup_conf;
      for (auto [name, body] : o.scripts) {
        ReplaceAll(body, "@DIR@", c->dir_);
        std::string path = c->dir_ + "/" + name;
        std::ofstream(path) << body;
        chmod(path.c_str(), 0755);
      }
    }
    auto r = Exec(args, "");
    if (r.rc == 0) return c;
    fprintf(stderr, "sluice-local up failed (attempt %d): %s%s\n", attempt + 1,
            r.out.c_str(), r.err.c_str());
    Exec({std::string(SLUICE_BIN_DIR) + "/sluice-local", "down", "--dir", c->dir_}, "");
  }
  return nullptr;
}

TestCluster::~TestCluster() {
  Exec({std::string(SLUICE_BIN_DIR) + "/sluice-local", "down", "--dir", dir_}, "");
  if (!getenv("SLUICE_KEEP_TEST_DIRS")) Exec({"rm", "-rf", dir_}, "");
}

CmdResult TestCluster::Run(const std::string& cmd, const std::string& user,
                           const std::string& cwd) const {
  std::string home = "/root", name = "root";
  if (!user.empty()) {
    name = user;
    if (struct passwd* pw = getpwnam(user.c_str())) home = pw->pw_dir;
  }
  std::vector<std::string> argv;
  if (!user.empty() && user != "root") {
    argv = {"runuser", "-u", user, "--"};
  }
  std::vector<std::string> env = {
      "env", "-i", "HOME=" + home, "USER=" + name, "LOGNAME=" + name,
      "SHELL=/bin/bash",
      "PATH=" + CommandDir() +
          ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "LANG=C.UTF-8", "TZ=UTC", "SLURM_CONF=" + conf()};
  // A sanitized build's settings reach the commands (and through sbatch's
  // environment, the sruns inside jobs).
  for (const char* k : {"ASAN_OPTIONS", "UBSAN_OPTIONS"})
    if (const char* v = getenv(k)) env.push_back(std::string(k) + "=" + v);
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {"bash", "-c", cmd});
  return Exec(argv, cwd.empty() ? work_ : cwd);
}

std::string TestCluster::JobState(uint64_t id) const {
  auto r = Run("squeue -h -t all -j " + std::to_string(id) + " -o %T");
  if (r.rc != 0) return "";
  std::string s = r.out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool TestCluster::WaitFor(const std::function<bool()>& pred, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto delay = std::chrono::milliseconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(delay);  // poll again before the deadline
    delay = std::min(delay * 2, std::chrono::milliseconds(250));
  }
  return pred();
}

bool TestCluster::WaitForState(uint64_t id, const std::string& state,
                               int seconds) const {
  return WaitFor([&] { return JobState(id) == state; }, seconds);
}

bool TestCluster::KillCtld(int signal) {
  std::ifstream in(dir_ + "/pids");
  std::string what;
  pid_t pid;
  while (in >> what >> pid) {
    if (what == "sluice-ctld") {
      kill(pid, signal);
      return WaitFor([&] {
        waitpid(pid, nullptr, WNOHANG);
        std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
        std::string s;
        std::getline(st, s);
        auto rp = s.rfind(')');
        return s.empty() || (rp != std::string::npos && s[rp + 2] == 'Z');
      }, 10);
    }
  }
  return false;
}

pid_t TestCluster::NodedPid(const std::string& node) const {
  std::string want = std::string("-N") + '\0' + node + '\0';
  std::string conf_arg = conf() + '\0';
  DIR* d = opendir("/proc");
  pid_t found = 0;
  while (struct dirent* e = d ? readdir(d) : nullptr) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (pid <= 0) continue;
    std::string cmd = Slurp("/proc/" + std::to_string(pid) + "/cmdline");
    std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
    auto rp = stat.rfind(')');
    if (rp == std::string::npos || stat[rp + 2] == 'Z') continue;
    if (cmd.find("sluice-noded") != std::string::npos &&
        cmd.find(want) != std::string::npos && cmd.find(conf_arg) != std::string::npos)
      found = pid;
  }
  if (d) closedir(d);
  return found;
}

bool TestCluster::StartNoded(const std::string& node, const std::vector<std::string>& extra_args) {
  std::string log = dir_ + "/log/noded-" + node + ".log";
  auto registrations = [&] {
    std::string text = Slurp(log);
    size_t n = 0;
    for (size_t p = 0; (p = text.find("registered with sluice-ctld", p)) != std::string::npos; ++p)
      ++n;
    return n;
  };
  size_t before = registrations();
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int fd = open((dir_ + "/log/noded-" + node + ".log").c_str(),
                  O_WRONLY | O_APPEND | O_CREAT, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string bin = std::string(SLUICE_BIN_DIR) + "/sluice-noded";
    std::string conf_path = conf();
    std::vector<std::string> args = {bin, "-f", conf_path, "-N", node, "--gpu-backend", "fake"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  std::ofstream(dir_ + "/pids", std::ios::app) << "sluice-noded " << pid << "\n";
  if (WaitFor([&] { return registrations() > before; }, 20)) return true;
  std::string text = Slurp(log);
  if (text.size() > 4000) text = text.substr(text.size() - 4000);
  fprintf(stderr, "sluice-noded %s did not register; end of its log:\n%s\n", node.c_str(),
          text.c_str());
  return false;
}

bool TestCluster::StartCtld() {
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int fd = open((dir_ + "/log/ctld.log").c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string bin = std::string(SLUICE_BIN_DIR) + "/sluice-ctld";
    std::string conf_path = conf();
    execl(bin.c_str(), bin.c_str(), "-f", conf_path.c_str(), nullptr);
    _exit(127);
  }
  std::ofstream(dir_ + "/pids", std::ios::app) << "sluice-ctld " << pid << "\n";
  if (WaitFor([&] { return Run("sinfo -h").rc == 0; }, 20)) return true;
  // Say why: the controller's last words are the only trace a CI run keeps.
  std::string log = Slurp(dir_ + "/log/ctld.log");
  if (log.size() > 4000) log = log.substr(log.size() - 4000);
  fprintf(stderr, "sluice-ctld did not come back; end of its log:\n%s\n", log.c_str());
  return false;
}

std::string CapturedSection(const std::string& name, const std::string& which) {
  // "golden/NAME" names one of the shared golden captures, else extra/.
  std::string file = absl::StrContains(name, "/") ? name : "extra/" + name;
  std::string text = Slurp(std::string(SLUICE_REFERENCE_DIR) + "/" + file + ".txt");
  EXPECT_FALSE(text.empty()) << "capture " << name << " missing";
  std::string out;
  bool in = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, "# ---- ")) {
      in = line == "# ---- " + which + " ----";
      continue;
    }
    if (!in || absl::StrContains(line, ": select/") || absl::StrContains(line, ": debug:"))
      continue;
    absl::StrAppend(&out, line, "\n");
  }
  while (absl::EndsWith(out, "\n\n")) out.pop_back();
  return out;
}

std::string CapturedCommand(const std::string& name) {
  std::string text = Slurp(std::string(SLUICE_REFERENCE_DIR) + "/extra/" + name + ".txt");
  const std::string prefix = "# command: ";
  if (text.rfind(prefix, 0) != 0) return "";
  return text.substr(prefix.size(), text.find('\n') - prefix.size());
}

}  // namespace sluice::testing
