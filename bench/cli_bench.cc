// CLI latency benchmark on an idle local cluster: wall time of one sbatch,
// one squeue (100 jobs in the queue), submit -> the job's first command, and
// srun true / srun -N2 -n8 true (each in a new allocation).
// Usage: sluice-bench-cli [--runs N]   (prints one JSON object)
// Starts its own cluster with sluice-local in a temporary directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
std::string g_bin;
std::string g_conf;

// Runs argv with SLURM_CONF set, stdout captured; returns wall seconds.
double Run(const std::vector<std::string>& argv, std::string* out = nullptr,
           const std::string& cwd = "") {
  int p[2];
  if (pipe(p) != 0) return -1;
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    int nul = open("/dev/null", O_RDWR);
    dup2(nul, 0);
    dup2(nul, 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    setenv("SLURM_CONF", g_conf.c_str(), 1);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  close(p[1]);
  std::string buf;
  char tmp[4096];
  ssize_t n;
  while ((n = read(p[0], tmp, sizeof tmp)) > 0) buf.append(tmp, n);
  close(p[0]);
  waitpid(pid, nullptr, 0);
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (out) *out = buf;
  return s;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
double Pct(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(q * v.size()))];
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 50;
  for (int i = 1; i + 1 < argc; ++i)
    if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  self[n > 0 ? n : 0] = 0;
  g_bin = std::string(self).substr(0, std::string(self).rfind('/'));
  char tmpl[] = "/tmp/sluice-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  chmod(dir.c_str(), 0755);
  g_conf = dir + "/slurm.conf";
  std::string up_out;
  Run({g_bin + "/sluice-local", "up", "--dir", dir, "--cpus-per-node", "8"}, &up_out);
  if (up_out.find("export SLURM_CONF") == std::string::npos) {
    fprintf(stderr, "cluster did not start\n");
    return 1;
  }

  // 1. sbatch --hold --wrap true, one at a time.
  std::vector<double> sbatch;
  for (int i = 0; i < runs; ++i)
    sbatch.push_back(Run({g_bin + "/sbatch", "--hold", "--parsable", "--wrap", "true"},
                         nullptr, dir));
  // Fill to 100 jobs for squeue.
  for (int i = runs; i < 100; ++i)
    Run({g_bin + "/sbatch", "--hold", "--parsable", "--wrap", "true"}, nullptr, dir);
  std::vector<double> squeue;
  for (int i = 0; i < runs; ++i) squeue.push_back(Run({g_bin + "/squeue"}));
  std::string ids;
  Run({g_bin + "/squeue", "-h", "-o", "%i"}, &ids);
  std::vector<std::string> cancel = {g_bin + "/scancel"};
  for (size_t p = 0, q; (q = ids.find('\n', p)) != std::string::npos; p = q + 1)
    cancel.push_back(ids.substr(p, q - p));
  Run(cancel);

  // 2. Submit -> the job's first command runs.
  std::vector<double> start;
  for (int i = 0; i < runs; ++i) {
    std::string mark = dir + "/started-" + std::to_string(i);
    int64_t t0 = NowNs();
    Run({g_bin + "/sbatch", "--parsable", "-o", "/dev/null", "--wrap",
         "date +%s%N > " + mark},
        nullptr, dir);
    int64_t t1 = 0;
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      std::ifstream in(mark);
      if (in >> t1 && t1 > 0) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (t1 > 0) start.push_back((t1 - t0) / 1e9);
  }
  // 3. srun: a one-task step in a new allocation, and 8 tasks on 2 nodes.
  std::vector<double> srun1, srun8;
  for (int i = 0; i < runs; ++i) srun1.push_back(Run({g_bin + "/srun", "true"}, nullptr, dir));
  for (int i = 0; i < runs; ++i)
    srun8.push_back(Run({g_bin + "/srun", "-N2", "-n8", "true"}, nullptr, dir));
  Run({g_bin + "/sluice-local", "down", "--dir", dir});
  if (!getenv("SLUICE_KEEP_TEST_DIRS")) Run({"/bin/rm", "-rf", dir});

  printf("{\"runs\": %d, \"sbatch_ms_median\": %.2f, \"sbatch_ms_p90\": %.2f, "
         "\"squeue_100_jobs_ms_median\": %.2f, \"squeue_ms_p90\": %.2f, "
         "\"submit_to_running_ms_median\": %.2f, \"submit_to_running_ms_p90\": %.2f, "
         "\"srun_true_ms_median\": %.2f, \"srun_true_ms_p90\": %.2f, "
         "\"srun_N2_n8_true_ms_median\": %.2f, \"srun_N2_n8_true_ms_p90\": %.2f}\n",
         runs, Median(sbatch) * 1e3, Pct(sbatch, .9) * 1e3, Median(squeue) * 1e3,
         Pct(squeue, .9) * 1e3, Median(start) * 1e3, Pct(start, .9) * 1e3,
         Median(srun1) * 1e3, Pct(srun1, .9) * 1e3, Median(srun8) * 1e3, Pct(srun8, .9) * 1e3);
  return 0;
}
