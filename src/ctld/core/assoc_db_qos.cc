// AssocDb's QOS records and the limit/QOS changes to associations (see
// assoc_db.h). Errors carry sacctmgr's text.
#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ctld/core/assoc_db.h"

namespace sluice::ctld {

std::vector<const AcctQos*> AssocDb::QosInOrder() const {
  std::vector<const AcctQos*> out;
  for (const auto& [n, q] : qos_) out.push_back(&q);
  std::sort(out.begin(), out.end(), [](const AcctQos* a, const AcctQos* b) { return a->id < b->id; });
  return out;
}

absl::Status AssocDb::CheckQosNames(const std::vector<std::string>& names,
                                    const std::string& word) const {
  for (const auto& n : names)
    if (!qos_.count(n)) {
      std::vector<std::string> valid;
      for (const AcctQos* q : QosInOrder()) valid.push_back(q->name);
      return absl::InvalidArgumentError(absl::StrCat("sacctmgr: error: You gave a bad qos '", n,
                                                     "'. Valid QOS's are ",
                                                     absl::StrJoin(valid, ","), word));
    }
  return absl::OkStatus();
}

namespace {

absl::Status SetAll(common::AcctLimits& l, const LimitChanges& c, common::LimitScope scope) {
  for (const auto& [key, value] : c.limits)
    if (auto st = common::SetLimit(l, *key, value, scope); !st.ok()) return st;
  return absl::OkStatus();
}

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

std::string UnknownOption(const std::string& word) {
  return word.empty() ? "" : "\n Unknown option: " + word + "\n Use keyword 'where' to modify condition";
}

std::vector<std::string> ListOfNames(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view n : absl::StrSplit(text, ',', absl::SkipEmpty()))
    out.push_back(absl::AsciiStrToLower(n));
  return out;
}

}  // namespace

