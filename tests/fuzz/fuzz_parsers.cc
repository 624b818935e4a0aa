// A self-contained mutation fuzzer for every parser: hostlists, times,
// sizes, slurm.conf, gres.conf, #SBATCH directives and squeue formats. It
// only checks that each parser returns (a value or an error) without
// crashing or hanging; run it under ASan for more. Deterministic for a given
// --seed, so a CI failure reproduces.
#include <cstdio>
#include <cstring>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "common/acct_limits.h"
#include "common/array_spec.h"
#include "common/begin_time.h"
#include "common/cpu_bind.h"
#include "common/multi_prog.h"
#include "cli/sacct_fields.h"
#include "cli/sacctmgr_format.h"
#include "ctld/core/assoc_db.h"
#include "ctld/core/priority.h"
#include "cli/sprio_format.h"
#include "cli/sshare_format.h"
#include "cli/array_ids.h"
#include "cli/cli_util.h"
#include "cli/user_env.h"
#include "cli/sbatch_options.h"
#include "cli/scancel_select.h"
#include "cli/sinfo_fields.h"
#include "cli/squeue_format.h"
#include "common/cgroup_conf.h"
#include "common/io_frames.h"
#include "nodedaemon/core/step_files.h"
#include "common/hostlist.h"
#include "common/output_pattern.h"
#include "common/sizes.h"
#include "common/slurm_conf.h"
#include "common/time_spec.h"

namespace {

const std::vector<std::string> kSeeds = {
    "mlmini-g2-ghpc-[0-1,5]", "account%5,user%-3,fairs", "%.15i %9r %10y %Z", "parent",
    "last\t5\nusage\tml\x1f" "alice\x1f\t12.5\n", "n[01-10]", "a[1-2]b[3-4]", "x,y[1-3]",
    "1-02:03:04", "10:30", "UNLIMITED", "-5", "100G", "4000", "1KB",
    "NodeName=n[1-4] CPUs=8 Gres=gpu:h100:4 Port=[1-4]\nPartitionName=p Nodes=ALL\n",
    "Include x\nClusterName=a \\\n b\n", "AuthInfo=socket=/x,ttl=5\n",
    "NodeName=n1 Name=gpu Type=a File=/dev/nvidia[0-3]\n",
    "#!/bin/bash\n#SBATCH -J 'a b' --time=5\n#SBATCH \"--x\n",
    "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R", "%-5%%.%9999999Z", "%N-%u-%5j%",
    "ConstrainCores=yes\nAllowedRAMSpace=95.5\nCgroupPlugin=cgroup/v2\n",
    "NodeList:20,GresUsed:.10,GpuUtil", "%P %.5a %10l %N %G",
    "job_id=5\nenv=A\\nB\ncpu_ids=0,1\nstep=0\nargv=true\n", "exit_code=0\nmessage=\\x41\n",
    "--signal=B:USR1@60", "--signal=R:12", "cpu=4,mem=8G,node=2,gres/gpu=1", "1-02:03:00",
    "cluster\tc\t2\naccount\troot\tr\tr\t\nassoc\troot\t\t\t0\t0\tmaxjobs=3;grptres=cpu=4\tnormal\n"
    "qos\tnormal\tn\t1\tpriority=5\t\tcluster\n",
    std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x05n1\nAB\x04\x00\x00\x00\x01\x00\x00\x00\x06" "exit 3", 29),
};

std::string Mutate(std::mt19937_64& rng, std::string s) {
  static const char kAlphabet[] = "[]-,:%.0123456789abcXYZ=\\\"' \n#!$G";
  int edits = 1 + static_cast<int>(rng() % 6);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0:
        s.insert(pos, 1, kAlphabet[rng() % (sizeof kAlphabet - 1)]);
        break;
      case 1:
        if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 3);
        break;
      case 2:
        if (pos < s.size()) s[pos] = static_cast<char>(rng() % 256);
        break;
      default: {
        const std::string& other = kSeeds[rng() % kSeeds.size()];
        s.insert(pos, other.substr(0, rng() % (other.size() + 1)));
      }
    }
  }
  if (s.size() > 4096) s.resize(4096);
  return s;
}

