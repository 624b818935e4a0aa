// The association database behind sacctmgr (issue 13): a fresh one holds
// root; accounts nest; users' associations list as Slurm lists them (by
// user, a user's newer requests first, each request in its order; then
// sub-accounts by name); refusals carry sacctmgr's text; the store's form
// round-trips and a damaged one is refused.
#include "ctld/core/assoc_db.h"

#include <gtest/gtest.h>

namespace sluice::ctld {
namespace {

std::vector<std::string> Lines(const AssocDb& db) {
  std::vector<std::string> out;
  for (const auto& [a, depth] : db.Listing())
    out.push_back(std::string(depth, ' ') + a.account + "|" + a.user + "|" + a.partition);
  return out;
}

TEST(AssocDbTest, FreshHoldsRootAndItsUser) {
  AssocDb db("c1");
  EXPECT_EQ(Lines(db), (std::vector<std::string>{"root||", " root|root|"}));
  EXPECT_EQ(db.LevelOf("root"), AdminLevel::kAdministrator);
  EXPECT_EQ(db.LevelOf("alice"), AdminLevel::kNone);
}

TEST(AssocDbTest, ListingOrderIsSlurms) {
  AssocDb db("c1");
  ASSERT_TRUE(db.AddAccounts({{"zz", "MM"}, std::nullopt, std::nullopt, std::nullopt}).ok());
  ASSERT_TRUE(db.AddAccounts({{"sub"}, std::nullopt, std::nullopt, std::string("mm")}).ok());
  auto add = [&](const std::string& user, std::vector<std::string> parts) {
    AddUsersSpec s;
    s.names = {user};
    s.accounts = {"root"};
    s.partitions = std::move(parts);
    ASSERT_TRUE(db.AddUsers(s).ok());
  };
  add("dave", {"pb"});
  add("dave", {"pa"});
  add("dave", {"pz", "py"});
  add("carol", {});
  EXPECT_EQ(Lines(db), (std::vector<std::string>{
                           "root||", " root|carol|", " root|dave|pz", " root|dave|py",
                           " root|dave|pa", " root|dave|pb", " root|root|", " mm||", "  sub||",
                           " zz||"}));
  // Names are lower-cased; description and organization default to the
  // name (under root) or the parent's name.
  EXPECT_EQ(db.accounts().at("mm").description, "mm");
  EXPECT_EQ(db.accounts().at("mm").organization, "mm");
  EXPECT_EQ(db.accounts().at("sub").organization, "mm");
  EXPECT_EQ(db.users().at("dave").default_account, "root");
}

TEST(AssocDbTest, RefusalsCarrySacctmgrsText) {
  AssocDb db("refcluster");
  auto parent = db.AddAccounts({{"x"}, std::nullopt, std::nullopt, std::string("nope")});
  EXPECT_EQ(parent.status().message(),
            " Parent account 'nope' doesn't exist on cluster refcluster\n"
            "        Contact your admin to add this account.\n No associations created.");
  ASSERT_TRUE(db.AddAccounts({{"ml"}, std::nullopt, std::nullopt, std::nullopt}).ok());
  EXPECT_EQ(db.AddAccounts({{"ml"}, std::nullopt, std::nullopt, std::nullopt}).status().message(),
            " Nothing new added.");
  AddUsersSpec s;
  s.names = {"carol"};
  EXPECT_EQ(db.AddUsers(s).status().message(), " Need name of account to add user to.");
  s.accounts = {"nope"};
  EXPECT_EQ(db.AddUsers(s).status().message(),
            " This account 'nope' doesn't exist.\n        Contact your admin to add this "
            "account.\n No associations or wckeys created.");
  s.accounts = {"ml"};
  ASSERT_TRUE(db.AddUsers(s).ok());
  EXPECT_EQ(db.AddUsers(s).status().message(), " Nothing new added.");
}

TEST(AssocDbTest, ModifyAndDeleteAsSlurm) {
  AssocDb db("c1");
  ASSERT_TRUE(db.AddAccounts({{"ml"}, std::nullopt, std::nullopt, std::nullopt}).ok());
  ASSERT_TRUE(db.AddAccounts({{"cv"}, std::nullopt, std::nullopt, std::string("ml")}).ok());
  AddUsersSpec s;
  s.names = {"alice"};
  s.accounts = {"ml"};
  s.partitions = {"short", "g2"};
  ASSERT_TRUE(db.AddUsers(s).ok());
  s = {};
  s.names = {"bob"};
  s.accounts = {"cv"};
  ASSERT_TRUE(db.AddUsers(s).ok());
  // A default account must be one of the user's.
  AssocDb::UserChanges c;
  c.default_account = "cv";
  EXPECT_EQ(db.ModifyUsers({"alice", "bob"}, c).status().message(),
            " Can't modify because these users aren't associated with new default account "
            "'cv'...\n  U = alice C = c1");
  c = {};
  c.default_partition = "g2";
  c.admin = AdminLevel::kOperator;
  EXPECT_EQ(*db.ModifyUsers({"alice", "nobody"}, c), std::vector<std::string>{"alice"});
  EXPECT_EQ(db.users().at("alice").default_partition, "g2");
  EXPECT_EQ(db.LevelOf("alice"), AdminLevel::kOperator);
  EXPECT_EQ(db.ModifyUsers({"nobody"}, c).status().message(), " Nothing modified");
  // One association of a user goes; the user stays.
  auto gone = db.DeleteUsers({"alice"}, {"ml"}, {"g2"});
  ASSERT_TRUE(gone.ok());
  ASSERT_EQ(gone->assocs.size(), 1u);
  EXPECT_TRUE(gone->users.empty());
  // An account goes with every association below it; users whose default
  // account it was have none; a sub-account's record stays.
  EXPECT_EQ(*db.DeleteAccounts({"ml"}), std::vector<std::string>{"ml"});
  EXPECT_EQ(Lines(db), (std::vector<std::string>{"root||", " root|root|"}));
  EXPECT_EQ(db.users().at("alice").default_account, "");
  EXPECT_EQ(db.users().at("bob").default_account, "");
  EXPECT_TRUE(db.accounts().count("cv"));
  EXPECT_EQ(db.DeleteUsers({"bob"}, {"cv"}, {}).status().message(), " Nothing deleted");
  EXPECT_EQ(db.DeleteUsers({"alice", "bob"}, {}, {})->users,
            (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(db.DeleteAccounts({"root", "nope"}).status().message(), " Nothing deleted");
}

TEST(AssocDbTest, StoredFormRoundTripsAndDamageIsRefused) {
  AssocDb db("c1");
  ASSERT_TRUE(db.AddAccounts({{"ml"}, std::string("ML group"), std::string("lab"), std::nullopt}).ok());
  AddUsersSpec s;
  s.names = {"alice"};
  s.accounts = {"ml"};
  s.partitions = {"short", "g2"};
  s.default_partition = "short";
  s.admin = AdminLevel::kOperator;
  ASSERT_TRUE(db.AddUsers(s).ok());
  auto back = AssocDb::Decode(db.Encode());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->Encode(), db.Encode());
  EXPECT_EQ(Lines(*back), Lines(db));
  EXPECT_EQ(back->users().at("alice").default_partition, "short");
  EXPECT_EQ(back->LevelOf("alice"), AdminLevel::kOperator);
  EXPECT_EQ(back->accounts().at("ml").description, "ml group");
  EXPECT_FALSE(AssocDb::Decode("user\talice\n").ok());
  EXPECT_FALSE(AssocDb::Decode("cluster\tc1\t1\nuser\talice\tml\t\t7\n").ok());
  EXPECT_FALSE(AssocDb::Decode("garbage").ok());
}

LimitChanges Limits(std::vector<std::pair<std::string, std::string>> kv,
                    common::LimitScope scope = common::LimitScope::kAssoc) {
  LimitChanges c;
  for (const auto& [k, v] : kv) c.limits.push_back({common::FindLimitKey(k, scope), v});
  return c;
}

// QOS (issue 13 point 4): normal exists and cannot go; new QOS take the
// next id; a user's limits apply to every one of their associations, an
// account's to its own; qos+= adds to the sorted list; unknown QOS are
// refused with the valid ones named; all of it survives the store.
TEST(AssocDbTest, QosAndLimits) {
  AssocDb db("c1");
  ASSERT_TRUE(db.AddAccounts({{"ml"}, std::nullopt, std::nullopt, std::nullopt}).ok());
  AddUsersSpec s;
  s.names = {"alice"};
  s.accounts = {"ml"};
  s.partitions = {"short", "g2"};
  ASSERT_TRUE(db.AddUsers(s).ok());
  auto gpu = Limits({{"maxtrespu", "gres/gpu=1"}, {"maxwall", "5"}}, common::LimitScope::kQos);
  gpu.preempt = "normal";
  gpu.preempt_mode = "requeue";
  EXPECT_EQ(*db.AddQos({"gpu"}, gpu), std::vector<std::string>{"gpu"});
  EXPECT_EQ(db.AddQos({"gpu"}, {}).status().message(), " Nothing new added.");
  EXPECT_EQ(db.qos().at("gpu").id, 2u);
  EXPECT_EQ(common::FormatTres(db.qos().at("gpu").limits.max_tres_pu), "gres/gpu=1");
  EXPECT_EQ(db.qos().at("gpu").preempt, std::vector<std::string>{"normal"});
  EXPECT_EQ(db.ModifyQos({"nope"}, Limits({{"priority", "1"}}, common::LimitScope::kQos)).status().message(),
            " Nothing modified");
  auto changed = db.ModifyAssocs({"alice"}, true, Limits({{"maxjobs", "1"}}));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->size(), 2u);  // both of alice's associations
  auto acct = db.ModifyAssocs({"ML"}, false, Limits({{"grptres", "gres/gpu=2"}}));
  ASSERT_TRUE(acct.ok());
  ASSERT_EQ(acct->size(), 1u);
  EXPECT_EQ((*acct)[0].user, "");
  LimitChanges add_qos;
  add_qos.qos_op = '+';
  add_qos.qos = {"gpu"};
  ASSERT_TRUE(db.ModifyAssocs({"alice"}, true, add_qos).ok());
  EXPECT_EQ(db.FindAssoc("alice", "ml", "short")->qos, (std::vector<std::string>{"gpu", "normal"}));
  add_qos.qos = {"nope"};
  add_qos.qos_word = "qos+=nope";
  EXPECT_EQ(db.ModifyAssocs({"alice"}, true, add_qos).status().message(),
            "sacctmgr: error: You gave a bad qos 'nope'. Valid QOS's are normal,gpu\n"
            " Unknown option: qos+=nope\n Use keyword 'where' to modify condition");
  LimitChanges def;
  def.default_qos = "gpu";
  ASSERT_TRUE(db.ModifyAssocs({"alice"}, true, def).ok());
  EXPECT_EQ(db.FindAssoc("alice", "ml", "short")->default_qos, "gpu");
  def.default_qos = "nope";
  EXPECT_EQ(db.ModifyAssocs({"alice"}, true, def).status().message(),
            "You gave a bad default qos 'nope'.  Use 'list qos' to get complete list.");
  // A default QOS the association may not use is refused, with each one.
  def.default_qos = "gpu";
  EXPECT_EQ(db.ModifyAssocs({"ml"}, false, def).status().message(),
            " These associations don't have access to their default qos.\n Please give them "
            "access before they the default can be set to this.\n  DefQOS = gpu        C = c1    "
            "     A = ml                   ");
  // A QOS that is someone's default cannot go.
  EXPECT_EQ(db.DeleteQos({"gpu"}).status().message(),
            " Associations listed below have these as their Default QOS.\n"
            "  DefQOS = gpu        C = c1         A = ml                   U = alice    \n"
            "  DefQOS = gpu        C = c1         A = ml                   U = alice    \n"
            " Please either remove the qos' listed above from list and resubmit,\n or change the "
            "default qos to remove the qos.\n Changes Discarded");
  auto back = AssocDb::Decode(db.Encode());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->Encode(), db.Encode());
  EXPECT_EQ(back->FindAssoc("alice", "ml", "g2")->default_qos, "gpu");
  EXPECT_EQ(back->FindAssoc("alice", "ml", "g2")->limits.max_jobs, 1);
  EXPECT_EQ(back->AccountAssoc("ml")->limits.grp_tres[common::kTresGpu], 2);
  EXPECT_EQ(back->qos().at("gpu").preempt_mode, "requeue");
  def.default_qos = "";
  ASSERT_TRUE(db.ModifyAssocs({"alice"}, true, def).ok());
  EXPECT_EQ(*db.DeleteQos({"gpu", "normal"}), std::vector<std::string>{"gpu"});
  ASSERT_NE(db.FindAssoc("alice", "ml", "g2"), nullptr);
  EXPECT_EQ(db.FindAssoc("alice", "ml", "g2")->qos, std::vector<std::string>{"normal"});
  EXPECT_EQ(db.FindAssoc("alice", "ml", ""), nullptr);  // (only partitioned ones)
}

}  // namespace
}  // namespace sluice::ctld
