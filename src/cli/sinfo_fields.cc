#include "cli/sinfo_fields.h"

#include <map>
#include <algorithm>
#include <functional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/hostlist.h"
#include "common/job_types.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

using ::sluice::v1::NodeInfo;
using ::sluice::v1::PartitionInfo;

struct Known {
  char letter;        // -o letter, 0 when -O only
  const char* name;   // -O name, lower case
  const char* header;
};
constexpr Known kFields[] = {
    {'P', "partition", "PARTITION"},   {'R', "partitionname", "PARTITION"},
    {'a', "available", "AVAIL"},       {'l', "timelimit", "TIMELIMIT"},
    {0, "time", "TIMELIMIT"},          {'L', "defaulttime", "DEFAULTTIME"},
    {'D', "nodes", "NODES"},           {'t', "statecompact", "STATE"},
    {'T', "statelong", "STATE"},       {'N', "nodelist", "NODELIST"},
    {'n', "nodehost", "HOSTNAMES"},    {'o', "nodeaddr", "NODE_ADDR"},
    {'G', "gres", "GRES"},
    {'c', "cpus", "CPUS"},             {'m', "memory", "MEMORY"},
    {'C', "cpusstate", "CPUS(A/I/O/T)"}, {'E', "reason", "REASON"},
    {'f', "features", "AVAIL_FEATURES"}, {'b', "features_act", "ACTIVE_FEATURES"},
    {'s', "size", "JOB_SIZE"},         {'r', "root", "ROOT"},
    {'h', "oversubscribe", "OVERSUBSCRIBE"}, {'g', "groups", "GROUPS"},
    {'F', "nodeaiot", "NODES(A/I/O/T)"}, {'A', "nodeai", "NODES(A/I)"},
    {'z', "socketcorethread", "S:C:T"}, {'X', "sockets", "SOCKETS"},
    {'Y', "cores", "CORES"},           {'Z', "threads", "THREADS"},
    {'d', "disk", "TMP_DISK"},         {'w', "weight", "WEIGHT"},
    {'S', "allocnodes", "ALLOCNODES"}, {'B', "maxcpuspernode", "MAX_CPUS_PER_NODE"},
    {'p', "prioritytier", "PRIO_TIER"}, {'I', "priorityjobfactor", "PRIO_JOB_FACTOR"},
    {'M', "preemptmode", "PREEMPT_MODE"},
    {0, "allocmem", "ALLOCMEM"},       {0, "port", "PORT"},
    {0, "version", "VERSION"},
    {0, "gresused", "GRES_USED"},
    {0, "gpuutil", "GPU_UTIL"},        {0, "gpumem", "GPU_MEM"},
};

const Known* ByLetter(char c) {
  for (const auto& k : kFields)
    if (k.letter == c) return &k;
  return nullptr;
}
const Known* ByName(absl::string_view n) {
  std::string l = absl::AsciiStrToLower(n);
  for (const auto& k : kFields)
    if (l == k.name) return &k;
  return nullptr;
}

std::string StateShort(const NodeInfo& n) {
  return common::NodeStateShort(static_cast<common::NodeBaseState>(n.state()),
                                n.drain(), n.responding());
}

// "gpu:2(IDX:0-1)" as Slurm's GresUsed; indices from the GPUs' holders.
std::string GresUsed(const NodeInfo& n) {
  if (n.gpus_total() == 0) return "(null)";
  std::vector<uint32_t> idx;
  for (const auto& g : n.gpus())
    if (g.job_id() != 0) idx.push_back(g.index());
  std::string type;
  if (!n.gpus().empty() && !n.gpus(0).type().empty()) type = n.gpus(0).type() + ":";
  std::string list = idx.empty() ? "N/A" : common::FormatIdRanges(idx);
  return absl::StrCat("gpu:", type, n.gpus_alloc(), "(IDX:", list, ")");
}

}  // namespace

std::string SinfoGresUsed(const NodeInfo& n) { return GresUsed(n); }

int SinfoStateRank(const NodeInfo& n) {
  int base = 0;  // Slurm's enum node_states
  switch (n.state()) {
    case ::sluice::v1::NODE_STATE_DOWN: base = 1; break;
    case ::sluice::v1::NODE_STATE_IDLE: base = 2; break;
    case ::sluice::v1::NODE_STATE_ALLOCATED: base = 3; break;
    case ::sluice::v1::NODE_STATE_MIXED: base = 5; break;
    default: base = 0;
  }
  return base | (n.drain() ? 0x200 : 0) | (n.responding() ? 0 : 0x800);
}

