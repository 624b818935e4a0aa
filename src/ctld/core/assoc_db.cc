#include "ctld/core/assoc_db.h"

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sluice::ctld {

std::string AdminLevelName(AdminLevel l) {
  switch (l) {
    case AdminLevel::kOperator: return "Operator";
    case AdminLevel::kAdministrator: return "Administrator";
    default: return "None";
  }
}

AssocDb::AssocDb(std::string cluster) : cluster_(std::move(cluster)) {
  // What a fresh slurmdbd holds: the root account and user, their
  // associations.
  accounts_["root"] = {"root", "default root account", "root", ""};
  users_["root"] = {"root", "root", "", AdminLevel::kAdministrator};
  assocs_.push_back({"root", "", "", {}, {"normal"}, 0, 0});
  assocs_.push_back({"root", "root", "", {}, {"normal"}, 0, 0});
  AcctQos normal;
  normal.name = "normal";
  normal.description = "Normal QOS default";
  normal.id = 1;
  qos_["normal"] = normal;
}

namespace {

// A new association starts with the QOS its account's own has.
std::vector<std::string> InheritedQos(const std::vector<AcctAssoc>& assocs,
                                      const std::string& account) {
  for (const auto& a : assocs)
    if (a.account == account && a.user.empty()) return a.qos;
  return {"normal"};
}

}  // namespace

bool AssocDb::HasAssoc(const std::string& account, const std::string& user,
                       const std::string& partition) const {
  return std::any_of(assocs_.begin(), assocs_.end(), [&](const AcctAssoc& a) {
    return a.account == account && a.user == user && a.partition == partition;
  });
}

AdminLevel AssocDb::LevelOf(const std::string& user) const {
  auto it = users_.find(user);
  return it == users_.end() ? AdminLevel::kNone : it->second.admin;
}

std::vector<AcctAssoc> AssocDb::UserAssocs(const std::string& user) const {
  std::vector<AcctAssoc> out;
  for (const auto& a : assocs_)
    if (a.user == user) out.push_back(a);
  return out;
}

std::vector<std::pair<AcctAssoc, int>> AssocDb::Listing() const {
  std::vector<std::pair<AcctAssoc, int>> out;
  std::function<void(const std::string&, int)> walk = [&](const std::string& acct, int depth) {
    for (const auto& a : assocs_)
      if (a.account == acct && a.user.empty()) out.push_back({a, depth});
    std::vector<const AcctAssoc*> users;
    for (const auto& a : assocs_)
      if (a.account == acct && !a.user.empty()) users.push_back(&a);
    std::stable_sort(users.begin(), users.end(), [](const AcctAssoc* x, const AcctAssoc* y) {
      // By user; a user's newer requests first, each in its given order.
      return std::make_tuple(x->user, -static_cast<int64_t>(x->batch), x->position) <
             std::make_tuple(y->user, -static_cast<int64_t>(y->batch), y->position);
    });
    for (const AcctAssoc* a : users) out.push_back({*a, depth + 1});
    for (const auto& [name, child] : accounts_)  // (by name)
      if (child.parent == acct) walk(name, depth + 1);
  };
  walk("root", 0);
  return out;
}

absl::StatusOr<std::vector<std::string>> AssocDb::AddAccounts(const AddAccountsSpec& spec) {
  std::string parent = spec.parent ? absl::AsciiStrToLower(*spec.parent) : "root";
  if (!accounts_.count(parent))
    return absl::NotFoundError(absl::StrCat(" Parent account '", parent,
                                            "' doesn't exist on cluster ", cluster_,
                                            "\n        Contact your admin to add this account.\n"
                                            " No associations created."));
  std::vector<std::string> added;
  for (const std::string& raw : spec.names) {
    std::string name = absl::AsciiStrToLower(raw);
    if (name.empty() || accounts_.count(name)) continue;
    AcctAccount a;
    a.name = name;
    a.parent = parent;
    a.description = spec.description ? absl::AsciiStrToLower(*spec.description) : name;
    a.organization = spec.organization ? absl::AsciiStrToLower(*spec.organization)
                                       : (parent == "root" ? name : parent);
    accounts_[name] = a;
    assocs_.push_back({name, "", "", {}, InheritedQos(assocs_, parent), next_batch_,
                       static_cast<uint32_t>(added.size())});
    if (spec.shares) assocs_.back().shares = *spec.shares;
    added.push_back(name);
  }
  ++next_batch_;
  if (added.empty()) return absl::AlreadyExistsError(" Nothing new added.");
  return added;
}

absl::StatusOr<AddUsersOutcome> AssocDb::AddUsers(const AddUsersSpec& spec) {
  if (spec.names.empty()) return absl::InvalidArgumentError(" Need name of user to add.");
  std::vector<std::string> accounts;
  for (const auto& a : spec.accounts) accounts.push_back(absl::AsciiStrToLower(a));
  if (accounts.empty()) {
    // A user already known may take a default account's other partitions;
    // a new one needs an account.
    return absl::InvalidArgumentError(" Need name of account to add user to.");
  }
  for (const auto& a : accounts)
    if (!accounts_.count(a))
      return absl::NotFoundError(absl::StrCat(" This account '", a,
                                              "' doesn't exist.\n        Contact your admin to "
                                              "add this account.\n No associations or wckeys "
                                              "created."));
  std::string def_account =
      spec.default_account ? absl::AsciiStrToLower(*spec.default_account) : accounts[0];
  AddUsersOutcome out;
  std::vector<std::string> partitions = spec.partitions;
  if (partitions.empty()) partitions.push_back("");
  uint32_t position = 0;
  for (const std::string& user : spec.names) {
    if (user.empty()) continue;
    if (!users_.count(user)) {
      AcctUser u;
      u.name = user;
      u.default_account = def_account;
      u.default_partition = spec.default_partition.value_or("");
      u.admin = spec.admin.value_or(AdminLevel::kNone);
      users_[user] = u;
      out.new_users.push_back(user);
    } else if (spec.default_account) {
      users_[user].default_account = def_account;  // (as Slurm: a known user's is replaced)
    }
    for (const auto& acct : accounts)
      for (const auto& part : partitions) {
        if (HasAssoc(acct, user, part)) continue;
        AcctAssoc a{acct, user, part, {}, InheritedQos(assocs_, acct), next_batch_, position++};
        if (spec.shares) a.shares = *spec.shares;
        assocs_.push_back(a);
        out.assocs.push_back(a);
      }
  }
  ++next_batch_;
  if (out.new_users.empty() && out.assocs.empty())
    return absl::AlreadyExistsError(" Nothing new added.");
  return out;
}

absl::StatusOr<std::vector<std::string>> AssocDb::ModifyUsers(const std::vector<std::string>& names,
                                                              const UserChanges& c) {
  std::vector<std::string> found;
  for (const auto& n : names)
    if (users_.count(n)) found.push_back(n);
  if (found.empty()) return absl::NotFoundError(" Nothing modified");
  if (c.default_account) {
    std::string acct = absl::AsciiStrToLower(*c.default_account);
    std::string bad;
    for (const auto& n : found) {
      auto mine = UserAssocs(n);
      if (std::none_of(mine.begin(), mine.end(), [&](const AcctAssoc& a) { return a.account == acct; }))
        absl::StrAppend(&bad, "\n  U = ", n, " C = ", cluster_);
    }
    if (!bad.empty())
      return absl::FailedPreconditionError(absl::StrCat(
          " Can't modify because these users aren't associated with new default account '", acct,
          "'...", bad));
    for (const auto& n : found) users_[n].default_account = acct;
  }
  for (const auto& n : found) {
    if (c.default_partition) users_[n].default_partition = *c.default_partition;
    if (c.admin) users_[n].admin = *c.admin;
  }
  return found;
}

absl::StatusOr<std::vector<std::string>> AssocDb::ModifyAccounts(
    const std::vector<std::string>& names, const AccountChanges& c) {
  std::vector<std::string> found;
  for (const auto& raw : names) {
    auto it = accounts_.find(absl::AsciiStrToLower(raw));
    if (it == accounts_.end()) continue;
    if (c.description) it->second.description = absl::AsciiStrToLower(*c.description);
    if (c.organization) it->second.organization = absl::AsciiStrToLower(*c.organization);
    found.push_back(it->first);
  }
  if (found.empty()) return absl::NotFoundError(" Nothing modified");
  return found;
}

void AssocDb::ForgetLostDefaults() {
  for (auto& [name, u] : users_)
    if (std::none_of(assocs_.begin(), assocs_.end(), [&](const AcctAssoc& a) {
          return a.user == name && a.account == u.default_account;
        }))
      u.default_account.clear();
}

absl::StatusOr<AssocDb::Deleted> AssocDb::DeleteUsers(const std::vector<std::string>& names,
                                                      const std::vector<std::string>& accounts,
                                                      const std::vector<std::string>& partitions) {
  Deleted out;
  auto wanted = [](const std::vector<std::string>& list, const std::string& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  std::vector<std::string> accts;
  for (const auto& a : accounts) accts.push_back(absl::AsciiStrToLower(a));
  if (accts.empty() && partitions.empty()) {
    std::set<std::string> whole;
    for (const auto& n : names) {
      if (!users_.count(n) || !whole.insert(n).second) continue;
      users_.erase(n);
      out.users.push_back(n);
    }
    assocs_.erase(std::remove_if(assocs_.begin(), assocs_.end(),
                                 [&](const AcctAssoc& a) { return whole.count(a.user) > 0; }),
                  assocs_.end());
  } else {
    std::vector<AcctAssoc> keep;
    for (const auto& a : assocs_) {
      bool gone = !a.user.empty() && wanted(names, a.user) && wanted(accts, a.account) &&
                  wanted(partitions, a.partition);
      (gone ? out.assocs : keep).push_back(a);
    }
    assocs_ = std::move(keep);
  }
  if (out.users.empty() && out.assocs.empty()) return absl::NotFoundError(" Nothing deleted");
  ForgetLostDefaults();
  return out;
}

absl::StatusOr<std::vector<std::string>> AssocDb::DeleteAccounts(
    const std::vector<std::string>& names) {
  std::vector<std::string> gone;
  for (const auto& raw : names) {
    std::string name = absl::AsciiStrToLower(raw);
    if (name == "root" || !accounts_.count(name)) continue;
    gone.push_back(name);
  }
  if (gone.empty()) return absl::NotFoundError(" Nothing deleted");
  // Every association under a deleted account, sub-accounts' included.
  std::set<std::string> subtree(gone.begin(), gone.end());
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [n, a] : accounts_)
      if (subtree.count(a.parent) && subtree.insert(n).second) grew = true;
  }
  assocs_.erase(std::remove_if(assocs_.begin(), assocs_.end(),
                               [&](const AcctAssoc& a) { return subtree.count(a.account) > 0; }),
                assocs_.end());
  for (const auto& n : gone) accounts_.erase(n);
  ForgetLostDefaults();
  return gone;
}

