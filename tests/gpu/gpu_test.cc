// GPU tests: run on a machine with NVIDIA GPUs and the driver (NVML); each
// skips elsewhere. Label "gpu" (ctest -L gpu).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "nodedaemon/gpu/gpu_probe.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

std::string Sh(const std::string& cmd) {
  std::string out;
  if (FILE* f = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    pclose(f);
  }
  return out;
}

std::unique_ptr<node::GpuProbe> Nvml() {
  auto p = node::MakeNvmlGpuProbe();
  return p.ok() ? std::move(*p) : nullptr;
}

#define REQUIRE_NVML(probe)                                             \
  auto probe = Nvml();                                                  \
  if (!probe) GTEST_SKIP() << "NVML (libnvidia-ml.so.1) not available"

TEST(GpuTest, NvmlInventoryMatchesNvidiaSmi) {
  REQUIRE_NVML(probe);
  auto inv = probe->Inventory();
  ASSERT_TRUE(inv.ok()) << inv.status();
  std::string smi = Sh("nvidia-smi -L");
  size_t lines = 0;
  for (char c : smi) lines += c == '\n';
  EXPECT_EQ(inv->size(), lines) << smi;
  for (const auto& g : *inv) {
    EXPECT_THAT(smi, HasSubstr(g.uuid));
    EXPECT_THAT(smi, HasSubstr(g.name));
    EXPECT_FALSE(g.pci_bus_id.empty());
    EXPECT_GT(g.memory_total_mb, 0u);
  }
}

TEST(GpuTest, TelemetryValuesArePlausible) {
  REQUIRE_NVML(probe);
  auto sample = probe->Sample({}, 0);
  ASSERT_FALSE(sample.empty());
  std::istringstream smi(Sh("nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits"));
  for (const auto& g : sample) {
    uint64_t total = 0;
    smi >> total;
    EXPECT_TRUE(g.telemetry);
    EXPECT_NEAR(static_cast<double>(g.memory_total_mb), static_cast<double>(total),
                total * 0.01 + 1);
    EXPECT_LE(g.memory_used_mb, g.memory_total_mb);
    EXPECT_GE(g.temperature_c, 5);
    EXPECT_LE(g.temperature_c, 100);
    EXPECT_LE(g.gpu_util_pct, 100u);
    EXPECT_GT(g.power_limit_mw, 0u);
    EXPECT_EQ(g.health, "") << "GPU " << g.index << " reports a fatal condition";
    std::printf("GPU%u %s mem %lu/%lu MiB temp %d C power %u/%u W util %u%%\n", g.index,
                g.name.c_str(), (unsigned long)g.memory_used_mb,
                (unsigned long)g.memory_total_mb, g.temperature_c, g.power_mw / 1000,
                g.power_limit_mw / 1000, g.gpu_util_pct);
  }
}

TEST(GpuTest, AJobWithOneGpuPerNodeSeesExactlyOneGpu) {
  REQUIRE_NVML(probe);
  auto inv = probe->Inventory();
  ASSERT_TRUE(inv.ok());
  ClusterOptions o;
  o.gpu_backend = "nvml";
  o.conf_text = std::string("ClusterName=gpu\n") + kTestConfHeader +
                "NodeName=g1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=2 "
                "RealMemory=4000 Gres=gpu:" + std::to_string(inv->size()) + " State=UNKNOWN\n"
                "PartitionName=g2 Nodes=g1 Default=YES MaxTime=INFINITE State=UP\n";
  o.cgroup_conf = "ConstrainDevices=yes\n";
  auto c = TestCluster::Start(o);
  ASSERT_NE(c, nullptr);
  // The node reports the real inventory.
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return c->Run("scontrol -d show node g1").out.find((*inv)[0].uuid) != std::string::npos;
  }, 15)) << c->Run("scontrol -d show node g1").out;
  auto r = c->Run("sbatch --parsable --gpus-per-node=1 -o one.out --wrap "
                  "'echo CVD=$CUDA_VISIBLE_DEVICES; nvidia-smi -L | wc -l'");
  ASSERT_EQ(r.rc, 0) << r.err;
  uint64_t id = std::stoull(r.out);
  ASSERT_TRUE(c->WaitForState(id, "COMPLETED", 60)) << c->JobState(id);
  std::string out = Slurp(c->work() + "/one.out");
  std::printf("job output:\n%s", out.c_str());
  EXPECT_EQ(out, "CVD=0\n1\n");
}

}  // namespace
}  // namespace sluice::testing