namespace {

std::string GpuUtil(const NodeInfo& n) {
  uint32_t sum = 0, count = 0;
  for (const auto& g : n.gpus())
    if (g.telemetry()) sum += g.gpu_util_pct(), ++count;
  return count ? absl::StrCat(sum / count, "%") : "N/A";
}

std::string GpuMem(const NodeInfo& n) {
  uint64_t used = 0, total = 0;
  for (const auto& g : n.gpus())
    if (g.telemetry()) used += g.memory_used_mb(), total += g.memory_total_mb();
  return total ? absl::StrCat(used, "/", total, "M") : "N/A";
}

// The value of one field for a partition and the nodes of a row.
std::string Value(const std::string& key, const PartitionInfo& p,
                  const std::vector<const NodeInfo*>& nodes) {
  const NodeInfo& n = *nodes.front();
  if (key == "partition") return p.name() + (p.is_default() ? "*" : "");
  if (key == "partitionname") return p.name();
  if (key == "available") return p.up() ? "up" : "down";
  if (key == "timelimit")
    return p.max_time_min() < 0 ? "infinite" : common::FormatTimeLimit(p.max_time_min());
  if (key == "nodes") return std::to_string(nodes.size());
  if (key == "statecompact") return StateShort(n);
  if (key == "statelong")
    return common::NodeStateLong(static_cast<common::NodeBaseState>(n.state()), n.drain(),
                                 n.responding());
  if (key == "nodelist" || key == "nodehost") {
    std::vector<std::string> names;
    for (const auto* x : nodes) names.push_back(key == "nodelist" ? x->name() : x->hostname());
    return common::CompressHostlist(names);
  }
  if (key == "gres") return n.gres().empty() ? "(null)" : n.gres();
  // Nodes grouped although these differ (no -e): the least, and '+'.
  auto least = [&](auto get) {
    auto lo = get(n), hi = get(n);
    for (const NodeInfo* x : nodes) lo = std::min(lo, get(*x)), hi = std::max(hi, get(*x));
    return absl::StrCat(lo, lo != hi ? "+" : "");
  };
  if (key == "cpus") return least([](const NodeInfo& x) { return x.cpus(); });
  if (key == "memory") return least([](const NodeInfo& x) { return x.real_memory_mb(); });
  if (key == "cpusstate") {
    uint64_t a = 0, i = 0, o = 0, t = 0;
    for (const auto* x : nodes) {
      t += x->cpus();
      bool out = x->drain() || x->state() == ::sluice::v1::NODE_STATE_DOWN;
      (out ? o : a) += out ? x->cpus() : x->alloc_cpus();
      if (!out) i += x->cpus() - x->alloc_cpus();
    }
    return absl::StrCat(a, "/", i, "/", o, "/", t);
  }
  if (key == "reason") return n.reason().empty() ? "none" : n.reason();
  if (key == "time") return Value("timelimit", p, nodes);
  if (key == "defaulttime")
    return p.default_time_min() < 0 ? "n/a" : common::FormatTimeLimit(p.default_time_min());
  if (key == "nodeaddr") {
    std::vector<std::string> addrs;
    for (const auto* x : nodes) addrs.push_back(x->addr());
    return common::CompressHostlist(addrs);
  }
  if (key == "features_act") return Value("features", p, nodes);
  if (key == "size")
    return absl::StrCat("1-", p.max_nodes() ? std::to_string(p.max_nodes()) : "infinite");
  if (key == "root") return "no";
  if (key == "oversubscribe") return "NO";
  if (key == "groups" || key == "allocnodes") return "all";
  if (key == "nodeaiot" || key == "nodeai") {
    // Nodes allocated (any CPU in use), idle, other (down or drained).
    uint64_t a = 0, i = 0, o = 0;
    for (const auto* x : nodes) {
      bool out = x->drain() || x->state() == ::sluice::v1::NODE_STATE_DOWN;
      (out ? o : x->alloc_cpus() ? a : i) += 1;
    }
    return key == "nodeai" ? absl::StrCat(a, "/", i)
                           : absl::StrCat(a, "/", i, "/", o, "/", nodes.size());
  }
  // Each Sluice node is one socket of all its CPUs, one thread a core.
  if (key == "socketcorethread") return absl::StrCat("1:", n.cpus(), ":1");
  if (key == "sockets" || key == "threads") return "1";
  if (key == "cores") return std::to_string(n.cpus());
  if (key == "disk") return least([](const NodeInfo& x) { return x.tmp_disk_mb(); });
  if (key == "weight") return "1";
  if (key == "maxcpuspernode") return "UNLIMITED";
  if (key == "prioritytier" || key == "priorityjobfactor") return "1";
  if (key == "preemptmode") return "OFF";
  if (key == "allocmem") return std::to_string(n.alloc_memory_mb());
  if (key == "port") return std::to_string(n.port());
  if (key == "version") return "22.05.8";
  if (key == "features") return n.features().empty() ? "(null)" : n.features();
  if (key == "gresused") return GresUsed(n);
  if (key == "gpuutil") return GpuUtil(n);
  if (key == "gpumem") return GpuMem(n);
  return "";
}

std::string Pad(const std::string& v, const SinfoField& f) {
  if (f.width == 0) return v;
  std::string s = v.substr(0, static_cast<size_t>(f.width));
  return f.right ? absl::StrFormat("%*s", f.width, s) : absl::StrFormat("%-*s", f.width, s);
}

}  // namespace

