#include "sim/simulator.h"

#include <algorithm>
#include <map>
#include <queue>
#include <random>

#include "absl/strings/str_format.h"
#include "ctld/sched/scheduler.h"

namespace sluice::sim {
namespace {

struct Running {
  sched::JobId id;
  int64_t end_s;       // actual end (virtual clock)
  int64_t limit_end_s; // what the scheduler is told
  std::vector<sched::NodeAllocation> alloc;
  size_t line = 0;     // the SWF line (job or array) it belongs to
};

}  // namespace

std::string SimResult::ToJson() const {
  return absl::StrFormat(
      "{\"jobs\": %d, \"never_ran\": %d, \"makespan_s\": %d, "
      "\"utilization\": %.4f, \"mean_wait_s\": %.1f, "
      "\"mean_bounded_slowdown\": %.3f, \"passes\": %d}",
      jobs, never_ran, makespan_s, utilization, mean_wait_s,
      mean_bounded_slowdown, passes);
}

SimResult Simulate(const std::vector<SwfJob>& input, const ClusterShape& shape,
                   Policy policy) {
  std::vector<SwfJob> jobs = input;
  std::stable_sort(jobs.begin(), jobs.end(), [](const SwfJob& a, const SwfJob& b) {
    return a.submit_s < b.submit_s;
  });
  SimResult res;
  if (jobs.empty()) return res;

  sched::SchedulerConfig cfg;
  cfg.backfill = policy == Policy::kBackfill;
  cfg.bf_resolution_s = 1;
  cfg.bf_window_s = 365LL * 24 * 3600;
  std::vector<sched::SchedNode> nodes(shape.nodes);
  sched::SchedPartition part{"sim", {}, -1, 0, true};
  for (uint32_t i = 0; i < shape.nodes; ++i) {
    nodes[i].name = absl::StrFormat("n%d", i);
    nodes[i].cpus_free = shape.cpus_per_node;
    nodes[i].mem_free_mb = 1 << 30;
    nodes[i].gpu_free.assign(shape.gpus_per_node, true);
    part.nodes.push_back(static_cast<int>(i));
  }
  // Per SWF line: tasks still waiting (an array is one waiting record, as
  // in the controller), tasks running, and each task's start.
  std::vector<uint64_t> waiting(jobs.size());
  std::vector<uint32_t> active(jobs.size());
  std::vector<std::vector<int64_t>> starts(jobs.size());
  std::vector<sched::SchedJob> pending;  // one per line with tasks waiting
  std::vector<Running> running;
  size_t next = 0;
  int64_t now = jobs[0].submit_s;
  const uint64_t kTop = 1ull << 40;
  const uint64_t kOffer = 1ull << 50, kRun = 1ull << 52;
  uint64_t run_ids = 0;

  for (;;) {
    while (next < jobs.size() && jobs[next].submit_s <= now) {
      const SwfJob& sj = jobs[next];
      sched::SchedJob j;
      j.id = sched::JobId(next + 1);
      j.priority = kTop - next;  // first come, first served
      uint32_t per_node = shape.cpus_per_node;
      j.nodes = static_cast<uint32_t>((sj.procs + per_node - 1) / per_node);
      j.cpus_per_node = static_cast<uint32_t>((sj.procs + j.nodes - 1) / j.nodes);
      j.time_limit_min = std::max<int64_t>(1, (sj.req_time_s + 59) / 60);
      waiting[next] = sj.array_tasks ? sj.array_tasks : 1;
      res.jobs += waiting[next];
      pending.push_back(j);
      ++next;
    }
    // Departures.
    for (auto it = running.begin(); it != running.end();) {
      if (it->end_s > now) {
        ++it;
        continue;
      }
      for (const auto& a : it->alloc) {
        auto& n = nodes[std::stoi(a.node.substr(1))];
        n.cpus_free += a.cpus;
        for (uint32_t g : a.gpus) n.gpu_free[g] = true;
      }
      --active[it->line];
      it = running.erase(it);
    }
    sched::SchedulerInput in;
    in.now = now;
    in.nodes = nodes;
    in.partitions = {part};
    uint64_t free_cpus = 0;
    for (const auto& n : nodes) free_cpus += n.cpus_free;
    std::map<uint64_t, size_t> offer_line;
    uint64_t offers_made = 0;
    for (const auto& j : pending) {
      size_t line = j.id.value() - 1;
      uint64_t offers = 1;
      if (jobs[line].array_tasks) {
        offers = sched::ArrayOffers(waiting[line], jobs[line].array_throttle, active[line],
                                    free_cpus, j.cpus_per_node * j.nodes);
        if (offers == 0) continue;  // its throttle is reached
      }
      in.pending.push_back(j);
      for (uint64_t k = 1; k < offers; ++k) {
        sched::SchedJob more = j;
        more.id = sched::JobId(kOffer + offers_made);
        offer_line[kOffer + offers_made++] = line;
        in.pending.push_back(more);
      }
    }
    for (const auto& r : running) in.running.push_back({r.id, r.limit_end_s, r.alloc});
    sched::SchedulePlan plan = sched::Schedule(in, cfg);
    ++res.passes;
    for (const auto& p : plan.starts) {
      auto o = offer_line.find(p.id.value());
      size_t idx = o == offer_line.end() ? p.id.value() - 1 : o->second;
      if (waiting[idx] == 0) continue;
      --waiting[idx];
      ++active[idx];
      starts[idx].push_back(now);
      Running r{sched::JobId(kRun + run_ids++), now + jobs[idx].run_s,
                now + std::max<int64_t>(1, (jobs[idx].req_time_s + 59) / 60) * 60,
                p.alloc, idx};
      for (const auto& a : p.alloc) {
        auto& n = nodes[std::stoi(a.node.substr(1))];
        n.cpus_free -= a.cpus;
        for (uint32_t g : a.gpus) n.gpu_free[g] = false;
      }
      running.push_back(std::move(r));
    }
    std::erase_if(pending, [&](const sched::SchedJob& j) { return waiting[j.id.value() - 1] == 0; });
    // Next event: an arrival or a departure.
    int64_t t = INT64_MAX;
    if (next < jobs.size()) t = jobs[next].submit_s;
    for (const auto& r : running) t = std::min(t, r.end_s);
    if (t == INT64_MAX) break;  // what is left can never run
    now = std::max(t, now);
  }

  for (const auto& j : pending) res.never_ran += waiting[j.id.value() - 1];
  int64_t first = jobs.front().submit_s, last = first;
  double used = 0, wait = 0, bsld = 0;
  size_t ran = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    for (int64_t st : starts[i]) {
      ++ran;
      int64_t end = st + jobs[i].run_s;
      last = std::max(last, end);
      double w = static_cast<double>(st - jobs[i].submit_s);
      wait += w;
      double run = static_cast<double>(jobs[i].run_s);
      bsld += std::max(1.0, (w + run) / std::max(run, 10.0));
      used += run * static_cast<double>(jobs[i].procs);
    }
  }
  res.makespan_s = last - first;
  if (ran) {
    res.mean_wait_s = wait / static_cast<double>(ran);
    res.mean_bounded_slowdown = bsld / static_cast<double>(ran);
  }
  double capacity = static_cast<double>(res.makespan_s) * shape.nodes *
                    shape.cpus_per_node;
  res.utilization = capacity > 0 ? used / capacity : 0;
  return res;
}

