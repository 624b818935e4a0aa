#include "ctld/core/fair_tree.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>

namespace sluice::ctld {

std::vector<ShareFigures> FairTree(const std::vector<ShareNode>& nodes) {
  const size_t n = nodes.size();
  std::vector<ShareFigures> out(n);
  std::map<std::string, size_t> account_at;  // an account's own node
  for (size_t i = 0; i < n; ++i)
    if (nodes[i].user.empty()) account_at.emplace(nodes[i].account, i);
  // Each node's parent node; SIZE_MAX for the top (root).
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> parent(n, kNone);
  std::vector<std::vector<size_t>> children(n);
  std::vector<size_t> tops;
  for (size_t i = 0; i < n; ++i) {
    const std::string& above = nodes[i].user.empty() ? nodes[i].parent : nodes[i].account;
    auto it = above.empty() ? account_at.end() : account_at.find(above);
    if (it == account_at.end() || it->second == i) {
      tops.push_back(i);
      continue;
    }
    parent[i] = it->second;
    children[it->second].push_back(i);
  }
  // Depth and subtree usage, from the tops down (input is depth first, but
  // do not rely on it).
  std::function<double(size_t, int)> fill = [&](size_t i, int depth) {
    ShareFigures& f = out[i];
    f.account = nodes[i].account;
    f.user = nodes[i].user;
    f.partition = nodes[i].partition;
    f.depth = depth;
    f.is_user = !nodes[i].user.empty();
    f.raw_shares = nodes[i].shares;
    double u = f.is_user ? nodes[i].usage : 0;
    for (size_t c : children[i]) u += fill(c, depth + 1);
    f.raw_usage = u;
    return u;
  };
  double total = 0;
  for (size_t t : tops) total += fill(t, 0);
  // Fair Tree's own tree skips FairShare=parent accounts: their children
  // are their parent's.
  auto transparent = [&](size_t i) {
    return !out[i].is_user && nodes[i].shares == kSharesParent && parent[i] != kNone;
  };
  std::vector<std::vector<size_t>> kids(n);  // children in Fair Tree's tree
  std::vector<size_t> up(n, kNone);
  for (size_t i = 0; i < n; ++i) {
    if (parent[i] == kNone || transparent(i)) continue;
    size_t p = parent[i];
    while (transparent(p)) p = parent[p];
    up[i] = p;
    kids[p].push_back(i);
  }
  auto shares = [&](size_t i) -> uint64_t {
    return nodes[i].shares == kSharesParent ? 1 : nodes[i].shares;
  };
  const double inf = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) {
    ShareFigures& f = out[i];
    f.norm_usage = total > 0 ? f.raw_usage / total : 0;
    if (parent[i] == kNone) {
      f.raw_shares = 0;
      f.effective_usage = 1;
      f.level_fs = inf;
      continue;
    }
    const size_t p = transparent(i) ? parent[i] : up[i];
    const double above = out[p].raw_usage;
    f.effective_usage = above > 0 ? f.raw_usage / above : 0;
    if (transparent(i)) continue;  // no shares of its own, no Level FS
    uint64_t sibling_shares = 0;
    for (size_t s : kids[p]) sibling_shares += shares(s);
    f.norm_shares = sibling_shares ? static_cast<double>(shares(i)) / sibling_shares : 0;
    f.level_fs = f.norm_shares == 0 ? 0 : f.effective_usage == 0 ? inf : f.norm_shares / f.effective_usage;
  }
  // The walk: highest Level FS first; tied users share a rank, tied
  // accounts' children are walked together.
  size_t users = 0;
  for (const auto& f : out) users += f.is_user;
  double rank = static_cast<double>(users);
  std::function<void(std::vector<size_t>)> walk = [&](std::vector<size_t> level) {
    std::stable_sort(level.begin(), level.end(),
                     [&](size_t a, size_t b) { return out[a].level_fs > out[b].level_fs; });
    for (size_t i = 0; i < level.size();) {
      size_t j = i;
      while (j < level.size() && out[level[j]].level_fs == out[level[i]].level_fs) ++j;
      bool accounts = false;
      for (size_t k = i; k < j; ++k) accounts |= !out[level[k]].is_user;
      if (!accounts) {  // tied users share a rank
        for (size_t k = i; k < j; ++k) out[level[k]].fairshare = rank / static_cast<double>(users);
        rank -= static_cast<double>(j - i);
      } else {  // tied accounts give way to their children, ranked with the tied users
        std::vector<size_t> merged;
        for (size_t k = i; k < j; ++k) {
          if (out[level[k]].is_user) merged.push_back(level[k]);
          else merged.insert(merged.end(), kids[level[k]].begin(), kids[level[k]].end());
        }
        walk(merged);
      }
      i = j;
    }
  };
  std::vector<size_t> top_children;
  for (size_t t : tops) {
    if (out[t].is_user) top_children.push_back(t);
    else top_children.insert(top_children.end(), kids[t].begin(), kids[t].end());
  }
  walk(top_children);
  // Depth first: an account, its users, then its sub-accounts.
  std::vector<ShareFigures> ordered;
  ordered.reserve(n);
  std::function<void(size_t)> emit = [&](size_t i) {
    ordered.push_back(out[i]);
    for (size_t c : children[i])
      if (out[c].is_user) ordered.push_back(out[c]);
    for (size_t c : children[i])
      if (!out[c].is_user) emit(c);
  };
  for (size_t t : tops) emit(t);
  return ordered;
}

}  // namespace sluice::ctld
