// sacctmgr's changes to the associations (Controller, see controller.h):
// each is made on a copy, written to the store, and only then kept, so a
// failed write changes nothing.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/users.h"
#include "ctld/core/controller.h"

namespace sluice::ctld {

namespace {
constexpr char kAssocSetting[] = "associations";
}  // namespace

bool Controller::AcctAdmin(const common::Identity& who) const {
  if (who.uid == 0 || who.uid == own_uid_) return true;
  auto u = common::LookupUser(who.uid);
  return u && assocs_.LevelOf(u->name) >= AdminLevel::kOperator;
}

std::string Controller::UserDefaultPartition(const std::string& user) const {
  auto it = assocs_.users().find(user);
  return it == assocs_.users().end() ? "" : it->second.default_partition;
}

absl::Status Controller::ApplyAssociations(JobSpec& s,
                                           const std::vector<std::string>& partitions) const {
  if (!config_.AssociationsApply()) return absl::OkStatus();
  auto u = assocs_.users().find(s.user);
  if (s.account.empty() && u != assocs_.users().end()) s.account = u->second.default_account;
  s.account = absl::AsciiStrToLower(s.account);  // (as Slurm keeps account names)
  if (!config_.EnforceAssociations()) return absl::OkStatus();
  auto mine = assocs_.UserAssocs(s.user);
  for (const auto& part : partitions) {
    bool ok = std::any_of(mine.begin(), mine.end(), [&](const AcctAssoc& a) {
      return a.account == s.account && (a.partition.empty() || a.partition == part);
    });
    if (!ok || s.account.empty())
      return absl::PermissionDeniedError("Invalid account or account/partition combination specified");
  }
  return absl::OkStatus();
}

absl::Status Controller::CheckPartitionAccess(JobSpec& s) const {
  if (s.uid == 0 || s.uid == own_uid_) return absl::OkStatus();
  std::vector<std::string> groups;
  bool looked = false;
  std::vector<std::string> kept;
  std::string why;
  for (absl::string_view name : absl::StrSplit(s.partition, ',', absl::SkipEmpty())) {
    const auto* p = config_.FindPartition(name);
    if (!p) continue;
    if (!p->allow_groups.empty()) {
      if (!looked) {
        for (gid_t g : common::GroupsOf(s.user, s.gid)) groups.push_back(common::GroupName(g));
        groups.push_back(common::GroupName(s.gid));
        looked = true;
      }
      bool in = std::any_of(p->allow_groups.begin(), p->allow_groups.end(), [&](const std::string& g) {
        return std::find(groups.begin(), groups.end(), g) != groups.end();
      });
      if (!in) {
        if (why.empty()) why = "User's group not permitted to use this partition";
        continue;
      }
    }
    auto permitted = [](const std::vector<std::string>& allow, const std::vector<std::string>& deny,
                        const std::string& v) {
      return !allow.empty() ? std::find(allow.begin(), allow.end(), v) != allow.end()
                            : std::find(deny.begin(), deny.end(), v) == deny.end();
    };
    if (!permitted(p->allow_accounts, p->deny_accounts, s.account)) {
      if (why.empty()) why = "Invalid account or account/partition combination specified";
      continue;
    }
    // (a job without a QOS -- no accounting -- is not held to the lists)
    if (!s.qos.empty() && !permitted(p->allow_qos, p->deny_qos, s.qos)) {
      if (why.empty()) why = "Invalid qos specification";
      continue;
    }
    kept.push_back(std::string(name));
  }
  if (kept.empty() && !why.empty()) return absl::PermissionDeniedError(why);
  if (!why.empty()) s.partition = absl::StrJoin(kept, ",");
  return absl::OkStatus();
}

absl::Status Controller::SaveAssocs(const AssocDb& next) {
  if (auto st = store_->SaveSetting(kAssocSetting, next.Encode()); !st.ok())
    return absl::UnavailableError(" Problem talking to the database: " + std::string(st.message()));
  assocs_ = next;
  return absl::OkStatus();
}

absl::Status Controller::CommitAssocs(const AssocDb& next, const common::Identity& who,
                                      const std::string& denied) {
  if (!AcctAdmin(who)) return absl::PermissionDeniedError(denied);
  return SaveAssocs(next);
}

namespace {

// What slurmdbd answers a change that is not the caller's to make.
std::string NotYours(const std::string& call, const std::string& nothing) {
  return "sacctmgr: accounting_storage/slurmdbd: acct_storage_p_" + call +
         ": Request didn't affect anything or your user doesn't have privilege to perform this "
         "action\n " + nothing;
}

// Every sacctmgr change: made on a copy of `current`; with `commit`, the
// copy is handed to `keep` (which checks the caller and stores it); its
// refusal, or the change's own, is the answer.
template <typename T, typename Change, typename Keep>
absl::StatusOr<T> OnCopy(const AssocDb& current, bool commit, Change&& change, Keep&& keep) {
  AssocDb next = current;
  absl::StatusOr<T> r = change(next);
  if (!r.ok() || !commit) return r;
  if (absl::Status st = keep(next); !st.ok()) return st;
  return r;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> Controller::AddAccounts(const AddAccountsSpec& spec,
                                                                 const common::Identity& who,
                                                                 bool commit) {
  return OnCopy<std::vector<std::string>>(
      assocs_, commit, [&](AssocDb& d) { return d.AddAccounts(spec); }, [&](const AssocDb& n) {
        return CommitAssocs(n, who, " Problem adding accounts: Access/permission denied");
      });
}

absl::StatusOr<AddUsersOutcome> Controller::AddUsers(const AddUsersSpec& spec,
                                                     const common::Identity& who, bool commit) {
  return OnCopy<AddUsersOutcome>(
      assocs_, commit, [&](AssocDb& d) { return d.AddUsers(spec); }, [&](const AssocDb& n) {
        return CommitAssocs(n, who, " Problem adding users: Access/permission denied");
      });
}

absl::StatusOr<std::vector<std::string>> Controller::ModifyUsers(
    const std::vector<std::string>& names, const AssocDb::UserChanges& c,
    const common::Identity& who, bool commit) {
  return OnCopy<std::vector<std::string>>(
      assocs_, commit, [&](AssocDb& d) { return d.ModifyUsers(names, c); },
      [&](const AssocDb& n) { return CommitAssocs(n, who, NotYours("modify_users", "Nothing modified")); });
}

absl::StatusOr<std::vector<std::string>> Controller::ModifyAccounts(
    const std::vector<std::string>& names, const AssocDb::AccountChanges& c,
    const common::Identity& who, bool commit) {
  return OnCopy<std::vector<std::string>>(
      assocs_, commit, [&](AssocDb& d) { return d.ModifyAccounts(names, c); },
      [&](const AssocDb& n) {
        return CommitAssocs(n, who, NotYours("modify_accounts", "Nothing modified"));
      });
}

absl::StatusOr<AssocDb::Deleted> Controller::DeleteUsers(const std::vector<std::string>& names,
                                                         const std::vector<std::string>& accounts,
                                                         const std::vector<std::string>& partitions,
                                                         const common::Identity& who, bool commit) {
  return OnCopy<AssocDb::Deleted>(
      assocs_, commit, [&](AssocDb& d) { return d.DeleteUsers(names, accounts, partitions); },
      [&](const AssocDb& n) { return CommitAssocs(n, who, NotYours("remove_users", "Nothing deleted")); });
}

absl::StatusOr<std::vector<std::string>> Controller::DeleteAccounts(
    const std::vector<std::string>& names, const common::Identity& who, bool commit) {
  return OnCopy<std::vector<std::string>>(
      assocs_, commit, [&](AssocDb& d) { return d.DeleteAccounts(names); },
      [&](const AssocDb& n) {
        return CommitAssocs(n, who, NotYours("remove_accounts", "Nothing deleted"));
      });
}

absl::Status Controller::ChangeAssocs(const std::function<absl::Status(AssocDb&)>& change,
                                      const common::Identity& who, bool commit,
                                      const std::string& denied) {
  return OnCopy<bool>(
             assocs_, commit,
             [&](AssocDb& d) -> absl::StatusOr<bool> {
               if (auto st = change(d); !st.ok()) return st;
               return true;
             },
             [&](const AssocDb& n) { return CommitAssocs(n, who, denied); })
      .status();
}

}  // namespace sluice::ctld