sched::SchedulerInput SyntheticSnapshot(size_t jobs, uint32_t node_count,
                                        uint32_t gpus_per_node, uint64_t seed) {
  std::mt19937_64 rng(seed);
  sched::SchedulerInput in;
  in.now = 1'800'000'000;
  sched::SchedPartition part{"g2", {}, -1, 0, true};
  const uint32_t cpus = 8 * std::max<uint32_t>(1, gpus_per_node);
  for (uint32_t i = 0; i < node_count; ++i) {
    sched::SchedNode n;
    n.name = absl::StrFormat("n%05d", i);
    n.cpus_free = cpus;
    n.mem_free_mb = 1 << 20;
    n.gpu_free.assign(gpus_per_node, true);
    if (i % 2 == 0) {
      // Half the cluster is busy with jobs ending within the next 4 hours.
      n.cpus_free = 0;
      std::fill(n.gpu_free.begin(), n.gpu_free.end(), false);
      sched::NodeAllocation a{n.name, cpus, 0, {}};
      for (uint32_t g = 0; g < gpus_per_node; ++g) a.gpus.push_back(g);
      in.running.push_back({sched::JobId(10'000'000 + i),
                            in.now + 60 * static_cast<int64_t>(1 + rng() % 240),
                            {a}});
    }
    part.nodes.push_back(static_cast<int>(i));
    in.nodes.push_back(std::move(n));
  }
  in.partitions = {part};
  const uint32_t gpu_choices[] = {1, 2, 4, 8};
  const int64_t minutes[] = {30, 60, 120, 240};
  for (size_t k = 0; k < jobs; ++k) {
    sched::SchedJob j;
    j.id = sched::JobId(k + 1);
    j.priority = 1'000'000'000 - k;
    uint32_t g = std::min(gpus_per_node, gpu_choices[rng() % 4]);
    j.gpus_per_node = g;
    j.cpus_per_node = std::max<uint32_t>(1, g * 4);
    j.nodes = (rng() % 50 == 0) ? 2 : 1;
    j.time_limit_min = minutes[rng() % 4];
    in.pending.push_back(j);
  }
  return in;
}

}  // namespace sluice::sim
