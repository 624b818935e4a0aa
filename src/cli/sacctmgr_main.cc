// sacctmgr: list accounts, users and associations; add accounts and users
// (issue 13). The associations live in the controller's store; this
// parses Slurm's command line (verb, entity, names, KEY=VALUE, where,
// format=, withassoc, tree) and prints sacctmgr's words.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/sacctmgr_format.h"
#include "cli/sacctmgr_json.h"
#include "cli/sacctmgr_limits.h"
#include "common/acct_limits.h"
#include "common/process_init.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

struct Options {
  bool immediate = false, no_header = false, quiet = false;
  bool json = false, yaml = false;  // show/list only: an OpenAPI DB v0.0.38 document
  MgrLayout layout = MgrLayout::kColumns;
};

// The words after verb and entity: bare names, KEY=VALUE (keys as typed,
// "where" dropped), and the listing's flags.
struct Words {
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> pairs;
  bool with_assoc = false, tree = false;
  std::string format;
};

Words Split(const std::vector<std::string>& rest) {
  Words w;
  for (const std::string& word : rest) {
    std::string lower = absl::AsciiStrToLower(word);
    if (lower == "where") continue;
    if (lower == "withassoc") { w.with_assoc = true; continue; }
    if (lower == "tree") { w.tree = true; continue; }
    auto eq = word.find('=');
    if (eq == std::string::npos) {
      for (absl::string_view n : absl::StrSplit(word, ',', absl::SkipEmpty())) w.names.emplace_back(n);
      continue;
    }
    std::string key = word.substr(0, eq);  // (as typed: refusals repeat it)
    if (absl::AsciiStrToLower(key) == "format") w.format = word.substr(eq + 1);
    else w.pairs.push_back({key, word.substr(eq + 1)});
  }
  return w;
}

// The canonical key for what the user typed (Slurm's spellings), or "".
std::string Key(const std::string& typed) {
  const std::string k = absl::AsciiStrToLower(typed);
  static const std::map<std::string, std::string> kKeys = {
      {"account", "account"},       {"accounts", "account"},        {"acct", "account"},
      {"partition", "partition"},   {"partitions", "partition"},    {"part", "partition"},
      {"defaultaccount", "defaultaccount"}, {"defaultacct", "defaultaccount"},
      {"defaultpartition", "defaultpartition"},
      {"adminlevel", "adminlevel"}, {"admin", "adminlevel"},
      {"description", "description"}, {"descr", "description"},    {"desc", "description"},
      {"organization", "organization"}, {"org", "organization"},   {"parent", "parent"},
      {"name", "name"},             {"names", "name"},              {"user", "user"},
      {"users", "user"},            {"cluster", "cluster"},         {"clusters", "cluster"},
      {"fairshare", "fairshare"},   {"share", "fairshare"},         {"shares", "fairshare"}};
  auto it = kKeys.find(k);
  return it == kKeys.end() ? "" : it->second;
}

