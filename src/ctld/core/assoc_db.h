// The accounting associations sacctmgr manages (issue 13): accounts in a
// tree under "root", users with a default account, a default partition
// (Sluice's extension) and an admin level, and associations (account,
// user, partition) binding users to accounts. Slurm keeps these in
// slurmdbd; Sluice keeps them in the controller's store (Encode/Decode,
// one setting). Pure and deterministic; owned by the controller's strand,
// not thread-safe. Errors carry the text Slurm's sacctmgr prints.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/acct_limits.h"

namespace sluice::ctld {

enum class AdminLevel { kNone = 0, kOperator = 1, kAdministrator = 2 };
std::string AdminLevelName(AdminLevel l);  // "None", "Operator", "Administrator"

struct AcctAccount {
  std::string name, description, organization, parent;  // parent "" for root
};

struct AcctUser {
  std::string name, default_account, default_partition;
  AdminLevel admin = AdminLevel::kNone;
};

struct AcctAssoc {
  std::string account, user, partition;  // user "": the account's own
  common::AcctLimits limits;
  std::vector<std::string> qos = {"normal"};  // allowed QOS, by name, sorted
  // Slurm lists a user's newer associations first, those added together
  // in the order given: (request number, position in it).
  uint64_t batch = 0;
  uint32_t position = 0;
  std::string default_qos;  // DefaultQOS; "" none
  uint32_t shares = 1;      // FairShare= (Fair Tree's raw shares)
};

// A quality of service: limits (MaxJobs/MaxSubmitJobs/MaxTRESPU per
// user), a priority, and which QOS its jobs may preempt and how its own
// jobs are preempted ("cluster": slurm.conf's PreemptMode).
struct AcctQos {
  std::string name, description;
  uint32_t id = 0;  // creation order (normal is 1)
  common::AcctLimits limits;
  std::vector<std::string> preempt;
  std::string preempt_mode = "cluster";  // cluster|cancel|requeue|off
};

// Limit and QOS changes to associations or QOS: (key, sacctmgr's text)
// pairs applied in order, and the allowed QOS list set, added to or
// removed from (sacctmgr's qos=, qos+=, qos-=).
struct LimitChanges {
  std::vector<std::pair<const common::LimitKey*, std::string>> limits;
  char qos_op = 0;  // 0 none, '=', '+', '-'
  std::vector<std::string> qos;
  std::string qos_word;  // as typed ("qos+=gpu"), for a refusal's text
  std::optional<std::string> default_qos;  // associations: DefaultQOS ("" clears)
  std::optional<std::string> description, preempt_mode;  // QOS only
  std::optional<std::string> preempt;                    // QOS only: list
  std::optional<uint32_t> shares;                        // associations: FairShare=
  bool empty() const {
    return limits.empty() && !qos_op && !description && !preempt_mode && !preempt &&
           !default_qos && !shares;
  }
};

// What sacctmgr add account asks for; unset fields take Slurm's defaults
// (description: the name; organization: the parent's, or the name under
// root; parent: root).
struct AddAccountsSpec {
  std::vector<std::string> names;
  std::optional<std::string> description, organization, parent;
  std::optional<uint32_t> shares;  // FairShare= of the accounts' own associations
};

// sacctmgr add user: an association per (account, partition); a new user's
// default account is `default_account` or the first account.
struct AddUsersSpec {
  std::vector<std::string> names, accounts, partitions;  // partitions may be empty
  std::optional<std::string> default_account, default_partition;
  std::optional<AdminLevel> admin;
  std::optional<uint32_t> shares;  // FairShare= of the new associations
};

struct AddUsersOutcome {
  std::vector<std::string> new_users;  // not known before
  std::vector<AcctAssoc> assocs;       // created, in the order made
};

class AssocDb {
 public:
  explicit AssocDb(std::string cluster = "cluster");

