#include "cli/sacctmgr_json.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "cli/data_doc.h"
#include "common/acct_limits.h"

namespace sluice::cli {

namespace v1 = ::sluice::v1;

namespace {

// The record's limits (canonical key -> sacctmgr's text) read back.
common::AcctLimits LimitsOf(const google::protobuf::Map<std::string, std::string>& m,
                            common::LimitScope scope) {
  common::AcctLimits l;
  for (const auto& key : common::LimitKeys())
    if (auto it = m.find(key.name); it != m.end()) (void)common::SetLimit(l, key, it->second, scope);
  return l;
}

// A TRES list: [{type, name, id, count}] for the kinds set.
DocArr TresList(const common::TresVec& t) {
  static const struct {
    const char* type;
    const char* name;
    int id;
  } kKinds[] = {{"cpu", "", 1}, {"mem", "", 2}, {"node", "", 4}, {"gres", "gpu", 1001}};
  DocArr out;
  for (int d = 0; d < common::kTresKinds; ++d)
    if (t[d] >= 0)
      out.push_back(DocObj{{"type", kKinds[d].type}, {"name", kKinds[d].name}, {"id", kKinds[d].id},
                           {"count", t[d]}});
  return out;
}

// An integer limit, or null when unset.
DocValue Opt(int64_t v) { return v < 0 ? DocValue() : DocValue(v); }

DocObj Short(const v1::AcctAssocRecord& a, const std::string& cluster) {
  return DocObj{{"account", a.account()}, {"cluster", cluster}, {"partition", a.partition()},
                {"user", a.user()}};
}

DocValue Assoc(const v1::AcctAssocRecord& a, const std::string& cluster,
               const std::map<std::string, std::string>& parents) {
  const common::AcctLimits l = LimitsOf(a.limits(), common::LimitScope::kAssoc);
  std::string parent = a.account();
  if (a.user().empty()) {
    auto it = parents.find(a.account());
    parent = it == parents.end() ? "" : it->second;
  }
  std::vector<std::string> qos = absl::StrSplit(a.qos(), ',', absl::SkipEmpty());
  return DocObj{
      {"account", a.account()},
      {"cluster", cluster},
      {"default", DocObj{{"qos", a.default_qos()}}},
      {"flags", DocArr{}},
      {"max", DocObj{{"jobs", DocObj{{"per", DocObj{{"count", Opt(l.max_jobs)},
                                                   {"submitted", Opt(l.max_submit)},
                                                   {"wall_clock", Opt(l.max_wall_min)}}},
                                    {"total", Opt(l.grp_jobs)},
                                    {"total_submitted", Opt(l.grp_submit)}}},
                     {"tres", DocObj{{"per", DocObj{{"job", TresList(l.max_tres)}, {"node", DocArr{}}}},
                                     {"total", TresList(l.grp_tres)}}}}},
      {"min", DocObj{{"priority_threshold", DocValue()}}},
      {"parent_account", parent},
      {"partition", a.partition()},
      {"priority", Opt(l.priority)},
      {"QOS", DocStrings(qos)},
      {"shares_raw", static_cast<int64_t>(a.shares())},
      {"user", a.user()},
  };
}

DocValue Qos(const v1::AcctQosRecord& q) {
  const common::AcctLimits l = LimitsOf(q.limits(), common::LimitScope::kQos);
  std::vector<std::string> preempt = absl::StrSplit(q.preempt(), ',', absl::SkipEmpty());
  return DocObj{
      {"description", q.description()},
      {"flags", DocArr{}},
      {"limits",
       DocObj{{"factor", 1.0},
              {"max", DocObj{{"wall_clock", DocObj{{"per", DocObj{{"job", Opt(l.max_wall_min)}}}}},
                             {"jobs", DocObj{{"active_jobs", DocObj{{"per", DocObj{{"user", Opt(l.max_jobs)}}}}},
                                             {"per", DocObj{{"user", Opt(l.max_submit)}}}}},
                             {"tres", DocObj{{"total", TresList(l.grp_tres)},
                                             {"per", DocObj{{"job", TresList(l.max_tres)},
                                                            {"user", TresList(l.max_tres_pu)}}}}}}}}},
      {"name", q.name()},
      {"preempt", DocObj{{"list", DocStrings(preempt)},
                         {"mode", DocStrings({absl::AsciiStrToUpper(q.preempt_mode())})}}},
      {"priority", Opt(l.priority)},
      {"usage_factor", 1.0},
  };
}

}  // namespace

std::string MgrDocument(MgrEntity e, const std::vector<MgrRow>& rows, const v1::AcctMgrReply& rep,
                        bool yaml) {
  std::map<std::string, std::string> parents;
  for (const auto& a : rep.accounts()) parents[a.name()] = a.parent();
  const std::string& cluster = rep.cluster();
  DocArr items;
  const char* key = "associations";
  for (const MgrRow& r : rows) {
    switch (e) {
      case MgrEntity::kAccount: {
        DocArr assocs;
        for (const auto& a : rep.assocs())
          if (a.account() == r.account->name() && a.user().empty()) assocs.push_back(Short(a, cluster));
        items.push_back(DocObj{{"associations", std::move(assocs)}, {"coordinators", DocArr{}},
                               {"description", r.account->description()}, {"flags", DocArr{}},
                               {"name", r.account->name()},
                               {"organization", r.account->organization()}});
        break;
      }
      case MgrEntity::kUser:
      case MgrEntity::kUserWithAssoc: {
        // (withassoc lists a user once per association: one entry each here)
        if (&r != &rows.front() && (&r - 1)->user == r.user) break;
        DocArr assocs;
        for (const auto& a : rep.assocs())
          if (a.user() == r.user->name()) assocs.push_back(Short(a, cluster));
        const uint32_t level = r.user->admin_level();
        items.push_back(DocObj{
            {"administrator_level", level == 2 ? "Administrator" : level == 1 ? "Operator" : "None"},
            {"associations", std::move(assocs)},
            {"coordinators", DocArr{}},
            // (partition: Sluice's default partition, an extension)
            {"default", DocObj{{"account", r.user->default_account()}, {"wckey", ""},
                               {"partition", r.user->default_partition()}}},
            {"flags", DocArr{}},
            {"name", r.user->name()}});
        break;
      }
      case MgrEntity::kQos:
        items.push_back(Qos(*r.qos));
        break;
      case MgrEntity::kCluster:
        items.push_back(DocObj{{"controller", DocObj{{"host", r.control_host}, {"port", r.control_port}}},
                               {"flags", DocArr{}},
                               {"name", r.cluster},
                               {"nodes", ""},
                               {"select_plugin", ""},
                               {"associations", DocObj{{"root", Short(*r.assoc, cluster)}}},
                               {"rpc_version", 9728},
                               {"tres", DocArr{}}});
        break;
      case MgrEntity::kAssoc:
        items.push_back(Assoc(*r.assoc, cluster, parents));
        break;
    }
  }
  if (e == MgrEntity::kAccount) key = "accounts";
  if (e == MgrEntity::kUser || e == MgrEntity::kUserWithAssoc) key = "users";
  if (e == MgrEntity::kQos) key = "qos";
  if (e == MgrEntity::kCluster) key = "clusters";
  DocValue doc = DataDocument("openapi/dbv0.0.38", "Slurm OpenAPI DB v0.0.38", key, std::move(items));
  return yaml ? DocYaml(doc) : DocJson(doc);
}

}  // namespace sluice::cli
