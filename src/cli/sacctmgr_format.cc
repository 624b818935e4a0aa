#include "cli/sacctmgr_format.h"

#include "common/acct_limits.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sluice::cli {
namespace {

using Row = MgrRow;

std::string Empty(const Row&) { return ""; }

std::string AdminName(uint32_t level) {
  return level == 2 ? "Administrator" : level == 1 ? "Operator" : "None";
}

std::string AccountOf(const Row& r) {
  std::string name = r.assoc ? r.assoc->account() : r.account ? r.account->name() : "";
  if (r.tree && r.assoc) name = std::string(r.assoc->depth(), ' ') + name;
  return name;
}

// A limit (common/acct_limits.h's canonical key) of the row's association
// or QOS, as the controller formatted it; `unset` where none is set.
std::function<std::string(const Row&)> Limit(const char* key, const char* unset = "") {
  return [key, unset](const Row& r) -> std::string {
    const auto* m = r.assoc ? &r.assoc->limits() : r.qos ? &r.qos->limits() : nullptr;
    if (!m) return "";
    auto it = m->find(key);
    return it == m->end() ? unset : it->second;
  };
}

std::function<std::string(const Row&)> Qos(std::string (*f)(const ::sluice::v1::AcctQosRecord&)) {
  return [f](const Row& r) { return r.qos ? f(*r.qos) : std::string(); };
}

// Every field any listing shows, once. (Shares are Slurm's default.)
const MgrField kCluster{"cluster", "Cluster", 10, [](const Row& r) { return r.cluster; }};
const MgrField kAccount{"account", "Account", 10, AccountOf};
const MgrField kDescr{"description", "Descr", 20,
                       [](const Row& r) { return r.account ? r.account->description() : ""; }};
const MgrField kOrg{"organization", "Org", 20,
                     [](const Row& r) { return r.account ? r.account->organization() : ""; }};
const MgrField kUser{"user", "User", 10, [](const Row& r) {
                        return r.user ? r.user->name() : r.assoc ? r.assoc->user() : "";
                      }};
const MgrField kDefAcct{"defaultaccount", "Def Acct", 10,
                         [](const Row& r) { return r.user ? r.user->default_account() : ""; }};
const MgrField kAdmin{"adminlevel", "Admin", 9,
                       [](const Row& r) { return r.user ? AdminName(r.user->admin_level()) : ""; }};
// Sluice's extension: the partition a user's jobs go to when they name none.
const MgrField kDefPart{"defaultpartition", "Def Part", 10,
                         [](const Row& r) { return r.user ? r.user->default_partition() : ""; }};
const MgrField kPartition{"partition", "Partition", 10,
                           [](const Row& r) { return r.assoc ? r.assoc->partition() : ""; }};
const MgrField kShare{"share", "Share", 9, [](const Row& r) {
                        return r.assoc ? common::FairShareText(r.assoc->shares()) : "";
                      }};
const MgrField kFairshare{"fairshare", "Share", 9, kShare.value};
const MgrField kPriority{"priority", "Priority", 10, [](const Row& r) {
                           return Limit("priority", r.qos ? "0" : "")(r);
                         }};
const MgrField kGrpJobs{"grpjobs", "GrpJobs", 7, Limit("grpjobs")};
const MgrField kGrpTres{"grptres", "GrpTRES", 13, Limit("grptres")};
const MgrField kGrpSubmit{"grpsubmitjobs", "GrpSubmit", 9, Limit("grpsubmitjobs")};
const MgrField kGrpWall{"grpwall", "GrpWall", 11, Empty};
const MgrField kGrpTresMins{"grptresmins", "GrpTRESMins", 13, Empty};
const MgrField kGrpTresRunMin{"grptresrunmins", "GrpTRESRunMin", 13, Empty};
const MgrField kMaxJobs{"maxjobs", "MaxJobs", 7, Limit("maxjobs")};
const MgrField kMaxTres{"maxtres", "MaxTRES", 13, Limit("maxtres")};
const MgrField kMaxTresPerNode{"maxtrespernode", "MaxTRESPerNode", 14, Empty};
const MgrField kMaxSubmit{"maxsubmitjobs", "MaxSubmit", 9, Limit("maxsubmitjobs")};
const MgrField kMaxWall{"maxwall", "MaxWall", 11, Limit("maxwall")};
const MgrField kMaxTresMins{"maxtresmins", "MaxTRESMins", 13, Empty};
const MgrField kMaxNodes{"maxnodes", "MaxNodes", 8, Empty};
const MgrField kMaxCpus{"maxcpus", "MaxCPUs", 8, Empty};
const MgrField kMaxCpuMins{"maxcpumins", "MaxCPUMins", 11, Empty};
const MgrField kQos{"qos", "QOS", 20, [](const Row& r) { return r.assoc ? r.assoc->qos() : ""; }};
const MgrField kDefQos{"defaultqos", "Def QOS", 9,
                       [](const Row& r) { return r.assoc ? r.assoc->default_qos() : ""; }};
// QOS listings (a QOS's MaxJobs/MaxSubmitJobs/MaxTRESPU count per user).
const MgrField kQosName{"name", "Name", 10, Qos([](const auto& q) { return q.name(); })};
const MgrField kQosDescr{"description", "Descr", 11, Qos([](const auto& q) { return q.description(); })};
const MgrField kGraceTime{"gracetime", "GraceTime", 10, Qos([](const auto&) { return std::string("00:00:00"); })};
const MgrField kPreempt{"preempt", "Preempt", 10, Qos([](const auto& q) { return q.preempt(); })};
const MgrField kPreemptExempt{"preemptexempttime", "PreemptExemptTime", 19, Empty};
const MgrField kPreemptMode{"preemptmode", "PreemptMode", 11, Qos([](const auto& q) { return q.preempt_mode(); })};
const MgrField kFlags{"flags", "Flags", 40, Empty};
const MgrField kUsageThres{"usagethreshold", "UsageThres", 10, Empty};
const MgrField kUsageFactor{"usagefactor", "UsageFactor", 11, Qos([](const auto&) { return std::string("1.000000"); })};
const MgrField kMaxTresPu{"maxtrespu", "MaxTRESPU", 13, Limit("maxtrespu")};
const MgrField kMaxJobsPu{"maxjobspu", "MaxJobsPU", 9, Limit("maxjobs")};
const MgrField kMaxSubmitPu{"maxsubmitpu", "MaxSubmitPU", 11, Limit("maxsubmitjobs")};
const MgrField kMaxTresPa{"maxtrespa", "MaxTRESPA", 13, Empty};
const MgrField kMaxJobsPa{"maxjobspa", "MaxJobsPA", 9, Empty};
const MgrField kMaxSubmitPa{"maxsubmitpa", "MaxSubmitPA", 11, Empty};
const MgrField kMinTres{"mintres", "MinTRES", 13, Empty};
// Cluster listings. RPC is the Slurm protocol version sacctmgr 22.05 shows
// for a 22.05 controller (Sluice speaks gRPC; the number is for tools).
const MgrField kControlHost{"controlhost", "ControlHost", 15, [](const Row& r) { return r.control_host; }};
const MgrField kControlPort{"controlport", "ControlPort", 12, [](const Row& r) {
                              return r.control_port ? std::to_string(r.control_port) : "";
                            }};
const MgrField kRpc{"rpc", "RPC", 5, [](const Row& r) { return r.control_port ? "9728" : ""; }};

const std::vector<const MgrField*>& Fields(MgrEntity e) {
  static const std::vector<const MgrField*> account = {&kAccount, &kDescr, &kOrg};
  static const std::vector<const MgrField*> user = {&kUser, &kDefAcct, &kAdmin, &kDefPart};
  static const std::vector<const MgrField*> user_assoc = {
      &kUser, &kDefAcct, &kAdmin, &kDefPart, &kCluster, &kAccount, &kPartition, &kShare,
      &kFairshare, &kPriority, &kMaxJobs, &kMaxNodes, &kMaxCpus, &kMaxSubmit, &kMaxWall,
      &kMaxCpuMins, &kQos, &kDefQos};
  static const std::vector<const MgrField*> assoc = {
      &kCluster, &kAccount, &kUser, &kPartition, &kShare, &kFairshare, &kPriority, &kGrpJobs,
      &kGrpTres, &kGrpSubmit, &kGrpWall, &kGrpTresMins, &kMaxJobs, &kMaxTres, &kMaxTresPerNode,
      &kMaxSubmit, &kMaxWall, &kMaxTresMins, &kQos, &kDefQos, &kGrpTresRunMin};
  static const std::vector<const MgrField*> qos = {
      &kQosName, &kQosDescr, &kPriority, &kGraceTime, &kPreempt, &kPreemptExempt, &kPreemptMode,
      &kFlags, &kUsageThres, &kUsageFactor, &kGrpTres, &kGrpTresMins, &kGrpTresRunMin, &kGrpJobs,
      &kGrpSubmit, &kGrpWall, &kMaxTres, &kMaxTresPerNode, &kMaxTresMins, &kMaxWall, &kMaxTresPu,
      &kMaxJobsPu, &kMaxSubmitPu, &kMaxTresPa, &kMaxJobsPa, &kMaxSubmitPa, &kMinTres};
  static const std::vector<const MgrField*> cluster = {
      &kCluster, &kControlHost, &kControlPort, &kRpc,   &kShare,     &kGrpJobs, &kGrpTres,
      &kGrpSubmit, &kMaxJobs,   &kMaxTres,     &kMaxSubmit, &kMaxWall, &kQos,     &kDefQos};
  switch (e) {
    case MgrEntity::kCluster: return cluster;
    case MgrEntity::kAccount: return account;
    case MgrEntity::kUser: return user;
    case MgrEntity::kQos: return qos;
    case MgrEntity::kUserWithAssoc: return user_assoc;
    default: return assoc;
  }
}

std::string Fit(const std::string& v, int width) {
  size_t w = static_cast<size_t>(std::abs(width));
  if (v.size() > w) return v.substr(0, w ? w - 1 : 0) + "+";
  std::string pad(w - v.size(), ' ');
  return width < 0 ? v + pad : pad + v;
}

}  // namespace