absl::StatusOr<std::vector<SinfoField>> ParseSinfoFormat(const std::string& fmt) {
  std::vector<SinfoField> out;
  std::string lit;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      lit += fmt[i];
      continue;
    }
    SinfoField f;
    size_t j = i + 1;
    if (j < fmt.size() && fmt[j] == '-') ++j;  // left, the default
    if (j < fmt.size() && fmt[j] == '.') f.right = true, ++j;
    size_t k = j;
    while (k < fmt.size() && absl::ascii_isdigit(static_cast<unsigned char>(fmt[k]))) ++k;
    if (k > j) (void)absl::SimpleAtoi(fmt.substr(j, k - j), &f.width);
    if (k >= fmt.size()) return absl::InvalidArgumentError("Invalid node format specification");
    if (fmt[k] == '%') {
      lit += '%';
      i = k;
      continue;
    }
    const Known* known = ByLetter(fmt[k]);
    if (!known)
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid node format specification: ", std::string(1, fmt[k])));
    if (!lit.empty()) out.push_back({"", "", 0, false, lit}), lit.clear();
    f.key = known->name;
    f.header = known->header;
    out.push_back(f);
    i = k;
  }
  if (!lit.empty()) out.push_back({"", "", 0, false, lit});
  return out;
}

absl::StatusOr<std::vector<SinfoField>> ParseSinfoLongFormat(const std::string& fmt) {
  std::vector<SinfoField> out;
  for (absl::string_view item : absl::StrSplit(fmt, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ':');
    const Known* known = ByName(parts[0]);
    if (!known)
      return absl::InvalidArgumentError(absl::StrCat("Invalid node format specification: ",
                                                     parts[0]));
    SinfoField f;
    f.key = known->name;
    f.header = known->header;
    f.width = 20;
    if (parts.size() > 1) {
      absl::string_view w = parts[1];
      if (absl::ConsumePrefix(&w, ".")) f.right = true;
      if (!w.empty() && !absl::SimpleAtoi(w, &f.width))
        return absl::InvalidArgumentError(absl::StrCat("Invalid field width: ", item));
    }
    out.push_back(f);  // -O pads every field, the last too, and adds no separator
  }
  return out;
}

namespace {

struct Row {
  const PartitionInfo* part;
  std::vector<const NodeInfo*> nodes;
};

// Text with runs of digits compared as numbers ("n2" < "n10").
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(a[i])) &&
        absl::ascii_isdigit(static_cast<unsigned char>(b[j]))) {
      size_t x = i, y = j;
      while (x < a.size() && absl::ascii_isdigit(static_cast<unsigned char>(a[x]))) ++x;
      while (y < b.size() && absl::ascii_isdigit(static_cast<unsigned char>(b[y]))) ++y;
      std::string na = a.substr(i, x - i), nb = b.substr(j, y - j);
      na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
      nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = x, j = y;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i, ++j;
  }
  return a.size() - i < b.size() - j;
}

// -S: each key from the last to the first, a stable sort by it; a
// descending key sorts ascending and then turns the whole list round, as
// Slurm's lists come out (ties reversed too).
void SortRows(std::vector<Row>* rows, const std::string& sort) {
  std::vector<std::pair<const Known*, bool>> keys;  // field, descending
  for (absl::string_view t : absl::StrSplit(sort, ',', absl::SkipEmpty())) {
    bool desc = absl::ConsumePrefix(&t, "-");
    if (!desc) absl::ConsumePrefix(&t, "+");
    if (t.size() != 1) continue;
    if (const Known* k = ByLetter(t[0])) keys.emplace_back(k, desc);
  }
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    const std::string key = it->first->name;
    std::vector<std::pair<std::string, Row>> keyed;
    for (auto& r : *rows) keyed.emplace_back(Value(key, *r.part, r.nodes), std::move(r));
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      return NaturalLess(a.first, b.first);
    });
    if (it->second) std::reverse(keyed.begin(), keyed.end());
    rows->clear();
    for (auto& [v, r] : keyed) rows->push_back(std::move(r));
  }
}

std::vector<Row> SinfoRows(const ::sluice::v1::QueryClusterReply& c,
                           const std::vector<SinfoField>& fields, bool node_view, bool sorting,
                           bool exact);

}  // namespace