void RunOne(const std::string& in) {
  using namespace sluice;
  (void)common::ExpandHostlist(in, 10000);
  if (auto h = common::ExpandHostlist(in, 10000); h.ok())
    (void)common::CompressHostlist(*h);
  (void)common::ParseTimeLimit(in);
  (void)common::ParseMemoryMB(in);
  (void)common::ParseGres(in);
  (void)common::ParseGresConfText(in);
  (void)common::ParseSlurmConfText(
      in, "/nonexistent", [](const std::string&) -> absl::StatusOr<std::string> {
        return absl::NotFoundError("no includes while fuzzing");
      });
  (void)common::ExpandOutputPattern(in, {1, "n", "u", "h"});
  (void)common::ExpandArrayEscapes(in, 7, 3);
  (void)common::ExpandStepIoPattern(in, 1, 0, 2, 1, "n");
  // Issue 11's parsers: arrays, task selections, --begin, --multi-prog,
  // --cpu-bind, -m, counts, job selectors, --get-user-env.
  if (auto a = common::ParseArraySpec(in, 100001); a.ok()) {
    common::ArrayIndexSet set = a->indexes;
    (void)set.Format();
    auto back = common::ParseTaskSelection(set.Encode());
    if (!back.ok() || !(*back == set)) std::abort();  // Encode must read back exactly
    if (!set.empty()) {
      set.Remove(set.Max());
      if (!set.empty()) (void)set.PopFirst();
    }
  }
  (void)common::ParseTaskSelection(in);
  (void)common::ParseBeginTime(in, 1'800'000'000);
  if (auto m = common::ParseMultiProg(in, "f", 4); m.ok()) (void)common::MultiProgArgv(*m, 3);
  if (auto b = common::ParseCpuBind(in); b.ok())
    (void)common::CpusForTask(*b, {0, 1, 2, 3}, 1, 2);
  (void)cli::ParseDistribution(in);
  {
    uint32_t lo, hi, n;
    (void)cli::ParseNodeCount(in, &lo, &hi);
    (void)cli::ParsePositive(in, "--ntasks", &n);
  }
  (void)cli::ParseJobSelector(in);
  (void)cli::ParseAcctJobPick(in);
  (void)cli::ParseAcctFormat(in);
  for (auto e : {cli::MgrEntity::kAccount, cli::MgrEntity::kUser, cli::MgrEntity::kAssoc,
                 cli::MgrEntity::kQos})
    (void)cli::ParseAcctMgrFormat(e, in);
  if (auto db = ctld::AssocDb::Decode(in); db.ok()) {
    // What was read must write back and read again the same.
    auto again = ctld::AssocDb::Decode(db->Encode());
    if (!again.ok() || again->Encode() != db->Encode()) std::abort();
  }
  if (auto t = common::ParseTres(in); t.ok()) {
    auto back = common::ParseTres(common::FormatTres(*t));
    if (!back.ok() || *back != *t) std::abort();
  }
  for (const auto& key : common::LimitKeys()) {
    common::AcctLimits l;
    if (common::SetLimit(l, key, in).ok()) {
      common::AcctLimits again;
      std::string text = common::LimitText(l, key);
      if (!text.empty() && (!common::SetLimit(again, key, text).ok() || !(again == l))) std::abort();
    }
  }
  if (auto shares = common::ParseFairShare(in); shares.ok()) {
    auto back = common::ParseFairShare(common::FairShareText(*shares));
    if (!back.ok() || *back != *shares) std::abort();
  }
  if (auto l = ctld::UsageLedger::Decode(in, 100); l.ok()) {
    auto again = ctld::UsageLedger::Decode(l->Encode(), 100);
    if (!again.ok() || again->Encode() != l->Encode()) std::abort();
  }
  if (auto cols = cli::ParseShareFormat(in); cols.ok()) {
    ::sluice::v1::ShareRecord r;
    r.set_account(in);
    (void)cli::FormatShares(*cols, {&r}, in, cli::ShareLayout::kTable, true, {3});
  }
  if (auto f = cli::ParsePrioFormat(in); f.ok()) {
    ::sluice::v1::SharesReply w;
    ::sluice::v1::JobPriorityRecord j;
    j.set_partition(in);
    (void)cli::PrioHeader(*f);
    (void)cli::PrioLine(*f, j, w);
    (void)cli::PrioWeights(*f, w);
  }
  (void)cli::SplitJobList(in);
  (void)cli::ParseGetUserEnv(in);
  (void)cli::ExtractDirectives(in);
  (void)cli::CheckScript(in);
  (void)common::ParseCgroupConfText(in);
  {
    // srun's and the stepd's frame decoder, fed in two pieces.
    common::FrameDecoder d;
    d.Feed(in.data(), in.size() / 2);
    while (d.Next()) {
    }
    d.Feed(in.data() + in.size() / 2, in.size() - in.size() / 2);
    while (d.Next()) {
    }
  }
  (void)node::DecodeStepSpec(in);
  (void)node::DecodeStepResult(in);
  ::sluice::v1::QueryClusterReply cluster;
  auto* n = cluster.add_nodes();
  n->set_name("n1");
  auto* p = cluster.add_partitions();
  p->set_name("p");
  p->add_nodes("n1");
  for (auto f : {cli::ParseSinfoFormat(in), cli::ParseSinfoLongFormat(in)})
    if (f.ok()) (void)cli::SinfoFormatted(cluster, *f, in.size() % 2, false);
  {
    cli::JobOptions o;
    for (auto cmd : {cli::kSbatch, cli::kSrun, cli::kSalloc}) {
      o = cli::JobOptions();
      (void)cli::ParseJobArgs(cmd, {in, "--wrap", "true"}, &o);
      (void)cli::FinishOptions(cmd, &o);
    }
  }
  auto items = cli::ParseSqueueFormat(in);
  ::sluice::v1::JobInfo j;
  j.set_job_id(1);
  (void)cli::SqueueHeader(items);
  (void)cli::SqueueRow(items, j, 0);
  j.set_array_job_id(1);
  j.set_array_task_id(-1);
  j.set_array_pending(in);  // what the controller sends is trusted, but never crashes
  (void)cli::SqueueRow(items, j, 0);
  {
    std::vector<std::string> unknown;
    auto long_items = cli::ParseSqueueLongFormat(in, &unknown);
    (void)cli::SqueueHeader(long_items);
    (void)cli::SqueueRow(long_items, j, 0);
  }
  {
    ::sluice::v1::JobInfo k;
    k.set_job_id(2);
    std::vector<const ::sluice::v1::JobInfo*> rows = {&j, &k};
    (void)cli::SortJobsBy(&rows, in, 0);
    (void)cli::ParseCancelState(in);
  }
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 10000;
  unsigned long seed = 1;
  double seconds = 0;  // > 0: stop after this long, whatever the count
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--iterations")) iterations = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) seed = std::strtoul(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  std::mt19937_64 rng(seed);
  for (const auto& s : kSeeds) RunOne(s);
  for (long i = 0; i < iterations; ++i) {
    if (seconds > 0 && (i & 15) == 0 && std::chrono::steady_clock::now() > deadline) {
      iterations = i;
      break;
    }
    std::string in = Mutate(rng, kSeeds[rng() % kSeeds.size()]);
    RunOne(in);
  }
  std::printf("fuzz_parsers: %ld inputs, no crash (seed %lu)\n", iterations, seed);
  return 0;
}
