// sluice-bench-noded: one node daemon measured on its own. A local cluster
// (sluice-local, one node) provides munged and the configuration; its
// controller is stopped and this program takes its port, playing the
// controller: it sends LaunchBatch straight to the node daemon and listens
// for the reports of job ends. It prints JSON:
//   launch_to_first_instruction_ms: LaunchBatch sent -> the script's first
//     command runs (bash's $EPOCHREALTIME), median and p95 of --runs;
//   trivial_jobs_per_s: --burst jobs (/bin/true) launched from 4 threads,
//     until the last end is reported;
//   idle_rss_kb (noded), stepd_rss_kb (one running job's supervisor).
#include <grpcpp/grpcpp.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/rpc/rpc_auth.h"
#include "common/slurm_conf.h"
#include "node.grpc.pb.h"

namespace v1 = ::sluice::v1;
using Clock = std::chrono::steady_clock;

namespace {

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long RssKb(pid_t pid) {
  std::istringstream in(Slurp("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

pid_t FindProc(const std::string& needle) {
  pid_t found = 0;
  if (DIR* d = opendir("/proc")) {
    while (struct dirent* e = readdir(d)) {
      pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      if (pid > 0 && Slurp("/proc/" + std::to_string(pid) + "/cmdline").find(needle) != std::string::npos)
        found = pid;
    }
    closedir(d);
  }
  return found;
}

// Plays sluice-ctld's NodeReport side: acknowledges ends and records when
// each arrived.
class FakeCtld final : public v1::SluiceCtldInternal::Service {
 public:
  grpc::Status NodeReport(grpc::ServerContext*, const v1::NodeReportRequest* req,
                          v1::NodeReportReply* rep) override {
    std::lock_guard<std::mutex> l(mu_);
    registered_ = true;
    for (const auto& e : req->ended()) {
      rep->add_acked_job_ids(e.job_id());
      ended_.emplace(e.job_id(), Clock::now());
    }
    cv_.notify_all();
    return grpc::Status::OK;
  }
  bool WaitEnded(uint64_t id, int seconds) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(seconds), [&] { return ended_.count(id) > 0; });
  }
  bool WaitCount(size_t n, int seconds) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(seconds), [&] { return ended_.size() >= n; });
  }
  bool WaitRegistered(int seconds) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(seconds), [&] { return registered_; });
  }
  void Reset() {
    std::lock_guard<std::mutex> l(mu_);
    ended_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool registered_ = false;
  std::map<uint64_t, Clock::time_point> ended_;
};

}  // namespace

