// ClientService::AcctMgr (sacctmgr): the associations listed from the
// strand's copy, or accounts and users added there. The request's words
// become core specs here; the core checks and applies them.
#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/rpc/rpc_auth.h"
#include "common/users.h"
#include "ctld/rpc/client_service.h"

namespace sluice::ctld::rpc {

namespace v1 = ::sluice::v1;

namespace {

std::optional<std::string> Setting(const v1::AcctMgrRequest& r, const char* key) {
  auto it = r.settings().find(key);
  if (it == r.settings().end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> List(const std::optional<std::string>& v) {
  if (!v) return {};
  return absl::StrSplit(*v, ',', absl::SkipEmpty());
}

std::optional<AdminLevel> Level(const std::string& text) {
  std::string l = absl::AsciiStrToLower(text);
  if (l == "none") return AdminLevel::kNone;
  if (l == "operator") return AdminLevel::kOperator;
  if (l == "administrator" || l == "admin") return AdminLevel::kAdministrator;
  return std::nullopt;
}

void PutLimits(const common::AcctLimits& l, google::protobuf::Map<std::string, std::string>* out) {
  for (const auto& k : common::LimitKeys())
    if (std::string v = common::LimitText(l, k); !v.empty()) (*out)[k.name] = v;
}

v1::AcctAssocRecord* AddAssoc(const AcctAssoc& a, v1::AcctMgrReply* rep) {
  auto* p = rep->add_assocs();
  p->set_account(a.account);
  p->set_user(a.user);
  p->set_partition(a.partition);
  PutLimits(a.limits, p->mutable_limits());
  p->set_qos(absl::StrJoin(a.qos, ","));
  p->set_default_qos(a.default_qos);
  p->set_shares(a.shares);
  return p;
}

// sacctmgr's three lines for a FairShare= that is not a number.
absl::Status FairShareRefusal(const std::string& key, const std::string& value) {
  return absl::InvalidArgumentError(absl::StrCat("sacctmgr: error: Invalid value for FairShare (",
                                                 value, ")\n Unknown option: ", key, "=", value,
                                                 "\n Use keyword 'where' to modify condition"));
}

// The add's FairShare=, if given; a refusal is put in `rep`.
bool AddShares(const v1::AcctMgrRequest& r, std::optional<uint32_t>* out, v1::AcctMgrReply* rep) {
  auto v = Setting(r, "fairshare");
  if (!v) return true;
  auto shares = common::ParseFairShare(*v);
  if (!shares.ok()) {
    rep->set_error(std::string(FairShareRefusal("fairshare", *v).message()));
    return false;
  }
  *out = *shares;
  return true;
}

// The limit and QOS settings of a request; a value that does not parse
// is refused with sacctmgr's text (the "Unknown option" lines after a
// modify's).
absl::StatusOr<LimitChanges> Changes(const v1::AcctMgrRequest& r, common::LimitScope scope,
                                     bool modify) {
  LimitChanges c;
  std::vector<std::pair<std::string, std::string>> sorted(r.settings().begin(), r.settings().end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [k, v] : sorted) {
    std::string suffix =
        modify ? "\n Unknown option: " + k.substr(k.find(':') + 1) + "=" + v +
                     "\n Use keyword 'where' to modify condition"
               : "";
    if (absl::StartsWith(k, "limit:")) {
      const common::LimitKey* key = common::FindLimitKey(k.substr(6), scope);
      if (!key) return absl::InvalidArgumentError(" Unknown option: " + k.substr(6) + "=" + v);
      common::AcctLimits scratch;
      if (auto st = common::SetLimit(scratch, *key, v, scope); !st.ok())
        return absl::InvalidArgumentError(
            std::string(st.message()) +
            (absl::StartsWith(st.message(), " Bad") ? std::string() : suffix));
      c.limits.push_back({key, v});
    } else if (k == "qos" || k == "qos+" || k == "qos-") {
      c.qos_op = k.size() == 3 ? '=' : k[3];
      for (absl::string_view n : absl::StrSplit(v, ',', absl::SkipEmpty()))
        c.qos.push_back(absl::AsciiStrToLower(n));
      c.qos_word = k + "=" + v;
    } else if (k == "defaultqos" && scope == common::LimitScope::kAssoc) {
      c.default_qos = absl::AsciiStrToLower(v);
    } else if (k == "preempt") {
      c.preempt = v;
    } else if (k == "preemptmode") {
      std::string m = absl::AsciiStrToLower(v);
      if (m != "cluster" && m != "cancel" && m != "requeue" && m != "off")
        return absl::InvalidArgumentError(" Unknown PreemptMode: " + v + suffix);
      c.preempt_mode = m;
    } else if (k == "description" && scope == common::LimitScope::kQos) {
      c.description = v;
    } else if (k == "fairshare" && scope == common::LimitScope::kAssoc) {
      auto shares = common::ParseFairShare(v);
      if (!shares.ok()) return FairShareRefusal(k, v);
      c.shares = *shares;
    }
  }
  return c;
}

// What a caller under PrivateData may see: `user` only (and their own
// associations with the accounts above them); everything when `user` is
// unset.
void Fill(const AssocDb& db, v1::AcctMgrReply* rep, const std::optional<std::string>& user = {}) {
  std::set<std::string> above;  // accounts over the user's associations
  if (user)
    for (const auto& a : db.UserAssocs(*user))
      for (std::string acct = a.account; !acct.empty() && above.insert(acct).second;) {
        auto it = db.accounts().find(acct);
        acct = it == db.accounts().end() ? "" : it->second.parent;
      }
  for (const auto& [name, a] : db.accounts()) {
    if (user) break;
    auto* p = rep->add_accounts();
    p->set_name(a.name);
    p->set_description(a.description);
    p->set_organization(a.organization);
    p->set_parent(a.parent);
  }
  for (const auto& [name, u] : db.users()) {
    if (user && name != *user) continue;
    auto* p = rep->add_users();
    p->set_name(u.name);
    p->set_default_account(u.default_account);
    p->set_default_partition(u.default_partition);
    p->set_admin_level(static_cast<uint32_t>(u.admin));
  }
  for (const auto& [a, depth] : db.Listing()) {
    if (user && (a.user.empty() ? !above.count(a.account) : a.user != *user)) continue;
    AddAssoc(a, rep)->set_depth(static_cast<uint32_t>(depth));
  }
  for (const AcctQos* q : db.QosInOrder()) {
    auto* p = rep->add_qos();
    p->set_name(q->name);
    p->set_description(q->description);
    PutLimits(q->limits, p->mutable_limits());
    p->set_preempt(absl::StrJoin(q->preempt, ","));
    p->set_preempt_mode(q->preempt_mode);
  }
}

// What slurmdbd answers a QOS change by someone who may not make it.
constexpr char kQosDenied[] =
    "sacctmgr: error: Your user doesn't have privilege to perform this action\n"
    " Error with request: Access/permission denied";

}  // namespace

grpc::Status ClientService::AcctMgr(grpc::ServerContext* ctx, const v1::AcctMgrRequest* req,
                                    v1::AcctMgrReply* rep) {
  auto who = Admit(*ctx, "AcctMgr", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  const std::string verb = absl::AsciiStrToLower(req->verb());
  const std::string entity = absl::AsciiStrToLower(req->entity());
  if (verb == "list") {
    runner_->RunRead([&](const Controller& c, int64_t) {
      rep->set_cluster(c.assocs().cluster());
      // PrivateData=users|accounts: a non-operator sees their own user and
      // associations; listing accounts is refused, as slurmdbd does.
      bool users = c.SeesOwnOnly("users", *who), accounts = c.SeesOwnOnly("accounts", *who);
      if (accounts && entity == "account") {
        rep->set_error("sacctmgr: error: Access/permission denied\n Problem with query.");
        return;
      }
      std::optional<std::string> only;
      if (users || accounts) {
        auto u = common::LookupUser(who->uid);
        only = u ? u->name : std::to_string(who->uid);
      }
      Fill(c.assocs(), rep, only);
    });
    return grpc::Status::OK;
  }
  if (verb == "add" && entity == "account") {
    AddAccountsSpec spec;
    spec.names.assign(req->names().begin(), req->names().end());
    spec.description = Setting(*req, "description");
    spec.organization = Setting(*req, "organization");
    spec.parent = Setting(*req, "parent");
    if (!AddShares(*req, &spec.shares, rep)) return grpc::Status::OK;
    absl::StatusOr<std::vector<std::string>> added;
    runner_->Run([&](Controller& c, int64_t) {
      rep->set_cluster(c.assocs().cluster());
      added = c.AddAccounts(spec, *who, !req->dry_run());
    });
    if (!added.ok()) rep->set_error(std::string(added.status().message()));
    else for (const auto& n : *added) rep->add_added(n);
    return grpc::Status::OK;
  }
  if (verb == "add" && entity == "user") {
    AddUsersSpec spec;
    spec.names.assign(req->names().begin(), req->names().end());
    spec.accounts = List(Setting(*req, "account"));
    spec.partitions = List(Setting(*req, "partition"));
    spec.default_account = Setting(*req, "defaultaccount");
    spec.default_partition = Setting(*req, "defaultpartition");
    if (!AddShares(*req, &spec.shares, rep)) return grpc::Status::OK;
    if (auto level = Setting(*req, "adminlevel")) {
      spec.admin = Level(*level);
      if (!spec.admin) {
        rep->set_error(" Bad AdminLevel: " + *level);
        return grpc::Status::OK;
      }
    }
    absl::StatusOr<AddUsersOutcome> out;
    runner_->Run([&](Controller& c, int64_t) {
      rep->set_cluster(c.assocs().cluster());
      out = c.AddUsers(spec, *who, !req->dry_run());
    });
    if (!out.ok()) {
      rep->set_error(std::string(out.status().message()));
      return grpc::Status::OK;
    }
    for (const auto& n : out->new_users) rep->add_added(n);
    for (const auto& a : out->assocs) AddAssoc(a, rep);
    return grpc::Status::OK;
  }
  const std::vector<std::string> names(req->names().begin(), req->names().end());
  const bool commit = !req->dry_run();
  if (entity == "qos") return AcctMgrQos(*req, *who, rep);
  if (verb == "modify" && (entity == "user" || entity == "account")) {
    auto limits = Changes(*req, common::LimitScope::kAssoc, true);
    if (!limits.ok()) {
      rep->set_error(std::string(limits.status().message()));
      return grpc::Status::OK;
    }
    if (!limits->empty()) {
      std::vector<AcctAssoc> changed_assocs;
      absl::Status st;
      runner_->Run([&](Controller& ctl, int64_t) {
        rep->set_cluster(ctl.assocs().cluster());
        st = ctl.ChangeAssocs(
            [&](AssocDb& d) {
              auto r = d.ModifyAssocs(names, entity == "user", *limits);
              if (r.ok()) changed_assocs = *r;
              return r.status();
            },
            *who, commit,
            "sacctmgr: accounting_storage/slurmdbd: acct_storage_p_modify_associations: Request "
            "didn't affect anything or your user doesn't have privilege to perform this action\n "
            "Nothing modified");
        // (an account's line names its parent)
        for (const auto& a : changed_assocs)
          if (a.user.empty())
            if (auto it = ctl.assocs().accounts().find(a.account); it != ctl.assocs().accounts().end()) {
              auto* acc = rep->add_accounts();
              acc->set_name(it->second.name);
              acc->set_parent(it->second.parent);
            }
      });
      if (!st.ok()) {
        rep->set_error(std::string(st.message()));
        return grpc::Status::OK;
      }
      for (const auto& a : changed_assocs) AddAssoc(a, rep);
      // Users' own settings (default account, ...) in the same command.
      bool more = false;
      for (const char* k : {"defaultaccount", "defaultpartition", "adminlevel", "description",
                            "organization"})
        more = more || req->settings().count(k);
      if (!more) return grpc::Status::OK;
    }
  }
  absl::StatusOr<std::vector<std::string>> changed;
  if (verb == "modify" && entity == "user") {
    AssocDb::UserChanges c;
    c.default_account = Setting(*req, "defaultaccount");
    c.default_partition = Setting(*req, "defaultpartition");
    if (auto level = Setting(*req, "adminlevel")) {
      c.admin = Level(*level);
      if (!c.admin) {  // (slurmdbd is then asked to change nothing)
        rep->set_error(
            "sacctmgr: accounting_storage/slurmdbd: acct_storage_p_modify_users: Request didn't "
            "affect anything or your user doesn't have privilege to perform this action\n Nothing "
            "modified");
        return grpc::Status::OK;
      }
    }
    runner_->Run([&](Controller& ctl, int64_t) { changed = ctl.ModifyUsers(names, c, *who, commit); });
  } else if (verb == "modify" && entity == "account") {
    AssocDb::AccountChanges c;
    c.description = Setting(*req, "description");
    c.organization = Setting(*req, "organization");
    runner_->Run([&](Controller& ctl, int64_t) { changed = ctl.ModifyAccounts(names, c, *who, commit); });
  } else if (verb == "delete" && entity == "account") {
    runner_->Run([&](Controller& ctl, int64_t) { changed = ctl.DeleteAccounts(names, *who, commit); });
  } else if (verb == "delete" && entity == "user") {
    absl::StatusOr<AssocDb::Deleted> gone;
    runner_->Run([&](Controller& ctl, int64_t) {
      rep->set_cluster(ctl.assocs().cluster());
      gone = ctl.DeleteUsers(names, List(Setting(*req, "account")), List(Setting(*req, "partition")),
                             *who, commit);
    });
    if (!gone.ok()) {
      rep->set_error(std::string(gone.status().message()));
      return grpc::Status::OK;
    }
    for (const auto& n : gone->users) rep->add_added(n);
    for (const auto& a : gone->assocs) AddAssoc(a, rep);
    return grpc::Status::OK;
  } else {
    rep->set_error("sacctmgr: " + verb + " " + entity + " is not supported yet");
    return grpc::Status::OK;
  }
  if (!changed.ok()) rep->set_error(std::string(changed.status().message()));
  else for (const auto& n : *changed) rep->add_added(n);
  return grpc::Status::OK;
}

grpc::Status ClientService::AcctMgrQos(const v1::AcctMgrRequest& req, const common::Identity& who,
                                       v1::AcctMgrReply* rep) {
  const std::string verb = absl::AsciiStrToLower(req.verb());
  const std::vector<std::string> names(req.names().begin(), req.names().end());
  auto c = Changes(req, common::LimitScope::kQos, verb == "modify");
  if (!c.ok()) {
    rep->set_error(std::string(c.status().message()));
    return grpc::Status::OK;
  }
  if (verb == "modify" && c->empty()) {
    rep->set_error(" You didn't give me anything to set");
    return grpc::Status::OK;
  }
  std::vector<std::string> done;
  absl::Status st;
  runner_->Run([&](Controller& ctl, int64_t) {
    rep->set_cluster(ctl.assocs().cluster());
    st = ctl.ChangeAssocs(
        [&](AssocDb& d) {
          auto r = verb == "add"      ? d.AddQos(names, *c)
                   : verb == "modify" ? d.ModifyQos(names, *c)
                                      : d.DeleteQos(names);
          if (r.ok()) done = *r;
          return r.status();
        },
        who, !req.dry_run(), kQosDenied);
  });
  if (!st.ok()) rep->set_error(std::string(st.message()));
  else for (const auto& n : done) rep->add_added(n);
  return grpc::Status::OK;
}

}  // namespace sluice::ctld::rpc