namespace {

// Fields are tab-separated; a tab or newline in a value would break the
// line, so they are stored as spaces (sacctmgr values hold neither).
std::string Clean(std::string s) {
  std::replace(s.begin(), s.end(), '\t', ' ');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// Limits as "key=value;..." (sacctmgr's text, which SetLimit reads back).
std::string EncodeLimits(const common::AcctLimits& l) {
  std::vector<std::string> parts;
  for (const auto& k : common::LimitKeys())
    if (std::string v = common::LimitText(l, k); !v.empty()) parts.push_back(absl::StrCat(k.name, "=", v));
  return absl::StrJoin(parts, ";");
}

bool DecodeLimits(absl::string_view text, common::AcctLimits& l) {
  for (absl::string_view item : absl::StrSplit(text, ';', absl::SkipEmpty())) {
    size_t eq = item.find('=');
    if (eq == absl::string_view::npos) return false;
    const common::LimitKey* key = nullptr;
    for (const auto& k : common::LimitKeys())
      if (item.substr(0, eq) == k.name) key = &k;
    if (!key || !common::SetLimit(l, *key, item.substr(eq + 1)).ok()) return false;
  }
  return true;
}

std::vector<std::string> ListOf(absl::string_view text) {
  return absl::StrSplit(text, ',', absl::SkipEmpty());
}

}  // namespace

std::string AssocDb::Encode() const {
  std::string out = absl::StrCat("cluster\t", Clean(cluster_), "\t", next_batch_, "\n");
  for (const auto& [n, a] : accounts_)
    absl::StrAppend(&out, "account\t", Clean(a.name), "\t", Clean(a.description), "\t",
                    Clean(a.organization), "\t", Clean(a.parent), "\n");
  for (const auto& [n, u] : users_)
    absl::StrAppend(&out, "user\t", Clean(u.name), "\t", Clean(u.default_account), "\t",
                    Clean(u.default_partition), "\t", static_cast<int>(u.admin), "\n");
  for (const auto& a : assocs_)
    absl::StrAppend(&out, "assoc\t", Clean(a.account), "\t", Clean(a.user), "\t",
                    Clean(a.partition), "\t", a.batch, "\t", a.position, "\t",
                    EncodeLimits(a.limits), "\t", absl::StrJoin(a.qos, ","), "\t", a.default_qos,
                    "\t", a.shares, "\n");
  for (const auto& [n, q] : qos_)
    absl::StrAppend(&out, "qos\t", Clean(q.name), "\t", Clean(q.description), "\t", q.id, "\t",
                    EncodeLimits(q.limits), "\t", absl::StrJoin(q.preempt, ","), "\t",
                    q.preempt_mode, "\n");
  return out;
}

absl::StatusOr<AssocDb> AssocDb::Decode(const std::string& text) {
  AssocDb db;
  db.accounts_.clear();
  db.users_.clear();
  db.assocs_.clear();
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    auto bad = [&] {
      return absl::DataLossError(absl::StrCat("associations record, line ", line_no, ": ", line));
    };
    if (f[0] == "cluster" && f.size() == 3) {
      db.cluster_ = f[1];
      if (!absl::SimpleAtoi(f[2], &db.next_batch_)) return bad();
    } else if (f[0] == "account" && f.size() == 5) {
      db.accounts_[f[1]] = {f[1], f[2], f[3], f[4]};
    } else if (f[0] == "user" && f.size() == 5) {
      int level = 0;
      if (!absl::SimpleAtoi(f[4], &level) || level < 0 || level > 2) return bad();
      db.users_[f[1]] = {f[1], f[2], f[3], static_cast<AdminLevel>(level)};
    } else if (f[0] == "assoc" && (f.size() == 6 || f.size() == 8 || f.size() == 9 ||
                                   f.size() == 10)) {
      AcctAssoc a{f[1], f[2], f[3], {}, {"normal"}, 0, 0};
      if (!absl::SimpleAtoi(f[4], &a.batch) || !absl::SimpleAtoi(f[5], &a.position)) return bad();
      if (f.size() >= 8) {  // (records written before limits had 6 fields)
        if (!DecodeLimits(f[6], a.limits)) return bad();
        a.qos = ListOf(f[7]);
      }
      if (f.size() >= 9) a.default_qos = f[8];
      if (f.size() == 10 && !absl::SimpleAtoi(f[9], &a.shares)) return bad();
      db.assocs_.push_back(a);
    } else if (f[0] == "qos" && f.size() == 7) {
      AcctQos q;
      q.name = f[1];
      q.description = f[2];
      if (!absl::SimpleAtoi(f[3], &q.id) || !DecodeLimits(f[4], q.limits)) return bad();
      q.preempt = ListOf(f[5]);
      q.preempt_mode = f[6];
      db.qos_[q.name] = q;
    } else {
      return bad();
    }
  }
  if (!db.accounts_.count("root")) return absl::DataLossError("associations record without root");
  return db;
}

}  // namespace sluice::ctld