int main(int argc, char** argv) {
  int runs = 50, burst = 200;
  std::string bin = "build/bin";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--runs") runs = std::atoi(argv[i + 1]);
    if (a == "--burst") burst = std::atoi(argv[i + 1]);
    if (a == "--bin") bin = argv[i + 1];
  }
  char tmpl[] = "/tmp/sluice-bench-noded-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  chmod(dir.c_str(), 0755);
  std::string work = dir + "/work";
  mkdir(work.c_str(), 01777);
  if (system((bin + "/sluice-local up --dir " + dir + " --nodes 1 --cpus-per-node 64 >/dev/null").c_str()) != 0) {
    std::fprintf(stderr, "sluice-local up failed\n");
    return 1;
  }
  auto down = [&] { (void)!system((bin + "/sluice-local down --dir " + dir + " >/dev/null").c_str()); };
  auto cfg = sluice::common::LoadSlurmConf(dir + "/slurm.conf");
  if (!cfg.ok()) return 1;
  // Stop the real controller; this program takes its place.
  std::istringstream pids(Slurp(dir + "/pids"));
  std::string what;
  pid_t pid, noded = 0, ctld = 0;
  while (pids >> what >> pid) {
    if (what == "sluice-ctld") kill(ctld = pid, SIGKILL);
    if (what == "sluice-noded") noded = pid;
  }
  for (int i = 0; i < 200; ++i) {  // until the controller is gone
    std::string st = Slurp("/proc/" + std::to_string(ctld) + "/stat");
    if (st.empty() || st.find(") Z") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll with a bound
  }
  FakeCtld fake;
  std::unique_ptr<grpc::Server> server;
  for (int i = 0; i < 100 && !server; ++i) {
    grpc::ServerBuilder b;
    b.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    b.AddListeningPort(absl::StrCat("127.0.0.1:", cfg->ctld_port),
                       grpc::InsecureServerCredentials());
    b.RegisterService(&fake);
    server = b.BuildAndStart();
    if (!server) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // port still closing
  }
  if (!server || !fake.WaitRegistered(10)) {
    std::fprintf(stderr, "node daemon did not report to the stand-in controller\n");
    down();
    return 1;
  }
  const auto& node = cfg->nodes.at(0);
  auto auth = sluice::common::MakeMungeAuthenticator(cfg->auth_socket);
  auto stub = v1::SluiceNode::NewStub(grpc::CreateChannel(
      absl::StrCat(node.addr, ":", cfg->NodePort(node)), grpc::InsecureChannelCredentials()));
  uint64_t next_id = 1;
  auto launch = [&](uint64_t id, const std::string& script, const std::string& out) {
    v1::LaunchBatchRequest req;
    req.set_job_id(id);
    req.set_uid(0);
    req.set_gid(0);
    req.set_user("root");
    req.set_job_name("bench");
    req.set_script(script);
    req.add_env("PATH=/usr/bin:/bin");
    req.set_work_dir(work);
    req.set_std_out(out);
    req.set_std_err(out);
    req.set_std_in("/dev/null");
    req.set_cpus(1);
    grpc::ClientContext ctx;
    if (!sluice::common::AttachCredential(&ctx, *auth, "LaunchBatch", req).ok()) return false;
    v1::LaunchBatchReply rep;
    return stub->LaunchBatch(&ctx, req, &rep).ok() && rep.error().empty();
  };

  long idle_rss = RssKb(noded);
  // Launch latency, one job at a time.
  std::vector<double> lat;
  for (int i = 0; i < runs; ++i) {
    uint64_t id = next_id++;
    std::string out = absl::StrCat(work, "/lat-", id, ".out");
    auto wall = std::chrono::system_clock::now();
    if (!launch(id, "#!/bin/bash\necho $EPOCHREALTIME\n", out) || !fake.WaitEnded(id, 30)) {
      std::fprintf(stderr, "job %lu did not run\n", (unsigned long)id);
      down();
      return 1;
    }
    double first = std::atof(Slurp(out).c_str());
    double sent = std::chrono::duration<double>(wall.time_since_epoch()).count();
    lat.push_back((first - sent) * 1000);
  }
  std::sort(lat.begin(), lat.end());
  // A running job's supervisor.
  uint64_t sleeper = next_id++;
  launch(sleeper, "#!/bin/sh\nsleep 2\n", work + "/sleep.out");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let it settle before sampling RSS
  long stepd_rss = RssKb(FindProc("sluice-stepd"));
  fake.WaitEnded(sleeper, 30);
  // Throughput: a burst of trivial jobs.
  fake.Reset();
  auto t0 = Clock::now();
  std::atomic<uint64_t> ids{next_id};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t)
    senders.emplace_back([&] {
      for (;;) {
        uint64_t id = ids++;
        if (id >= next_id + static_cast<uint64_t>(burst)) return;
        launch(id, "#!/bin/sh\ntrue\n", "/dev/null");
      }
    });
  for (auto& s : senders) s.join();
  bool all = fake.WaitCount(static_cast<size_t>(burst), 120);
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf(
      "{\"runs\": %d, \"launch_to_first_instruction_ms\": {\"median\": %.2f, \"p95\": %.2f, "
      "\"min\": %.2f}, \"burst\": %d, \"all_ended\": %s, \"trivial_jobs_per_s\": %.1f, "
      "\"idle_rss_kb\": %ld, \"stepd_rss_kb\": %ld}\n",
      runs, lat[lat.size() / 2], lat[lat.size() * 95 / 100], lat.front(), burst,
      all ? "true" : "false", burst / secs, idle_rss, stepd_rss);
  server->Shutdown();
  down();
  (void)!system(("rm -rf " + dir).c_str());
  return all ? 0 : 1;
}
