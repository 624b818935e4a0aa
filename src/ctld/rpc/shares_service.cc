// ClientService::QueryShares (sshare and sprio): Fair Tree's figures per
// association and each pending job's priority factors, read on the strand
// (the tree is small; the factors are computed as a pass would).
// PrivateData=usage shows a non-operator only their own associations,
// PrivateData=jobs only their own jobs.
#include "absl/strings/str_cat.h"
#include "common/rpc/rpc_auth.h"
#include "common/users.h"
#include "ctld/rpc/client_service.h"

namespace sluice::ctld::rpc {

namespace v1 = ::sluice::v1;

namespace {

// Slurm's TRES order: cpu, mem, energy, node, billing (= cpu here),
// fs/disk, vmem, pages, then the GRES accounted.
std::string RunMinsText(const sched::TresCount& t, bool gpus) {
  std::string s = absl::StrCat("cpu=", t[common::kTresCpu], ",mem=", t[common::kTresMem],
                               ",energy=0,node=", t[common::kTresNode],
                               ",billing=", t[common::kTresCpu], ",fs/disk=0,vmem=0,pages=0");
  if (gpus) absl::StrAppend(&s, ",gres/gpu=", t[common::kTresGpu]);
  return s;
}

}  // namespace

grpc::Status ClientService::QueryShares(grpc::ServerContext* ctx, const v1::SharesRequest* req,
                                        v1::SharesReply* rep) {
  auto who = Admit(*ctx, "QueryShares", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  auto me = common::LookupUser(who->uid);
  const std::string caller = me ? me->name : std::to_string(who->uid);
  rep->set_caller(caller);
  runner_->RunRead([&](const Controller& c, int64_t now) {
    const PriorityConfig& p = c.priority_config();
    rep->set_multifactor(p.multifactor);
    rep->set_cluster(c.assocs().cluster());
    rep->set_weight_age(p.weight_age);
    rep->set_weight_assoc(p.weight_assoc);
    rep->set_weight_fairshare(p.weight_fairshare);
    rep->set_weight_job_size(p.weight_job_size);
    rep->set_weight_partition(p.weight_partition);
    rep->set_weight_qos(p.weight_qos);
    const bool own_usage = c.SeesOwnOnly("usage", *who);
    rep->set_private_usage(own_usage);
    const bool gpus = c.config().accounting_storage_tres.find("gres/gpu") != std::string::npos;
    const auto figures = c.Shares();
    const auto run = c.RunMinsByKey(now);
    // Users' TRES-minutes, summed up the tree for accounts (the rows are
    // depth first, so an account's subtree follows it).
    std::vector<sched::TresCount> mins(figures.size(), sched::TresCount{0, 0, 0, 0});
    for (size_t i = 0; i < figures.size(); ++i) {
      const auto& f = figures[i];
      if (!f.is_user) continue;
      auto it = run.find(UsageKey(f.account, f.user, f.partition));
      if (it == run.end()) continue;
      int depth = f.depth;
      for (int d = 0; d < common::kTresKinds; ++d) mins[i][d] += it->second[d];
      for (size_t k = i; k-- > 0;) {
        if (figures[k].is_user || figures[k].depth >= depth) continue;
        depth = figures[k].depth;
        for (int d = 0; d < common::kTresKinds; ++d) mins[k][d] += it->second[d];
      }
    }
    for (size_t i = 0; i < figures.size(); ++i) {
      const auto& f = figures[i];
      if (own_usage && (!f.is_user || f.user != caller)) continue;
      auto* r = rep->add_shares();
      r->set_account(f.account);
      r->set_user(f.user);
      r->set_partition(f.partition);
      r->set_depth(own_usage ? 0 : static_cast<uint32_t>(f.depth));
      r->set_raw_shares(f.raw_shares);
      r->set_norm_shares(f.norm_shares);
      r->set_raw_usage(f.raw_usage);
      r->set_norm_usage(f.norm_usage);
      r->set_effective_usage(f.effective_usage);
      r->set_level_fs(f.level_fs);
      r->set_fairshare(f.fairshare);
      r->set_tres_run_mins(RunMinsText(mins[i], gpus));
    }
    const bool own_jobs = c.SeesOwnOnly("jobs", *who);
    for (const auto& row : c.PriorityRows(now)) {
      const Job& j = *row.job;
      if (own_jobs && j.spec.uid != who->uid) continue;
      for (const auto& part : j.spec.Partitions()) {  // a line per partition, as Slurm
        auto* x = rep->add_jobs();
        x->set_job_id(j.id.value());
        x->set_partition(part);
        x->set_user(j.spec.user);
        x->set_uid(j.spec.uid);
        x->set_priority(j.priority);
        x->set_age(row.factors.age);
        x->set_assoc(row.factors.assoc);
        x->set_fairshare(row.factors.fairshare);
        x->set_job_size(row.factors.job_size);
        x->set_partition_factor(row.factors.partition);
        x->set_qos(row.factors.qos);
        x->set_nice(row.factors.nice);
      }
    }
  });
  return grpc::Status::OK;
}

}  // namespace sluice::ctld::rpc