absl::Status AssocDb::ApplyLimits(AcctAssoc& a, const LimitChanges& c) const {
  if (auto st = SetAll(a.limits, c, common::LimitScope::kAssoc); !st.ok()) return st;
  if (c.default_qos) a.default_qos = *c.default_qos;
  if (c.shares) a.shares = *c.shares;
  if (!c.qos_op) return absl::OkStatus();
  std::set<std::string> q(a.qos.begin(), a.qos.end());
  if (c.qos_op == '=') q.clear();
  for (const auto& n : c.qos) {
    if (c.qos_op == '-') q.erase(n);
    else q.insert(n);
  }
  a.qos.assign(q.begin(), q.end());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> AssocDb::AddQos(const std::vector<std::string>& names,
                                                         const LimitChanges& c) {
  if (names.empty()) return absl::InvalidArgumentError(" Need name of qos to add.");
  if (c.preempt) {
    if (auto st = CheckQosNames(ListOfNames(*c.preempt), ""); !st.ok()) return st;
  }
  std::vector<std::string> added;
  uint32_t next_id = 1;
  for (const auto& [n, q] : qos_) next_id = std::max(next_id, q.id + 1);
  for (const auto& raw : names) {
    std::string name = Lower(raw);
    if (name.empty() || qos_.count(name)) continue;
    AcctQos q;
    q.name = name;
    q.id = next_id++;
    q.description = c.description ? *c.description : name;
    if (auto st = SetAll(q.limits, c, common::LimitScope::kQos); !st.ok()) return st;
    if (c.preempt) q.preempt = ListOfNames(*c.preempt);
    if (c.preempt_mode) q.preempt_mode = Lower(*c.preempt_mode);
    qos_[name] = q;
    added.push_back(name);
  }
  if (added.empty()) return absl::AlreadyExistsError(" Nothing new added.");
  return added;
}

absl::StatusOr<std::vector<std::string>> AssocDb::ModifyQos(const std::vector<std::string>& names,
                                                            const LimitChanges& c) {
  if (c.preempt) {
    if (auto st = CheckQosNames(ListOfNames(*c.preempt), ""); !st.ok()) return st;
  }
  std::vector<std::string> found;
  for (const auto& raw : names) {
    auto it = qos_.find(Lower(raw));
    if (it == qos_.end()) continue;
    AcctQos& q = it->second;
    if (auto st = SetAll(q.limits, c, common::LimitScope::kQos); !st.ok()) return st;
    if (c.description) q.description = *c.description;
    if (c.preempt) q.preempt = ListOfNames(*c.preempt);
    if (c.preempt_mode) q.preempt_mode = Lower(*c.preempt_mode);
    found.push_back(q.name);
  }
  if (found.empty()) return absl::NotFoundError(" Nothing modified");
  return found;
}

absl::StatusOr<std::vector<std::string>> AssocDb::DeleteQos(const std::vector<std::string>& names) {
  std::vector<std::string> gone;
  for (const auto& raw : names) {
    std::string name = Lower(raw);
    if (name == "normal" || !qos_.count(name)) continue;
    gone.push_back(name);
  }
  if (gone.empty()) return absl::NotFoundError(" Nothing deleted");
  std::string defaults;  // associations whose default QOS would go
  for (const auto& a : assocs_)
    if (std::find(gone.begin(), gone.end(), a.default_qos) != gone.end()) {
      absl::StrAppend(&defaults, absl::StrFormat("  DefQOS = %-10s C = %-10s A = %-20s",
                                                 a.default_qos, cluster_, a.account));
      if (!a.user.empty()) absl::StrAppend(&defaults, absl::StrFormat(" U = %-9s", a.user));
      defaults += "\n";
    }
  if (!defaults.empty())
    return absl::FailedPreconditionError(
        " Associations listed below have these as their Default QOS.\n" + defaults +
        " Please either remove the qos' listed above from list and resubmit,\n or change the "
        "default qos to remove the qos.\n Changes Discarded");
  for (const auto& n : gone) qos_.erase(n);
  for (auto& a : assocs_)
    for (const auto& n : gone) a.qos.erase(std::remove(a.qos.begin(), a.qos.end(), n), a.qos.end());
  for (auto& [n, q] : qos_)
    for (const auto& g : gone)
      q.preempt.erase(std::remove(q.preempt.begin(), q.preempt.end(), g), q.preempt.end());
  return gone;
}

absl::StatusOr<std::vector<AcctAssoc>> AssocDb::ModifyAssocs(const std::vector<std::string>& names,
                                                             bool users, const LimitChanges& c) {
  if (c.qos_op) {
    if (auto st = CheckQosNames(c.qos, UnknownOption(c.qos_word)); !st.ok()) return st;
  }
  if (c.default_qos && !c.default_qos->empty() && !qos_.count(*c.default_qos))
    return absl::InvalidArgumentError(absl::StrCat(
        "You gave a bad default qos '", *c.default_qos, "'.  Use 'list qos' to get complete list."));
  // (account names are kept lower-case; user names as given)
  std::set<std::string> wanted;
  for (const auto& n : names) wanted.insert(users ? n : Lower(n));
  std::vector<AcctAssoc> changed;
  std::vector<AcctAssoc> next = assocs_;  // (kept only if all of it is allowed)
  for (auto& a : next) {
    bool named = users ? !a.user.empty() : a.user.empty();
    if (!named || !wanted.count(users ? a.user : a.account)) continue;
    if (auto st = ApplyLimits(a, c); !st.ok()) return st;
    changed.push_back(a);
  }
  if (changed.empty()) return absl::NotFoundError(" Nothing modified");
  // A default QOS must be one the association may use (the whole change
  // is then refused, as sacctmgr does).
  std::string lacking;
  for (const auto& a : changed)
    if (!a.default_qos.empty() &&
        std::find(a.qos.begin(), a.qos.end(), a.default_qos) == a.qos.end()) {
      absl::StrAppend(&lacking, absl::StrFormat("\n  DefQOS = %-10s C = %-10s A = %-20s ",
                                                a.default_qos, cluster_, a.account));
      if (!a.user.empty()) absl::StrAppend(&lacking, absl::StrFormat("U = %-9s", a.user));
    }
  if (!lacking.empty())
    return absl::FailedPreconditionError(
        " These associations don't have access to their default qos.\n Please give them access "
        "before they the default can be set to this." + lacking);
  assocs_ = std::move(next);
  return changed;
}

const AcctAssoc* AssocDb::FindAssoc(const std::string& user, const std::string& account,
                                    const std::string& partition) const {
  const AcctAssoc* any = nullptr;
  for (const auto& a : assocs_) {
    if (a.user != user || a.account != account) continue;
    if (a.partition == partition && !partition.empty()) return &a;
    if (a.partition.empty()) any = &a;
  }
  return any;
}

const AcctAssoc* AssocDb::AccountAssoc(const std::string& account) const {
  for (const auto& a : assocs_)
    if (a.account == account && a.user.empty()) return &a;
  return nullptr;
}

}  // namespace sluice::ctld