bool Confirm() {
  std::printf("Would you like to commit changes? (You have 30 seconds to decide)\n(N/y): ");
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  if (!isatty(STDIN_FILENO)) std::printf("%s\n", answer.c_str());
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

std::string Pad(const std::string& s, int w) { return absl::StrFormat("%-*s", w, s); }

// FairShare= as stored ("parent", or the number it came to).
std::string SharesText(const std::string& typed) {
  auto v = common::ParseFairShare(typed);
  return v.ok() ? common::FairShareText(*v) : typed;
}

// sacctmgr's refusal of a FairShare= that is not a number (false).
bool SharesOk(const std::string& key, const std::string& value) {
  if (common::ParseFairShare(value).ok()) return true;
  std::fprintf(stderr,
               "sacctmgr: error: Invalid value for FairShare (%s)\n Unknown option: %s=%s\n Use "
               "keyword 'where' to modify condition\n",
               value.c_str(), key.c_str(), value.c_str());
  return false;
}

void PrintAdded(const std::string& entity, const v1::AcctMgrRequest& req,
                const v1::AcctMgrReply& rep) {
  const auto& set = req.settings();
  auto given = [&](const char* k) { return set.count(k) > 0; };
  if (entity == "account") {
    std::printf(" Adding Account(s)\n");
    for (const auto& n : rep.added()) std::printf("  %s\n", n.c_str());
    std::printf(" Settings\n  Description     = %s\n  Organization    = %s\n",
                given("description") ? absl::AsciiStrToLower(set.at("description")).c_str()
                                     : "Account Name",
                given("organization") ? absl::AsciiStrToLower(set.at("organization")).c_str()
                                      : "Parent/Account Name");
    std::printf(" Associations\n");
    for (const auto& n : rep.added())
      std::printf("  A = %s C = %s\n", Pad(n, 10).c_str(), rep.cluster().c_str());
    if (given("description") || given("organization") || given("parent") || given("fairshare")) {
      std::printf(" Settings\n");
      if (given("fairshare")) std::printf("  Fairshare     = %s\n", SharesText(set.at("fairshare")).c_str());
      std::printf("  Parent        = %s\n",
                  given("parent") ? absl::AsciiStrToLower(set.at("parent")).c_str() : "root");
    }
    return;
  }
  if (rep.added_size()) {
    std::printf(" Adding User(s)\n");
    for (const auto& n : rep.added()) std::printf("  %s\n", n.c_str());
  }
  std::printf(" Associations =\n");
  for (const auto& a : rep.assocs()) {
    if (a.partition().empty())
      std::printf("  U = %s A = %s C = %s\n", Pad(a.user(), 9).c_str(), Pad(a.account(), 10).c_str(),
                  rep.cluster().c_str());
    else
      std::printf("  U = %s A = %s C = %s P = %s\n", Pad(a.user(), 9).c_str(),
                  Pad(a.account(), 10).c_str(), Pad(rep.cluster(), 10).c_str(),
                  Pad(a.partition(), 10).c_str());
  }
  std::printf(" Non Default Settings\n");
  if (given("fairshare")) std::printf("  Fairshare     = %s\n", SharesText(set.at("fairshare")).c_str());
  if (given("defaultpartition"))  // (Sluice's extension)
    std::printf("  Default Partition = %s\n", set.at("defaultpartition").c_str());
}

// Sends `req` (first as a dry run unless -i, then asks), printing what
// changed with `print`. Slurm's "nothing" answers go to stdout.
int Change(CtldClient& client, v1::AcctMgrRequest req, const Options& o,
           const std::function<void(const v1::AcctMgrReply&)>& print) {
  req.set_dry_run(!o.immediate);
  auto rep = client.AcctMgr(req);
  if (!rep.ok()) {
    std::fprintf(stderr, " Problem talking to the database: %s\n", std::string(rep.status().message()).c_str());
    return 1;
  }
  if (!rep->error().empty()) {
    bool nothing = absl::StartsWith(rep->error(), " Nothing");
    std::fprintf(nothing ? stdout : stderr, "%s\n", rep->error().c_str());
    // (Slurm's sacctmgr exits 0 after refusing a default QOS not allowed)
    return absl::StartsWith(rep->error(), " These associations don't have access") ? 0 : 1;
  }
  print(*rep);
  if (o.immediate) return 0;
  if (!Confirm()) {
    std::printf(" Changes Discarded\n");
    return 0;
  }
  req.set_dry_run(false);
  rep = client.AcctMgr(req);
  std::string err = !rep.ok() ? std::string(rep.status().message()) : rep->error();
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  return 0;
}

int Add(CtldClient& client, const std::string& entity, const Words& w, const Options& o) {
  v1::AcctMgrRequest req;
  req.set_verb("add");
  req.set_entity(entity);
  for (const auto& n : w.names) req.add_names(n);
  static const std::set<std::string> kAccountKeys = {"description", "organization", "parent",
                                                     "name", "cluster", "fairshare"};
  static const std::set<std::string> kUserKeys = {"account", "partition", "defaultaccount",
                                                  "defaultpartition", "adminlevel", "name",
                                                  "user", "cluster", "fairshare"};
  for (const auto& [k, v] : w.pairs) {
    std::string key = Key(k);
    if (entity == "qos") {
      if (!QosSetting(k, v, &req)) return 1;
      continue;
    }
    const auto& allowed = entity == "account" ? kAccountKeys : kUserKeys;
    if (key.empty() || !allowed.count(key)) {
      std::fprintf(stderr, " Unknown option: %s=%s\n", k.c_str(), v.c_str());
      return 1;
    }
    if (key == "fairshare" && !SharesOk(k, v)) return 1;
    if (key == "name" || key == "user") {
      for (absl::string_view n : absl::StrSplit(v, ',', absl::SkipEmpty())) req.add_names(std::string(n));
    } else if (key != "cluster") {
      (*req.mutable_settings())[key] = v;
    }
  }
  if (req.names_size() == 0) {
    std::fprintf(stderr, " Need name of %s to add.\n", entity == "account" ? "account" : entity == "qos" ? "qos" : "user");
    return 1;
  }
  return Change(client, req, o, [&](const v1::AcctMgrReply& rep) {
    if (entity == "qos") PrintQosAdded(req, rep);
    else PrintAdded(entity, req, rep);
  });
}

// modify ENTITY [NAMES] [where name=...] set KEY=VALUE...; delete ENTITY
// [NAMES] [where ...] (users also by account= and partition=).
int ModifyOrDelete(CtldClient& client, const std::string& verb, const std::string& entity,
                   const std::vector<std::string>& rest, const Options& o) {
  v1::AcctMgrRequest req;
  req.set_verb(verb);
  req.set_entity(entity);
  size_t set_at = rest.size();
  for (size_t i = 0; i < rest.size(); ++i)
    if (absl::AsciiStrToLower(rest[i]) == "set") set_at = i;
  if (verb == "delete") set_at = rest.size();
  Words cond = Split({rest.begin(), rest.begin() + set_at});
  Words set = Split({rest.begin() + std::min(set_at + 1, rest.size()), rest.end()});
  for (const auto& n : cond.names) req.add_names(n);
  for (const auto& [k, v] : cond.pairs) {
    std::string key = Key(k);
    bool names = key == "name" || (entity == "user" ? key == "user" : key == "account");
    if (entity == "qos") names = key == "name";
    bool filter = verb == "delete" && entity == "user" && (key == "account" || key == "partition");
    if (names) {
      for (absl::string_view n : absl::StrSplit(v, ',', absl::SkipEmpty())) req.add_names(std::string(n));
    } else if (filter) {
      (*req.mutable_settings())[key] = v;
    } else if (key != "cluster") {
      std::fprintf(stderr, " Unknown condition: %s=%s\n", k.c_str(), v.c_str());
      return 1;
    }
  }
  static const std::set<std::string> kUserSet = {"defaultaccount", "defaultpartition", "adminlevel",
                                                 "fairshare"};
  static const std::set<std::string> kAccountSet = {"description", "organization", "fairshare"};
  for (const auto& [k, v] : set.pairs) {
    if (entity == "qos") {
      if (!QosSetting(k, v, &req)) return 1;
      continue;
    }
    if (AssocSetting(k, v, &req)) continue;
    std::string key = Key(k);
    if (key == "fairshare" && !SharesOk(k, v)) return 1;
    if (!(entity == "user" ? kUserSet : kAccountSet).count(key)) {
      std::fprintf(stderr, " Unknown option: %s=%s\n Use keyword 'where' to modify condition\n",
                   k.c_str(), v.c_str());
      return 1;
    }
    (*req.mutable_settings())[key] = v;
  }
  if (verb == "modify" && set.pairs.empty()) {
    std::fprintf(stderr, " You didn't give me anything to set\n");
    return 1;
  }
  if (req.names_size() == 0) {
    std::fprintf(stderr, " No conditions given\n");
    return 1;
  }
  const bool assocs_only = verb == "delete" && req.settings_size() > 0;
  return Change(client, req, o, [&](const v1::AcctMgrReply& rep) {
    if (entity == "qos") {
      std::printf(verb == "modify" ? " Modified qos...\n" : " Deleting QOS(s)...\n");
    } else if (verb == "modify" && rep.assocs_size()) {
      PrintModifiedAssocs(entity, rep);
      if (rep.added_size() == 0) return;
      std::printf(" Modified %s...\n", entity == "user" ? "users" : "accounts");
    } else if (verb == "modify") {
      std::printf(" Modified %s...\n", entity == "user" ? "users" : "accounts");
    } else if (assocs_only) {
      std::printf(" Deleting user associations...\n");
      for (const auto& a : rep.assocs()) {
        if (a.partition().empty())
          std::printf("  C = %s A = %s U = %s\n", Pad(rep.cluster(), 10).c_str(),
                      Pad(a.account(), 10).c_str(), a.user().c_str());
        else
          std::printf("  C = %s A = %s U = %s P = %s\n", Pad(rep.cluster(), 10).c_str(),
                      Pad(a.account(), 10).c_str(), Pad(a.user(), 9).c_str(), a.partition().c_str());
      }
      return;
    } else {
      std::printf(" Deleting %s...\n", entity == "user" ? "users" : "accounts");
    }
    for (const auto& n : rep.added()) std::printf("  %s\n", n.c_str());
  });
}

int List(CtldClient& client, const common::SlurmConfig& cfg, const std::string& entity,
         const Words& w, const Options& o) {
  MgrEntity e = entity == "cluster"   ? MgrEntity::kCluster
                 : entity == "qos"       ? MgrEntity::kQos
                 : entity == "account" ? MgrEntity::kAccount
                 : entity == "user"  ? (w.with_assoc ? MgrEntity::kUserWithAssoc : MgrEntity::kUser)
                                     : MgrEntity::kAssoc;
  std::set<std::string> users, accounts, partitions;
  std::set<std::string> qos_names;
  std::set<std::string> cluster_names;
  std::set<std::string>& names = entity == "account" ? accounts
                                 : entity == "qos"   ? qos_names
                                 : entity == "cluster" ? cluster_names
                                                       : users;
  for (const auto& n : w.names) names.insert(entity == "user" ? n : absl::AsciiStrToLower(n));
  for (const auto& [k, v] : w.pairs) {
    std::string key = Key(k);
    std::set<std::string>* into = key == "user" ? &users
                                  : key == "account" ? &accounts
                                  : key == "partition" ? &partitions
                                  : key == "name" ? &names : nullptr;
    if (key == "cluster" && entity == "cluster") into = &cluster_names;
    else if (key == "cluster") continue;
    if (!into) {
      std::fprintf(stderr, " Unknown condition: %s=%s\n", k.c_str(), v.c_str());
      return 1;
    }
    for (absl::string_view x : absl::StrSplit(v, ',', absl::SkipEmpty()))
      into->insert(into == &accounts ? absl::AsciiStrToLower(x) : std::string(x));
  }
  std::vector<MgrColumn> cols;
  if (w.format.empty()) {
    cols = Columns(DefaultMgrFields(e));
  } else {
    auto parsed = ParseAcctMgrFormat(e, w.format);
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s\n", std::string(parsed.status().message()).c_str());
      return 1;
    }
    cols = *parsed;
  }
  v1::AcctMgrRequest req;
  req.set_verb("list");
  req.set_entity(entity == "cluster" ? "association" : entity);
  auto rep = client.AcctMgr(req);
  if (!rep.ok()) {
    std::fprintf(stderr, " Problem talking to the database: %s\n",
                 std::string(rep.status().message()).c_str());
    return 1;
  }
  if (!rep->error().empty()) {  // (the controller's refusal, in sacctmgr's words)
    std::fprintf(stderr, "%s\n", rep->error().c_str());
    return 1;
  }
  auto keep = [](const std::set<std::string>& want, const std::string& v) {
    return want.empty() || want.count(v);
  };
  std::vector<MgrRow> rows;
  if (e == MgrEntity::kCluster) {  // one controller, one cluster: its root association
    for (const auto& a : rep->assocs())
      if (a.account() == "root" && a.user().empty() && keep(cluster_names, rep->cluster())) {
        MgrRow row{nullptr, nullptr, &a, rep->cluster()};
        row.control_host = cfg.ctld_addr;
        row.control_port = cfg.ctld_port;
        rows.push_back(row);
      }
  } else if (e == MgrEntity::kQos) {
    for (const auto& q : rep->qos())
      if (keep(qos_names, q.name())) rows.push_back({nullptr, nullptr, nullptr, rep->cluster(), false, &q});
  } else if (e == MgrEntity::kAccount) {
    for (const auto& a : rep->accounts())
      if (keep(accounts, a.name())) rows.push_back({&a, nullptr, nullptr, rep->cluster()});
  } else if (e == MgrEntity::kUser || e == MgrEntity::kUserWithAssoc) {
    for (const auto& u : rep->users()) {
      if (!keep(users, u.name())) continue;
      if (e == MgrEntity::kUser) {
        rows.push_back({nullptr, &u, nullptr, rep->cluster()});
        continue;
      }
      for (const auto& a : rep->assocs())
        if (a.user() == u.name() && keep(accounts, a.account()) && keep(partitions, a.partition()))
          rows.push_back({nullptr, &u, &a, rep->cluster()});
    }
  } else {
    for (const auto& a : rep->assocs())
      if ((users.empty() || (!a.user().empty() && users.count(a.user()))) &&
          keep(accounts, a.account()) && (partitions.empty() || partitions.count(a.partition())))
        rows.push_back({nullptr, nullptr, &a, rep->cluster(), w.tree});
  }
  if (o.json || o.yaml) {
    std::fputs(MgrDocument(e, rows, *rep, o.yaml && !o.json).c_str(), stdout);
    return 0;
  }
  std::fputs(RenderMgr(cols, rows, o.layout, o.no_header, w.tree && e == MgrEntity::kAssoc).c_str(),
             stdout);
  return 0;
}