std::vector<const MgrField*> DefaultMgrFields(MgrEntity e) {
  switch (e) {
    case MgrEntity::kCluster: return Fields(e);
    case MgrEntity::kAccount: return {&kAccount, &kDescr, &kOrg};
    case MgrEntity::kUser: return {&kUser, &kDefAcct, &kAdmin};
    case MgrEntity::kQos:
      return {&kQosName,    &kPriority,     &kGraceTime,   &kPreempt,    &kPreemptExempt,
              &kPreemptMode, &kFlags,       &kUsageThres,  &kUsageFactor, &kGrpTres,
              &kGrpTresMins, &kGrpTresRunMin, &kGrpJobs,   &kGrpSubmit,  &kGrpWall,
              &kMaxTres,    &kMaxTresPerNode, &kMaxTresMins, &kMaxWall,  &kMaxTresPu,
              &kMaxJobsPu,  &kMaxSubmitPu,  &kMaxTresPa,   &kMaxJobsPa,  &kMaxSubmitPa,
              &kMinTres};
    case MgrEntity::kUserWithAssoc:
      return {&kUser, &kDefAcct, &kAdmin, &kCluster, &kAccount, &kPartition, &kShare, &kPriority,
              &kMaxJobs, &kMaxNodes, &kMaxCpus, &kMaxSubmit, &kMaxWall, &kMaxCpuMins, &kQos,
              &kDefQos};
    default:
      return {&kCluster, &kAccount, &kUser, &kPartition, &kShare, &kPriority, &kGrpJobs,
              &kGrpTres, &kGrpSubmit, &kGrpWall, &kGrpTresMins, &kMaxJobs, &kMaxTres,
              &kMaxTresPerNode, &kMaxSubmit, &kMaxWall, &kMaxTresMins, &kQos, &kDefQos,
              &kGrpTresRunMin};
  }
}

