// The controller tests' cluster: nodes n1 and n2 (8 CPUs, 4000 MB, 2 GPUs
// each) in the default partition g2.
#pragma once

#include "common/slurm_conf.h"

namespace sluice::ctld::testing {

inline common::SlurmConfig TwoNodeConfig() {
  common::SlurmConfig c;
  c.cluster_name = "test";
  c.kill_wait_s = 5;
  for (const char* n : {"n1", "n2"}) {
    common::NodeConf nc;
    nc.name = n;
    nc.addr = "127.0.0.1";
    nc.port = 7000;
    nc.cpus = 8;
    nc.real_memory_mb = 4000;
    nc.gres = {{"gpu", "", 2}};
    c.nodes.push_back(nc);
  }
  common::PartitionConf p;
  p.name = "g2";
  p.nodes = {"n1", "n2"};
  p.is_default = true;
  c.partitions.push_back(p);
  return c;
}

}  // namespace sluice::ctld::testing
