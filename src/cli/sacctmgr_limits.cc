#include "cli/sacctmgr_limits.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "common/acct_limits.h"

namespace sluice::cli {

namespace v1 = ::sluice::v1;
using common::LimitScope;

bool QosSetting(const std::string& key, const std::string& value, v1::AcctMgrRequest* req) {
  std::string k = absl::AsciiStrToLower(key);
  if (k == "description" || k == "descr" || k == "preempt" || k == "preemptmode") {
    (*req->mutable_settings())[k == "descr" ? "description" : k] = value;
    return true;
  }
  if (common::FindLimitKey(k, LimitScope::kQos)) {
    (*req->mutable_settings())["limit:" + key] = value;
    return true;
  }
  std::fprintf(stderr, " Unknown option: %s=%s\n Use keyword 'where' to modify condition\n",
               key.c_str(), value.c_str());
  return false;
}

bool AssocSetting(const std::string& key, const std::string& value, v1::AcctMgrRequest* req) {
  std::string k = absl::AsciiStrToLower(key);
  if (k == "defaultqos") {
    (*req->mutable_settings())["defaultqos"] = value;
    return true;
  }
  if (k == "qos" || k == "qos+" || k == "qos-") {
    (*req->mutable_settings())[k] = value;
    return true;
  }
  if (!common::FindLimitKey(k, LimitScope::kAssoc)) return false;
  (*req->mutable_settings())["limit:" + key] = value;
  return true;
}

void PrintQosAdded(const v1::AcctMgrRequest& req, const v1::AcctMgrReply& rep) {
  std::printf(" Adding QOS(s)\n");
  for (const auto& n : rep.added()) std::printf("  %s\n", n.c_str());
  const auto& set = req.settings();
  auto line = [](const std::string& label, const std::string& value) {
    std::printf("  %-25s= %s\n", label.c_str(), value.c_str());
  };
  std::string descr = set.count("description")       ? set.at("description")
                      : rep.added_size() == 1 ? rep.added(0)
                                              : "QOS Name";
  std::printf(" Settings\n  Description    = %s\n", descr.c_str());
  // The limits given, as the controller keeps them, in the table's order;
  // the priority last, after preemption.
  common::AcctLimits l;
  for (const auto& [k, v] : set)
    if (absl::StartsWith(k, "limit:"))
      if (const auto* key = common::FindLimitKey(k.substr(6), LimitScope::kQos))
        (void)common::SetLimit(l, *key, v, LimitScope::kQos);
  const common::LimitKey* priority = nullptr;
  for (const auto& key : common::LimitKeys()) {
    if (std::string(key.name) == "priority") {
      priority = &key;
      continue;
    }
    if (std::string v = common::LimitText(l, key); !v.empty()) line(key.label, v);
  }
  if (set.count("preempt")) line("Preempt", absl::AsciiStrToLower(set.at("preempt")));
  if (set.count("preemptmode")) line("PreemptMode", absl::AsciiStrToUpper(set.at("preemptmode")));
  if (priority)
    if (std::string v = common::LimitText(l, *priority); !v.empty()) line("Priority", v);
}

void PrintModifiedAssocs(const std::string& entity, const v1::AcctMgrReply& rep) {
  std::printf(" Modified %s associations...\n", entity == "user" ? "user" : "account");
  for (const auto& a : rep.assocs()) {
    if (a.user().empty()) {
      std::string parent;
      for (const auto& acc : rep.accounts())
        if (acc.name() == a.account()) parent = acc.parent();
      std::printf("  C = %-10s A = %s of %s\n", rep.cluster().c_str(), a.account().c_str(),
                  parent.c_str());
    } else if (a.partition().empty()) {
      std::printf("  C = %-10s A = %-20s U = %-9s\n", rep.cluster().c_str(), a.account().c_str(),
                  a.user().c_str());
    } else {
      std::printf("  C = %-10s A = %-20s U = %-9s P = %s\n", rep.cluster().c_str(),
                  a.account().c_str(), a.user().c_str(), a.partition().c_str());
    }
  }
}

void PrintClusterModified(const v1::AcctMgrRequest& req, const v1::AcctMgrReply& rep) {
  std::printf(" Setting\n  Default Limits:\n");
  for (const auto& [k, v] : req.settings()) {
    const common::LimitKey* key =
        absl::StartsWith(k, "limit:") ? common::FindLimitKey(k.substr(6), LimitScope::kAssoc) : nullptr;
    std::string label = key ? key->assoc_label : k;
    std::printf("  %-14s= %s\n", label.c_str(), v == "-1" ? "NONE" : v.c_str());
  }
  std::printf(" Modified cluster defaults for associations...\n");
  std::printf("  C = %-10s A = root\n", rep.cluster().c_str());
}

}  // namespace sluice::cli