// add|modify|delete cluster. A controller keeps one cluster (ClusterName):
// another cannot be added, this one cannot be deleted, and `modify cluster
// NAME set LIMIT=...` sets the limits of its root association, as Slurm's
// "cluster defaults for associations" are.
int ClusterChange(CtldClient& client, const common::SlurmConfig& cfg, const std::string& verb,
                  const std::vector<std::string>& rest, const Options& o) {
  size_t set_at = rest.size();
  for (size_t i = 0; i < rest.size(); ++i)
    if (absl::AsciiStrToLower(rest[i]) == "set") set_at = i;
  Words cond = Split({rest.begin(), rest.begin() + std::min(set_at, rest.size())});
  Words set = Split({rest.begin() + std::min(set_at + 1, rest.size()), rest.end()});
  std::vector<std::string> names = cond.names;
  for (const auto& [k, v] : cond.pairs) {
    if (Key(k) != "name" && Key(k) != "cluster") {
      std::fprintf(stderr, " Unknown condition: %s=%s\n", k.c_str(), v.c_str());
      return 1;
    }
    for (absl::string_view n : absl::StrSplit(v, ',', absl::SkipEmpty())) names.emplace_back(n);
  }
  const bool ours = std::find(names.begin(), names.end(), cfg.cluster_name) != names.end();
  if (verb == "add" || verb == "create") {
    if (names.empty()) {
      std::fprintf(stderr, " Need name of cluster to add.\n");
      return 1;
    }
    if (ours && names.size() == 1) {
      std::printf(" Nothing new added.\n");
      return 1;
    }
    PrintError("sacctmgr", absl::StrCat("this controller keeps one cluster, ", cfg.cluster_name,
                                        " (ClusterName in slurm.conf); others cannot be added"));
    return 1;
  }
  if (verb == "delete" || verb == "remove") {
    if (!ours) {
      std::printf(" Nothing deleted\n");
      return 1;
    }
    PrintError("sacctmgr", absl::StrCat("cluster ", cfg.cluster_name,
                                        " is this controller's own (ClusterName in slurm.conf); it "
                                        "cannot be deleted"));
    return 1;
  }
  if (set.pairs.empty()) {
    std::fprintf(stderr, " You didn't give me anything to set\n");
    return 1;
  }
  if (!ours) {
    std::printf(" Nothing modified\n");
    return 1;
  }
  v1::AcctMgrRequest req;
  req.set_verb("modify");
  req.set_entity("account");
  req.add_names("root");
  for (const auto& [k, v] : set.pairs)
    if (!AssocSetting(k, v, &req)) {
      std::fprintf(stderr, " Unknown option: %s=%s\n Use keyword 'where' to modify condition\n",
                   k.c_str(), v.c_str());
      return 1;
    }
  return Change(client, req, o, [&](const v1::AcctMgrReply& rep) { PrintClusterModified(req, rep); });
}

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("sacctmgr");
  static const struct option kLong[] = {
      {"immediate", no_argument, nullptr, 'i'}, {"noheader", no_argument, nullptr, 'n'},
      {"parsable", no_argument, nullptr, 'p'},  {"parsable2", no_argument, nullptr, 'P'},
      {"quiet", no_argument, nullptr, 'Q'},     {"version", no_argument, nullptr, 'V'},
      {"help", no_argument, nullptr, 'h'},      {"json", no_argument, nullptr, 'J'},
      {"yaml", no_argument, nullptr, 'Y'},      {nullptr, 0, nullptr, 0}};
  Options o;
  int c;
  while ((c = getopt_long(argc, argv, "+inpPQVh", kLong, nullptr)) != -1) {
    switch (c) {
      case 'i': o.immediate = true; break;
      case 'J': o.json = true; break;
      case 'Y': o.yaml = true; break;
      case 'n': o.no_header = true; break;
      case 'p': o.layout = MgrLayout::kParsable; break;
      case 'P': o.layout = MgrLayout::kParsable2; break;
      case 'Q': o.quiet = true; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case 'h':
        std::printf("Usage: sacctmgr [-i] [-n] [-p|-P] COMMAND\n"
                    "  list|show account|user|association|qos [NAMES] [where KEY=VALUE...] [format=F,...]"
                    " [withassoc] [tree]\n"
                    "  add account NAMES [Description=] [Organization=] [Parent=]\n"
                    "  add user NAMES Account=A[,...] [Partition=P[,...]] [DefaultAccount=]"
                    " [DefaultPartition=] [AdminLevel=]\n"
                    "  add qos NAMES [Priority=] [Preempt=] [PreemptMode=] [LIMIT=...]\n"
                    "  modify user|account|qos NAMES set LIMIT=VALUE... [qos=|qos+=|qos-=LIST]\n"
                    "  delete account|user|qos NAMES\n");
        return 0;
      default: return 1;
    }
  }
  std::vector<std::string> words;
  for (int i = optind; i < argc; ++i) {  // (--json/--yaml may follow the command too)
    std::string a = argv[i];
    if (a == "--json") o.json = true;
    else if (a == "--yaml") o.yaml = true;
    else words.push_back(a);
  }
  if (words.empty()) {
    PrintError("sacctmgr", "no command given (interactive mode is not supported yet)");
    return 1;
  }
  std::string verb = absl::AsciiStrToLower(words[0]);
  std::string raw_entity = words.size() > 1 ? absl::AsciiStrToLower(words[1]) : "";
  static const std::map<std::string, std::string> kEntities = {
      {"account", "account"}, {"accounts", "account"}, {"user", "user"}, {"users", "user"},
      {"association", "association"}, {"associations", "association"}, {"assoc", "association"},
      {"qos", "qos"}, {"cluster", "cluster"}, {"clusters", "cluster"}};
  auto ent = kEntities.find(raw_entity);
  std::vector<std::string> rest(words.begin() + std::min<size_t>(2, words.size()), words.end());
  bool list = verb == "list" || verb == "show", add = verb == "add" || verb == "create";
  if (!list && !add && verb != "modify" && verb != "update" && verb != "delete" && verb != "remove") {
    std::fprintf(stderr, "invalid keyword: %s\n", words[0].c_str());
    return 1;
  }
  // Entities Slurm has that Sluice does not keep yet; any other word is
  // Slurm's "No valid entity" for the verb.
  // (each verb's entities as Slurm's sacctmgr names them, singular)
  static const std::set<std::string> kListLater = {"configuration", "event", "federation", "problem",
                                                   "resource", "reservation", "runawayjobs", "stats",
                                                   "transaction", "tres", "wckey"};
  static const std::set<std::string> kAddLater = {"coordinator", "federation", "resource"};
  static const std::set<std::string> kModifyLater = {"federation", "job", "resource"};
  std::string singular = raw_entity;
  if (singular.size() > 1 && singular.back() == 's' && singular != "stats" && singular != "tres")
    singular.pop_back();
  const auto& later = list ? kListLater : add ? kAddLater
                      : (verb == "modify" || verb == "update") ? kModifyLater : kAddLater;
  bool change = verb == "modify" || verb == "update" || verb == "delete" || verb == "remove";
  if (ent != kEntities.end() && list && ent->second == "association") {
    // (listed below)
  } else if (later.count(singular)) {
    PrintError("sacctmgr", absl::StrCat(verb, " ", raw_entity, " is not supported yet"));
    return 1;
  } else if (ent == kEntities.end() || ent->second == "association") {
    if (list)
      std::fprintf(stderr,
                   "No valid entity in list command\n"
                   "Input line must include \"Account\", \"Association\", \"Cluster\", "
                   "\"Configuration\",\n\"Event\", \"Federation\", \"Problem\", \"QOS\", "
                   "\"Resource\", \"Reservation\",\n\"RunAwayJobs\", \"Stats\", \"Transaction\", "
                   "\"TRES\", \"User\", or \"WCKey\"\n");
    else if (add || verb == "delete" || verb == "remove")
      std::fprintf(stderr,
                   "No valid entity in %s command\n"
                   "Input line must include \"Account\", \"Cluster\", \"Coordinator\", "
                   "\"Federation\", \"QOS\", \"Resource\", or \"User\"\n",
                   add ? "add" : "delete");
    else
      std::fprintf(stderr,
                   "No valid entity in modify command\n"
                   "Input line must include \"Account\", \"Cluster\", \"Federation\", \"Job\", "
                   "\"QOS\", \"Resource\" or \"User\"\n");
    return 1;
  }
  if ((o.json || o.yaml) && !list) {
    PrintError("sacctmgr", "--json and --yaml are only for show and list");
    return 1;
  }
  auto cfg = LoadConfigOrComplain("sacctmgr");
  if (!cfg) return 1;
  CtldClient& client = CommandClient(*cfg);
  if (ent->second == "cluster" && !list) return ClusterChange(client, *cfg, verb, rest, o);
  if (change)
    return ModifyOrDelete(client, verb == "update" ? "modify" : verb == "remove" ? "delete" : verb,
                          ent->second, rest, o);
  Words w = Split(rest);
  return add ? Add(client, ent->second, w, o) : List(client, *cfg, ent->second, w, o);
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
