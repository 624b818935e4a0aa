#include "cli/sinfo_format.h"

#include "cli/sinfo_fields.h"

#include <functional>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/hostlist.h"
#include "common/job_types.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

using ::sluice::v1::NodeInfo;
using ::sluice::v1::PartitionInfo;
using ::sluice::v1::QueryClusterReply;

std::string ShortState(const NodeInfo& n) {
  return common::NodeStateShort(static_cast<common::NodeBaseState>(n.state()),
                                n.drain(), n.responding());
}

std::string Limit(const PartitionInfo& p) {
  if (p.max_time_min() < 0) return "infinite";
  return common::FormatTimeLimit(p.max_time_min());
}

std::string PartName(const PartitionInfo& p) {
  return p.name() + (p.is_default() ? "*" : "");
}

std::string Cut(std::string s, size_t w) {
  if (s.size() > w) s.resize(w);
  return s;
}

}  // namespace

std::string SinfoDefault(const QueryClusterReply& c, bool noheader) {
  std::map<std::string, const NodeInfo*> by_name;
  for (const auto& n : c.nodes()) by_name[n.name()] = &n;
  std::string out;
  if (!noheader) out += "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n";
  for (const auto& p : c.partitions()) {
    // A line per state, the highest of Slurm's numeric states first.
    std::map<std::pair<int, std::string>, std::vector<std::string>, std::greater<>> groups;
    for (const auto& name : p.nodes()) {
      auto it = by_name.find(name);
      if (it != by_name.end())
        groups[{SinfoStateRank(*it->second), ShortState(*it->second)}].push_back(name);
    }
    if (groups.empty()) groups[{0, "n/a"}] = {};
    for (const auto& [key, nodes] : groups) {
      const std::string& state = key.second;
      out += absl::StrFormat("%-9s %5s %10s %6d %6s %s\n",
                             Cut(PartName(p), 9), p.up() ? "up" : "down",
                             Limit(p), nodes.size(), Cut(state, 6),
                             common::CompressHostlist(nodes));
    }
  }
  return out;
}

std::string SinfoNodes(const QueryClusterReply& c, bool noheader) {
  std::string out;
  if (!noheader) out += "NODELIST   NODES PARTITION STATE \n";
  for (const auto& n : c.nodes()) {
    // Slurm lists a node's partitions in reverse configuration order.
    std::vector<const PartitionInfo*> parts;
    for (const auto& p : c.partitions())
      for (const auto& pn : p.nodes())
        if (pn == n.name()) parts.insert(parts.begin(), &p);
    for (const PartitionInfo* p : parts)
      out += absl::StrFormat("%-10s %5d %9s %-6s\n", Cut(n.name(), 10), 1,
                             Cut(PartName(*p), 9), ShortState(n));
  }
  return out;
}

std::string SinfoReasons(const QueryClusterReply& c, bool noheader) {
  std::string out;
  if (!noheader) out += "REASON               USER      TIMESTAMP           NODELIST\n";
  // Nodes with the same reason, user and time share a line.
  std::map<std::tuple<std::string, std::string, int64_t>, std::vector<std::string>> by_reason;
  for (const auto& n : c.nodes())
    if (!n.reason().empty())
      by_reason[{n.reason(), n.reason_user(), n.reason_time()}].push_back(n.name());
  for (const auto& [key, nodes] : by_reason) {
    const auto& [reason, user, when] = key;
    out += absl::StrFormat("%-20s %-9s %-19s %s\n", Cut(reason, 20),
                           Cut(user.empty() ? "root" : user, 9),
                           when ? common::FormatTimestamp(when) : "Unknown",
                           common::CompressHostlist(nodes));
  }
  return out;
}

}  // namespace sluice::cli