std::vector<MgrColumn> Columns(const std::vector<const MgrField*>& fields) {
  std::vector<MgrColumn> out;
  for (const MgrField* f : fields) out.push_back({f, f->width});
  return out;
}

absl::StatusOr<std::vector<MgrColumn>> ParseAcctMgrFormat(MgrEntity e, const std::string& spec) {
  std::vector<MgrColumn> out;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    std::string name(item.substr(0, item.find('%')));
    std::string lower = absl::AsciiStrToLower(name);
    const MgrField* found = nullptr;
    for (const MgrField* f : Fields(e))
      if (!lower.empty() && absl::string_view(f->name).substr(0, lower.size()) == lower) {
        found = f;
        break;
      }
    // (plural forms Slurm also takes: users, accounts, partitions)
    if (!found && lower.size() > 1 && lower.back() == 's')
      for (const MgrField* f : Fields(e))
        if (lower.substr(0, lower.size() - 1) == f->name) found = f;
    if (!found) return absl::InvalidArgumentError(absl::StrCat("Unknown field '", name, "'"));
    int width = found->width;
    if (size_t pct = item.find('%'); pct != absl::string_view::npos) {
      if (!absl::SimpleAtoi(item.substr(pct + 1), &width) || width == 0)
        return absl::InvalidArgumentError(absl::StrCat("Unknown field '", item, "'"));
    }
    out.push_back({found, width});
  }
  return out;
}

std::string RenderMgr(const std::vector<MgrColumn>& cols, const std::vector<MgrRow>& rows,
                       MgrLayout layout, bool no_header, bool tree) {
  auto width = [&](const MgrColumn& c) {
    // In a tree the Account column reads left to right, 20 wide.
    return tree && c.field == &kAccount && c.width == kAccount.width ? -20 : c.width;
  };
  auto line = [&](const std::function<std::string(const MgrColumn&)>& text) {
    std::vector<std::string> cells;
    for (const auto& c : cols) cells.push_back(text(c));
    if (layout == MgrLayout::kParsable2) return absl::StrJoin(cells, "|") + "\n";
    if (layout == MgrLayout::kParsable) return absl::StrJoin(cells, "|") + "|\n";
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) absl::StrAppend(&out, Fit(cells[i], width(cols[i])), " ");
    return out + "\n";
  };
  std::string out;
  if (!no_header) {
    out += line([](const MgrColumn& c) { return std::string(c.field->header); });
    if (layout == MgrLayout::kColumns)
      out += line([&](const MgrColumn& c) { return std::string(std::abs(width(c)), '-'); });
  }
  for (const MgrRow& r : rows) out += line([&](const MgrColumn& c) { return c.field->value(r); });
  return out;
}

}  // namespace sluice::cli
