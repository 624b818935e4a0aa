// Burst benchmark: 1,000 batch submissions arrive at once (8 concurrent
// clients over gRPC, no process start-up per job); reports how long the
// burst took to be acknowledged and how long after the last acknowledgement
// every job had been scheduled (started, or given a reason by a pass).
// Usage: sluice-bench-burst [--jobs N]   (starts its own cluster; JSON out)
//        sluice-bench-burst --conf FILE --sequential N [--fresh] [--runnable]
//          N held submissions one after another to a running cluster, over
//          one client: prints the median acknowledgement in ms (the RPC
//          alone, without a process start per submission); with --fresh
//          each submission opens its own connection, as sbatch does;
//          with --runnable the jobs are not held and what is timed is
//          submission until the controller has started the job (the wait
//          for a scheduling pass and the pass itself), polled with
//          QueryJobs for that one job.
//        sluice-bench-burst --conf FILE --pass-stats
//          prints the controller's scheduling figures so far, one line:
//          passes, their total run time (us), passes an event asked for,
//          those passes' total wait from the ask to the start (us), the
//          readers' job copies, the strand's total parked time for
//          them (us), and the jobs those copies converted (the rest were
//          shared with the copy before).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/ctld_client.h"
#include "common/job_types.h"
#include "common/slurm_conf.h"

namespace {
using Clock = std::chrono::steady_clock;
double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

int SequentialAcks(const std::string& conf, int n, bool fresh, bool runnable) {
  auto cfg = sluice::common::LoadSlurmConf(conf);
  if (!cfg.ok()) {
    fprintf(stderr, "%s\n", std::string(cfg.status().message()).c_str());
    return 1;
  }
  sluice::v1::SubmitBatchJobRequest req;
  auto* j = req.mutable_job();
  j->set_name("ack");
  j->set_script("#!/bin/sh\ntrue\n");
  j->set_work_dir("/tmp");
  j->set_std_out("/dev/null");
  j->add_env("PATH=/usr/bin:/bin");
  j->set_hold(!runnable);
  auto client = std::make_unique<sluice::cli::CtldClient>(*cfg);
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (fresh) client = std::make_unique<sluice::cli::CtldClient>(*cfg);
    auto r = client->Submit(req);
    if (!r.ok() || r->job_id() == 0) {
      fprintf(stderr, "submission failed\n");
      return 1;
    }
    if (runnable) {
      sluice::v1::QueryJobsRequest q;
      q.add_job_ids(r->job_id());
      q.set_brief(true);
      for (;;) {
        auto l = client->QueryJobs(q);
        if (l.ok() && l->reply().jobs_size() > 0 &&
            l->reply().jobs(0).state() != sluice::v1::JOB_STATE_PENDING)
          break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    ms.push_back(Ms(Clock::now() - t0));
  }
  std::sort(ms.begin(), ms.end());
  printf("%.3f\n", ms[ms.size() / 2]);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  int jobs = 1000, clients = 8;
  bool hold = false;  // --hold: measure submission alone (nothing runs)
  std::string conf;
  int sequential = 0;
  bool fresh = false, runnable = false, pass_stats = false;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--jobs") && i + 1 < argc) jobs = atoi(argv[i + 1]);
    if (!strcmp(argv[i], "--hold")) hold = true;
    if (!strcmp(argv[i], "--conf") && i + 1 < argc) conf = argv[i + 1];
    if (!strcmp(argv[i], "--fresh")) fresh = true;
    if (!strcmp(argv[i], "--runnable")) runnable = true;
    if (!strcmp(argv[i], "--pass-stats")) pass_stats = true;
    if (!strcmp(argv[i], "--sequential") && i + 1 < argc) sequential = atoi(argv[i + 1]);
  }
  if (!conf.empty() && pass_stats) {
    auto cfg = sluice::common::LoadSlurmConf(conf);
    if (!cfg.ok()) return 1;
    auto r = sluice::cli::CtldClient(*cfg).QueryCluster();
    if (!r.ok()) {
      fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    const auto& st = r->scheduling();
    printf("%llu %llu %llu %llu %llu %llu %llu\n", (unsigned long long)st.passes(),
           (unsigned long long)st.run_us_total(), (unsigned long long)st.asked_passes(),
           (unsigned long long)st.wait_us_total(), (unsigned long long)st.copies(),
           (unsigned long long)st.copy_us_total(), (unsigned long long)st.copy_jobs_converted());
    return 0;
  }
  if (!conf.empty()) return SequentialAcks(conf, std::max(1, sequential), fresh, runnable);
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  self[n > 0 ? n : 0] = 0;
  std::string bin = std::string(self).substr(0, std::string(self).rfind('/'));
  char tmpl[] = "/tmp/sluice-burst-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  chmod(dir.c_str(), 0755);
  std::string up = bin + "/sluice-local up --dir " + dir +
                   " --nodes 4 --cpus-per-node 64 --gpus-per-node 0 >/dev/null";
  if (system(up.c_str()) != 0) {
    fprintf(stderr, "cluster did not start\n");
    return 1;
  }
  auto cfg = sluice::common::LoadSlurmConf(dir + "/slurm.conf");
  if (!cfg.ok()) return 1;

  sluice::v1::SubmitBatchJobRequest req;
  auto* j = req.mutable_job();
  j->set_name("burst");
  j->set_script("#!/bin/sh\ntrue\n");
  j->set_work_dir(dir);
  j->set_std_out("/dev/null");
  j->add_env("PATH=/usr/bin:/bin");
  j->set_hold(hold);

  std::atomic<int> next{0}, failed{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      sluice::cli::CtldClient client(*cfg);
      while (next.fetch_add(1) < jobs)
        if (auto r = client.Submit(req); !r.ok() || r->job_id() == 0) ++failed;
    });
  }
  for (auto& t : threads) t.join();
  auto t1 = Clock::now();

  // Every job scheduled: started (or done), or pending with a reason.
  sluice::cli::CtldClient client(*cfg);
  Clock::time_point t2;
  for (;;) {
    auto rep = client.QueryJobs({});
    if (rep.ok()) {
      int undecided = 0;
      for (const auto& job : rep->jobs())
        if (job.state() == sluice::v1::JOB_STATE_PENDING && job.reason() == 0)
          ++undecided;
      if (undecided == 0) {
        t2 = Clock::now();
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  system((bin + "/sluice-local down --dir " + dir + " >/dev/null").c_str());
  system(("rm -rf " + dir).c_str());
  printf("{\"jobs\": %d, \"hold\": %s, \"clients\": %d, \"failed\": %d, \"burst_ack_ms\": %.1f, "
         "\"submissions_per_s\": %.0f, \"scheduled_after_last_ack_ms\": %.1f}\n",
         jobs, hold ? "true" : "false", clients, failed.load(), Ms(t1 - t0), jobs / (Ms(t1 - t0) / 1000),
         Ms(t2 - t1));
  return 0;
}