std::string SinfoFormatted(const ::sluice::v1::QueryClusterReply& c,
                           const std::vector<SinfoField>& fields, bool node_view,
                           bool noheader, const std::string& sort, bool exact) {
  std::map<std::string, const NodeInfo*> by_name;
  for (const auto& n : c.nodes()) by_name[n.name()] = &n;
  std::string out;
  auto line = [&](const std::function<std::string(const SinfoField&)>& cell) {
    std::string l;
    for (const auto& f : fields) l += f.key.empty() ? f.literal : Pad(cell(f), f);
    out += l + "\n";
  };
  if (!noheader) line([](const SinfoField& f) { return f.header; });
  std::vector<Row> rows = SinfoRows(c, fields, node_view, !sort.empty(), exact);
  if (sort.empty() && !node_view) {
    // Slurm's own order ("#P,-t"): partitions as configured, then the
    // highest node state first.
    std::map<const PartitionInfo*, int> order;
    for (int i = 0; i < c.partitions_size(); ++i) order[&c.partitions(i)] = i;
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      int pa = order[a.part], pb = order[b.part];
      if (pa != pb) return pa < pb;
      return SinfoStateRank(*a.nodes.front()) > SinfoStateRank(*b.nodes.front());
    });
  }
  SortRows(&rows, sort);
  for (const auto& r : rows)
    line([&](const SinfoField& f) { return Value(f.key, *r.part, r.nodes); });
  return out;
}

namespace {

// The rows in Slurm's order: a line per node and partition (-N: nodes in
// order, each node's partitions in reverse configuration order; with -S,
// partitions first, from which the sort starts), or per partition and
// group of nodes whose shown values agree.
std::vector<Row> SinfoRows(const ::sluice::v1::QueryClusterReply& c,
                           const std::vector<SinfoField>& fields, bool node_view, bool sorting,
                           bool exact) {
  std::map<std::string, const NodeInfo*> by_name;
  for (const auto& n : c.nodes()) by_name[n.name()] = &n;
  std::vector<Row> out;
  // Without a partition field shown, Slurm folds the partitions together:
  // each node counts once (sinfo -o %N is "n[1-4]", not a line a partition).
  const bool per_partition = std::any_of(fields.begin(), fields.end(), [](const SinfoField& f) {
    return f.key == "partition" || f.key == "partitionname" || f.key == "available" ||
           f.key == "timelimit";
  });
  if (node_view) {
    auto holds = [](const PartitionInfo& p, const std::string& n) {
      return std::find(p.nodes().begin(), p.nodes().end(), n) != p.nodes().end();
    };
    if (sorting) {
      for (int i = c.partitions_size() - 1; i >= 0; --i)
        for (const auto& n : c.nodes())
          if (holds(c.partitions(i), n.name())) out.push_back({&c.partitions(i), {&n}});
    } else {
      for (const auto& n : c.nodes())
        for (int i = c.partitions_size() - 1; i >= 0; --i)
          if (holds(c.partitions(i), n.name())) out.push_back({&c.partitions(i), {&n}});
    }
    return out;
  }
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::vector<const NodeInfo*>>> rows;
  const PartitionInfo* first = nullptr;
  for (const auto& p : c.partitions()) {
    if (!first) first = &p;
    // Rows: nodes whose shown values (other than the node list) agree.
    if (per_partition) rows.clear();
    for (const auto& name : p.nodes()) {
      auto it = by_name.find(name);
      if (it == by_name.end()) continue;
      if (!per_partition && !seen.insert(name).second) continue;
      std::string sig;
      // Without -e, CPUs, memory and disk do not split a group (sinfo(1)).
      for (const auto& f : fields)
        if (!f.key.empty() && f.key != "nodelist" && f.key != "nodehost" &&
            f.key != "nodes" && f.key != "cpusstate" && f.key != "nodeaiot" &&
            f.key != "nodeai" && f.key != "nodeaddr" &&
            (exact || (f.key != "cpus" && f.key != "memory" && f.key != "disk")))
          absl::StrAppend(&sig, Value(f.key, p, {it->second}), "\x1f");
      auto row = std::find_if(rows.begin(), rows.end(),
                              [&](const auto& r) { return r.first == sig; });
      if (row == rows.end()) rows.push_back({sig, {it->second}});
      else row->second.push_back(it->second);
    }
    if (per_partition)
      for (auto& [sig, nodes] : rows) out.push_back({&p, std::move(nodes)});
  }
  if (!per_partition && first)
    for (auto& [sig, nodes] : rows) out.push_back({first, std::move(nodes)});
  return out;
}

}  // namespace
}  // namespace sluice::cli
