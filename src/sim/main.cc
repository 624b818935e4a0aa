// sluice-sim: replay a workload through the real scheduler with a virtual
// clock, or time one scheduling pass over a synthetic snapshot.
//   sluice-sim --swf trace.swf --nodes 16 --cpus-per-node 8 --policy backfill
//   sluice-sim --synthetic --jobs 100000 --nodes 10000 --gpus-per-node 8
// Prints one JSON object.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ctld/sched/scheduler.h"
#include "sim/simulator.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice-sim: the Sluice scheduler on a virtual clock"};
  std::string swf, policy = "backfill";
  bool synthetic = false;
  size_t jobs = 1000;
  int repeat = 5;
  sluice::sim::ClusterShape shape;
  app.add_option("--swf", swf, "SWF trace to replay");
  app.add_option("--policy", policy, "fifo or backfill")
      ->check(CLI::IsMember({"fifo", "backfill"}));
  app.add_option("--nodes", shape.nodes, "nodes in the cluster");
  app.add_option("--cpus-per-node", shape.cpus_per_node, "CPUs per node");
  app.add_option("--gpus-per-node", shape.gpus_per_node, "GPUs per node");
  app.add_flag("--synthetic", synthetic, "time one pass over a synthetic queue");
  app.add_option("--jobs", jobs, "pending jobs (synthetic)");
  app.add_option("--repeat", repeat, "passes to time (synthetic)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (synthetic) {
    auto in = sluice::sim::SyntheticSnapshot(jobs, shape.nodes,
                                             shape.gpus_per_node, 42);
    std::vector<double> ms;
    sluice::sched::SchedulePlan plan;
    for (int i = 0; i < std::max(1, repeat); ++i) {
      auto t0 = std::chrono::steady_clock::now();
      plan = sluice::sched::Schedule(in);
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    size_t estimated = plan.starts.size() + plan.reservations.size();
    // Starts that name a node twice or take more CPUs than it had free:
    // a plan the controller must never be given (0 expected).
    std::map<std::string, int64_t> free;
    for (const auto& n : in.nodes) free[n.name] = n.cpus_free;
    size_t overbooked = 0;
    for (const auto& st : plan.starts) {
      std::set<std::string> seen;
      bool bad = false;
      for (const auto& a : st.alloc) {
        bad |= !seen.insert(a.node).second;
        bad |= (free[a.node] -= a.cpus) < 0;
      }
      overbooked += bad;
    }
    std::printf(
        "{\"jobs\": %zu, \"nodes\": %u, \"gpus_per_node\": %u, "
        "\"pass_ms_median\": %.1f, \"pass_ms_min\": %.1f, \"started\": %zu, "
        "\"reserved\": %zu, \"without_estimate\": %zu, \"overbooked\": %zu}\n",
        jobs, shape.nodes, shape.gpus_per_node, ms[ms.size() / 2], ms[0],
        plan.starts.size(), plan.reservations.size(), jobs - estimated, overbooked);
    return 0;
  }
  if (swf.empty()) {
    std::fprintf(stderr, "sluice-sim: give --swf FILE or --synthetic\n");
    return 2;
  }
  std::ifstream in(swf);
  if (!in) {
    std::fprintf(stderr, "sluice-sim: cannot open %s\n", swf.c_str());
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = sluice::sim::ParseSwf(ss.str());
  if (!parsed.ok()) {
    std::fprintf(stderr, "sluice-sim: %s\n", std::string(parsed.status().message()).c_str());
    return 1;
  }
  auto r = sluice::sim::Simulate(*parsed, shape,
                                 policy == "fifo" ? sluice::sim::Policy::kFifo
                                                  : sluice::sim::Policy::kBackfill);
  std::printf("%s\n", r.ToJson().c_str());
  return 0;
}
