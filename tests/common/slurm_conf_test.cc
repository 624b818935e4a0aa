#include "common/slurm_conf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace sluice::common {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<SlurmConfig> Parse(const std::string& text,
                                  std::map<std::string, std::string> files = {}) {
  return ParseSlurmConfText(text, "/etc/slurm",
                            [files](const std::string& p)
                                -> absl::StatusOr<std::string> {
                              auto it = files.find(p);
                              if (it == files.end())
                                return absl::NotFoundError("no " + p);
                              return it->second;
                            });
}

// The reference cluster's own slurm.conf (../shared/reference/.../etc).
constexpr char kReference[] = R"(# generated -- loopback-only reference cluster
ClusterName=refcluster
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
AuthInfo=socket=/run/munge-ref/munge.socket.2
StateSaveLocation=/var/lib/slurm-ref/state
SlurmdSpoolDir=/var/lib/slurm-ref/spool/%n
SchedulerType=sched/backfill
SelectType=select/cons_tres
MaxJobCount=50000
MinJobAge=300
KillWait=30
SlurmdTimeout=300
NodeName=n[1-4] NodeHostname=localhost NodeAddr=127.0.0.1 Port=[17001-17004] CPUs=8 Boards=1 SocketsPerBoard=1 CoresPerSocket=8 ThreadsPerCore=1 RealMemory=4000 Gres=gpu:4 State=UNKNOWN
PartitionName=g2 Nodes=n[1-4] Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=n[1-2] Default=NO MaxTime=00:30:00 DefaultTime=00:10:00 State=UP
)";

TEST(SlurmConfTest, ParsesTheReferenceCluster) {
  auto c = Parse(kReference);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cluster_name, "refcluster");
  EXPECT_EQ(c->ctld_host, "localhost");
  EXPECT_EQ(c->ctld_addr, "127.0.0.1");
  EXPECT_EQ(c->ctld_port, 6817);
  EXPECT_EQ(c->auth_socket, "/run/munge-ref/munge.socket.2");
  EXPECT_EQ(c->max_job_count, 50000u);
  ASSERT_EQ(c->nodes.size(), 4u);
  EXPECT_EQ(c->nodes[2].name, "n3");
  EXPECT_EQ(c->nodes[2].port, 17003);
  EXPECT_EQ(c->nodes[2].addr, "127.0.0.1");
  EXPECT_EQ(c->nodes[2].cpus, 8u);
  EXPECT_EQ(c->nodes[2].real_memory_mb, 4000u);
  EXPECT_EQ(c->nodes[2].gpus(), 4u);
  ASSERT_EQ(c->partitions.size(), 2u);
  EXPECT_EQ(c->DefaultPartition()->name, "g2");
  EXPECT_EQ(c->partitions[1].max_time_min, 30);
  EXPECT_EQ(c->partitions[1].default_time_min, 10);
  EXPECT_THAT(c->partitions[1].nodes, ElementsAre("n1", "n2"));
  // Boards=, SelectType= ... are not ours: warnings, not errors.
  EXPECT_FALSE(c->warnings.empty());
}

TEST(SlurmConfTest, SlurmdParametersTurnsOffFavordynmodsAndReportsSlurmsWords) {
  const std::string base = "NodeName=n1 CPUs=2\nPartitionName=p Nodes=n1\n";
  auto dflt = Parse(base);
  ASSERT_TRUE(dflt.ok()) << dflt.status();
  EXPECT_TRUE(dflt->cgroup_favordynmods);
  auto off = Parse(base + "SlurmdParameters=config_overrides,No_Cgroup_Favordynmods,contain_spank\n");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->cgroup_favordynmods);
  EXPECT_THAT(off->warnings,
              ElementsAre(HasSubstr("ignoring SlurmdParameters word contain_spank")));
  EXPECT_EQ(off->raw.at("slurmdparameters"), "config_overrides,No_Cgroup_Favordynmods,contain_spank");
}

TEST(SlurmConfTest, KeysAreCaseInsensitiveAndLinesContinue) {
  auto c = Parse("clustername=Lab\nNODENAME=a[1-2] \\\n  cpus=4 GRES=gpu:h100:8\n"
                 "partitionname=p nodes=ALL default=yes  # comment\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cluster_name, "lab");
  ASSERT_EQ(c->nodes.size(), 2u);
  EXPECT_EQ(c->nodes[1].cpus, 4u);
  EXPECT_EQ(c->nodes[1].gres[0].type, "h100");
  EXPECT_EQ(c->nodes[1].gpus(), 8u);
  EXPECT_THAT(c->partitions[0].nodes, ElementsAre("a1", "a2"));
}

TEST(SlurmConfTest, FollowsInclude) {
  auto c = Parse("Include nodes.conf\nPartitionName=p Nodes=x1\n",
                 {{"/etc/slurm/nodes.conf", "NodeName=x1 CPUs=2\n"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->nodes[0].cpus, 2u);
  EXPECT_FALSE(Parse("Include missing.conf\n").ok());
  EXPECT_FALSE(Parse("Include self.conf\n", {{"/etc/slurm/self.conf",
                                             "Include self.conf\n"}}).ok());
}

TEST(SlurmConfTest, NodeDefaultsApply) {
  auto c = Parse("NodeName=DEFAULT CPUs=16 RealMemory=1000\nNodeName=a1\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->nodes[0].cpus, 16u);
  EXPECT_EQ(c->nodes[0].real_memory_mb, 1000u);
}

TEST(SlurmConfTest, ReportsErrorsWithTheLine) {
  auto bad = [](const std::string& text) {
    auto c = Parse(text);
    EXPECT_FALSE(c.ok()) << text;
    return std::string(c.status().message());
  };
  EXPECT_THAT(bad("SlurmctldPort=abc\n"), HasSubstr("line 1"));
  EXPECT_THAT(bad("NodeName=n[1-\n"), HasSubstr("line 1"));
  EXPECT_THAT(bad("\nPartitionName=p Nodes=ghost\n"), HasSubstr("line 2"));
  EXPECT_THAT(bad("PartitionName=p MaxTime=soon\n"), HasSubstr("maxtime"));
  bad("NodeName=a CPUs=0\n");
  bad("NodeName=a[1-2] Port=[1-3]\n");
  bad("NodeName=a\nNodeName=a\n");
  bad("PartitionName=p State=SLEEPY\n");
  bad("AuthType=auth/none\n");
  bad("garbage\n");
  bad("Key=\"unterminated\n");
}

TEST(SlurmConfTest, ParsesGresConf) {
  auto g = ParseGresConfText(
      "AutoDetect=off\nNodeName=n[1-2] Name=gpu Type=h100 File=/dev/nvidia[0-3]\n");
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->size(), 1u);
  EXPECT_THAT((*g)[0].node_names, ElementsAre("n1", "n2"));
  EXPECT_EQ((*g)[0].files.size(), 4u);
  EXPECT_EQ((*g)[0].type, "h100");
  EXPECT_FALSE(ParseGresConfText("Name=gpu Count=x\n").ok());
  EXPECT_FALSE(ParseGresConfText("Name=gpu Colour=red\n").ok());
}

TEST(SlurmConfTest, ParsesGresStrings) {
  auto g = ParseGres("gpu:h100:2,gpu:a100:2");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(FormatGres(*g), "gpu:h100:2,gpu:a100:2");
  EXPECT_EQ((*ParseGres("gpu"))[0].count, 1u);
  EXPECT_FALSE(ParseGres("gpu:a:b:c").ok());
  EXPECT_FALSE(ParseGres(":1").ok());
}

}  // namespace
}  // namespace sluice::common