  const std::string& cluster() const { return cluster_; }
  // Every account/user, by name.
  const std::map<std::string, AcctAccount>& accounts() const { return accounts_; }
  const std::map<std::string, AcctUser>& users() const { return users_; }
  // The associations in sacctmgr's listing order (the account tree depth
  // first: an account, its users' associations by user then newest first,
  // then its sub-accounts by name), each with its depth in the tree.
  std::vector<std::pair<AcctAssoc, int>> Listing() const;
  // The associations naming `user` (any partition).
  std::vector<AcctAssoc> UserAssocs(const std::string& user) const;
  AdminLevel LevelOf(const std::string& user) const;

  // The accounts added (those already there are left, as Slurm does);
  // FailedPrecondition " Nothing new added." when none is new.
  absl::StatusOr<std::vector<std::string>> AddAccounts(const AddAccountsSpec& spec);
  absl::StatusOr<AddUsersOutcome> AddUsers(const AddUsersSpec& spec);

  // sacctmgr modify user NAMES set ...: the users changed. A new default
  // account must be one the user is associated with.
  struct UserChanges {
    std::optional<std::string> default_account, default_partition;
    std::optional<AdminLevel> admin;
  };
  absl::StatusOr<std::vector<std::string>> ModifyUsers(const std::vector<std::string>& names,
                                                       const UserChanges& c);
  struct AccountChanges {
    std::optional<std::string> description, organization;
  };
  absl::StatusOr<std::vector<std::string>> ModifyAccounts(const std::vector<std::string>& names,
                                                          const AccountChanges& c);
  // sacctmgr delete user NAMES: the users and all their associations; with
  // `accounts`/`partitions`, only the associations those match (the users
  // stay). A user whose default account loses its last association with
  // them has none.
  struct Deleted {
    std::vector<std::string> users;   // whole users
    std::vector<AcctAssoc> assocs;    // associations alone
  };
  absl::StatusOr<Deleted> DeleteUsers(const std::vector<std::string>& names,
                                      const std::vector<std::string>& accounts,
                                      const std::vector<std::string>& partitions);
  // sacctmgr delete account NAMES: each account and every association in
  // its subtree (sub-accounts' records stay, as slurmdbd leaves them).
  absl::StatusOr<std::vector<std::string>> DeleteAccounts(const std::vector<std::string>& names);

  // QOS, by name; ordered by id where the listing needs it.
  const std::map<std::string, AcctQos>& qos() const { return qos_; }
  std::vector<const AcctQos*> QosInOrder() const;
  // sacctmgr add qos NAMES [settings]: the QOS added; " Nothing new added."
  absl::StatusOr<std::vector<std::string>> AddQos(const std::vector<std::string>& names,
                                                  const LimitChanges& c);
  absl::StatusOr<std::vector<std::string>> ModifyQos(const std::vector<std::string>& names,
                                                     const LimitChanges& c);
  // (normal cannot go; associations forget deleted QOS)
  absl::StatusOr<std::vector<std::string>> DeleteQos(const std::vector<std::string>& names);
  // sacctmgr modify user|account ... set LIMIT=...: the associations changed
  // (a user's every association; an account's own).
  absl::StatusOr<std::vector<AcctAssoc>> ModifyAssocs(const std::vector<std::string>& names,
                                                      bool users, const LimitChanges& c);
  // The association a job of (user, account, partition) charges: the one
  // naming the partition, else the user's partition-less one; nullptr.
  const AcctAssoc* FindAssoc(const std::string& user, const std::string& account,
                             const std::string& partition) const;
  // The account's own association; nullptr.
  const AcctAssoc* AccountAssoc(const std::string& account) const;

  // The store's form: one line per record, tab-separated fields.
  std::string Encode() const;
  static absl::StatusOr<AssocDb> Decode(const std::string& text);

 private:
  bool HasAssoc(const std::string& account, const std::string& user,
                const std::string& partition) const;
  void ForgetLostDefaults();

  std::string cluster_;
  std::map<std::string, AcctAccount> accounts_;
  std::map<std::string, AcctUser> users_;
  absl::Status ApplyLimits(AcctAssoc& a, const LimitChanges& c) const;
  absl::Status CheckQosNames(const std::vector<std::string>& names, const std::string& word) const;

  std::vector<AcctAssoc> assocs_;
  std::map<std::string, AcctQos> qos_;
  uint64_t next_batch_ = 1;
};

}  // namespace sluice::ctld
