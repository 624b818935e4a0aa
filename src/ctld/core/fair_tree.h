// Fair Tree, Slurm's fair-share algorithm since 19.05 (issue 13 point 5):
// every user association gets a rank from a walk of the association tree,
// and its fair-share factor is rank / number of user associations.
//
// At each level an association's Level FS is S / U: S its shares over its
// siblings' (NormShares), U its usage over its parent's (EffectvUsage);
// no usage is infinity. Siblings are visited by Level FS, highest first, so
// every user under a better-placed account outranks every user under a
// worse one. Users with equal Level FS share a rank; accounts with equal
// Level FS have their children walked as one level.
//
// Pure functions over plain values; no state, thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/acct_limits.h"

namespace sluice::ctld {

// FairShare=parent: an account whose children count as its parent's (its
// own shares are not used); on a user it counts as one share.
inline constexpr uint32_t kSharesParent = common::kFairShareParent;

// One association in the tree, in listing order (an account, then its users,
// then its sub-accounts, depth first; root first).
struct ShareNode {
  std::string account, user, partition;  // user "": the account's own
  std::string parent;                    // the account above (for an account); "" for root
  uint32_t shares = 1;                   // FairShare=
  double usage = 0;                      // users: decayed usage; accounts: ignored
};

// What sshare shows for one association, depth first: an account, its
// users, then its sub-accounts (each in input order).
struct ShareFigures {
  std::string account, user, partition;
  int depth = 0;                 // root 0
  bool is_user = false;
  uint32_t raw_shares = 0;       // 0 for root (shown blank)
  double norm_shares = 0;        // among siblings
  double raw_usage = 0;          // users: theirs; accounts: their subtree's
  double norm_usage = 0;         // over the whole tree's
  double effective_usage = 0;    // over the parent's (root: 1)
  double level_fs = 0;           // S / U; +inf with no usage
  double fairshare = 0;          // users: rank / user associations
};

std::vector<ShareFigures> FairTree(const std::vector<ShareNode>& nodes);

}  // namespace sluice::ctld
