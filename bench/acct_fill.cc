// Fills a controller job store with N finished jobs for the sacct
// benchmark (bench/run_acct_bench.sh): USERS users (uids 5000...), ends
// spread evenly over DAYS days before now, each with one srun step.
// Usage: sluice-bench-acct-fill DB_PATH [N=1000000] [USERS=100] [DAYS=100] [--pending]
// With --pending the jobs are instead held, waiting (squeue's benchmark).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "ctld/store/job_store.h"

int main(int argc, char** argv) {
  using namespace sluice::ctld;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB [N] [USERS] [DAYS]\n", argv[0]);
    return 2;
  }
  uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  uint32_t users = argc > 3 ? static_cast<uint32_t>(std::atoi(argv[3])) : 100;
  int64_t days = argc > 4 ? std::atoll(argv[4]) : 100;
  bool pending = argc > 5 && std::string(argv[5]) == "--pending";
  auto store = OpenSqliteJobStore(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  int64_t now = static_cast<int64_t>(::time(nullptr));
  int64_t span = days * 86400;
  const uint64_t kBatch = 20000;
  std::vector<Job> jobs(kBatch);
  for (uint64_t first = 1; first <= n; first += kBatch) {
    std::vector<const Job*> batch;
    for (uint64_t i = 0; i < kBatch && first + i <= n; ++i) {
      uint64_t id = first + i;
      Job& j = jobs[i];
      j = Job();
      j.id = JobId(id);
      j.spec.uid = j.spec.gid = 5000 + static_cast<uint32_t>(id % users);
      j.spec.user = j.spec.group = "u" + std::to_string(j.spec.uid);
      j.spec.name = "job" + std::to_string(id % 97);
      j.spec.partition = "g2";
      j.spec.work_dir = "/home/u" + std::to_string(j.spec.uid);
      j.spec.script = "#!/bin/sh\nsrun ./train --epochs 10\n";
      j.spec.time_limit_min = 60;
      j.state = id % 10 == 0 ? JobState::kFailed : JobState::kCompleted;
      j.exit_code = id % 10 == 0 ? 1 : 0;
      j.end_time = now - span + static_cast<int64_t>(id * static_cast<uint64_t>(span) / n) - 60;
      j.start_time = j.end_time - 600;
      j.submit_time = j.eligible_time = j.start_time - 30;
      j.alloc = {{"n1", 4, 4000, {}}};
      if (pending) {
        j.state = JobState::kPending;
        j.reason = JobReason::kJobHeldUser;
        j.spec.hold = true;
        j.exit_code = 0;
        j.start_time = j.end_time = 0;
        j.alloc.clear();
        j.spec.time_limit_min = 60;
        batch.push_back(&j);
        continue;
      }
      StepRecord s;
      s.name = "train";
      s.start_time = j.start_time + 1;
      s.end_time = j.end_time - 1;
      s.state = j.state;
      s.exit_code = j.exit_code;
      s.node_list = "n1";
      s.nnodes = 1;
      s.ntasks = s.ncpus = 4;
      s.usage = {true, 2048000, 1024000, 0, 0, "n1", "", 2, 0, 2400000000, 30000000, 4};
      j.step_log = {s};
      j.next_step_id = 1;
      batch.push_back(&j);
    }
    if (auto st = (*store)->Save(batch, first + batch.size()); !st.ok()) {
      std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  std::printf("%llu jobs, %u users, over %lld days\n", static_cast<unsigned long long>(n), users,
              static_cast<long long>(days));
  return 0;
}
