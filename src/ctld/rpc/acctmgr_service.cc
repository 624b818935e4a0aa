// ClientService::AcctMgr (sacctmgr): the associations listed from the
// strand's copy, or accounts and users added there. The request's words
// become core specs here; the core checks and applies them.
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/rpc/rpc_auth.h"
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

v1::AcctAssocRecord* AddAssoc(const AcctAssoc& a, v1::AcctMgrReply* rep) {
  auto* p = rep->add_assocs();
  p->set_account(a.account);
  p->set_user(a.user);
  p->set_partition(a.partition);
  return p;
}

void Fill(const AssocDb& db, v1::AcctMgrReply* rep) {
  for (const auto& [name, a] : db.accounts()) {
    auto* p = rep->add_accounts();
    p->set_name(a.name);
    p->set_description(a.description);
    p->set_organization(a.organization);
    p->set_parent(a.parent);
  }
  for (const auto& [name, u] : db.users()) {
    auto* p = rep->add_users();
    p->set_name(u.name);
    p->set_default_account(u.default_account);
    p->set_default_partition(u.default_partition);
    p->set_admin_level(static_cast<uint32_t>(u.admin));
  }
  for (const auto& [a, depth] : db.Listing()) {
    AddAssoc(a, rep)->set_depth(static_cast<uint32_t>(depth));
  }
}

}  // namespace

grpc::Status ClientService::AcctMgr(grpc::ServerContext* ctx, const v1::AcctMgrRequest* req,
                                    v1::AcctMgrReply* rep) {
  auto who = common::Authenticate(*ctx, *auth_, "AcctMgr", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  const std::string verb = absl::AsciiStrToLower(req->verb());
  const std::string entity = absl::AsciiStrToLower(req->entity());
  if (verb == "list") {
    runner_->RunRead([&](const Controller& c, int64_t) {
      rep->set_cluster(c.assocs().cluster());
      Fill(c.assocs(), rep);
    });
    return grpc::Status::OK;
  }
  if (verb == "add" && entity == "account") {
    AddAccountsSpec spec;
    spec.names.assign(req->names().begin(), req->names().end());
    spec.description = Setting(*req, "description");
    spec.organization = Setting(*req, "organization");
    spec.parent = Setting(*req, "parent");
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

}  // namespace sluice::ctld::rpc
