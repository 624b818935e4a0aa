// sinfo: view partitions and nodes.
#include <getopt.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include <set>

#include "common/process_init.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/views_json.h"
#include "cli/cli_util.h"
#include "cli/query_help.h"
#include "cli/sinfo_states.h"
#include "common/hostlist.h"
#include "cli/ctld_client.h"
#include "cli/sinfo_fields.h"
#include "cli/sinfo_format.h"
#include "cli/sinfo_settings.h"

namespace sluice::cli {
namespace {

struct ViewFlags {
  bool node_view, noheader, reasons, long_view, responding_only, dead_only, iterate;
  std::string sort;  // -S / SINFO_SORT
  bool exact;        // -e
  std::string cluster;  // -M: named above the listing
};

int Show(CtldClient& client, const std::vector<SinfoField>& fields,
         const std::vector<std::string>& states, const std::string& node_filter,
         const std::string& part_filter, const ViewFlags& v);

enum { kHelp = 1000, kUsage, kJson, kYaml, kInert };
const struct option kLong[] = {
    {"Node", no_argument, nullptr, 'N'},
    {"noheader", no_argument, nullptr, 'h'},
    {"list-reasons", no_argument, nullptr, 'R'},
    {"all", no_argument, nullptr, 'a'},
    {"partition", required_argument, nullptr, 'p'},
    {"format", required_argument, nullptr, 'o'},
    {"nodes", required_argument, nullptr, 'n'},
    {"states", required_argument, nullptr, 't'},
    {"Format", required_argument, nullptr, 'O'},
    {"long", no_argument, nullptr, 'l'},
    {"summarize", no_argument, nullptr, 's'},
    {"exact", no_argument, nullptr, 'e'},
    {"responding", no_argument, nullptr, 'r'},
    {"dead", no_argument, nullptr, 'd'},
    {"iterate", required_argument, nullptr, 'i'},
    {"sort", required_argument, nullptr, 'S'},
    {"clusters", required_argument, nullptr, 'M'},
    {"federation", no_argument, nullptr, kInert},
    {"local", no_argument, nullptr, kInert},
    {"hide", no_argument, nullptr, kInert},
    {"noconvert", no_argument, nullptr, kInert},
    {"reservation", no_argument, nullptr, 'T'},
    {"verbose", no_argument, nullptr, 'v'},
    {"version", no_argument, nullptr, 'V'},
    {"help", no_argument, nullptr, kHelp},
    {"usage", no_argument, nullptr, kUsage},
    {"json", no_argument, nullptr, kJson},
    {"yaml", no_argument, nullptr, kYaml},
    {nullptr, 0, nullptr, 0},
};

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("sinfo");
  bool node_view = false, noheader = false, reasons = false, long_view = false,
       summarize = false, responding_only = false, dead_only = false;
  int iterate_s = 0, verbose = 0;
  std::string given_format;
  bool reservations = false, exact = false, all = false;
  std::string sort, clusters;
  char document = 0;  // --json 'j', --yaml 'y': every node, unfiltered, as Slurm
  std::string format, long_format, node_filter, part_filter;
  std::vector<std::string> states;  // -t: canonical names; empty: all
  int c;
  while ((c = getopt_long(argc, argv, "NhRap:Vo:O:n:t:lserdi:S:TvM:", kLong, nullptr)) != -1) {
    switch (c) {
      case 'N': node_view = true; break;
      case 'h': noheader = true; break;
      case 'R': reasons = true; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case 'o': format = optarg; break;
      case 'n': node_filter = optarg; break;
      case 'p': part_filter = optarg; break;
      case 't': {
        auto s = ParseNodeStates(optarg);
        if (!s.ok()) {
          for (absl::string_view l : absl::StrSplit(s.status().message(), '\n'))
            PrintError("sinfo", std::string(l));
          return 1;
        }
        states = *s;
        break;
      }
      case 'O': long_format = optarg; break;
      case 'l': long_view = true; break;
      case 's': summarize = true; break;
      // -e: nodes group only with nodes of equal CPUs, memory and disk too.
      case 'e': exact = true; break;
      case 'S': sort = optarg; break;
      case 'M': clusters = optarg; break;
      // Inert, as in Slurm on a lone cluster without hidden partitions
      // (docs/CLI.md): --federation, --local, --hide; --noconvert (sinfo
      // prints sizes in MB).
      case kInert: break;
      // -T: reservations; Sluice has none (Slurm's answer for none).
      case 'T': reservations = true; break;
      case 'v': ++verbose; break;
      case 'r': responding_only = true; break;
      case 'd': dead_only = true; break;
      case 'i':
        if (!absl::SimpleAtoi(optarg, &iterate_s) || iterate_s <= 0) {
          PrintError("sinfo", absl::StrCat("invalid --iterate value: ", optarg));
          return 1;
        }
        break;
      case kJson: document = 'j'; break;
      case kYaml: document = 'y'; break;
      case kHelp: std::fputs(SinfoHelp(), stdout); return 0;
      case kUsage: std::fputs(SinfoUsage(), stdout); return 0;
      case '?':
        std::fprintf(stderr, "Try \"sinfo --help\" for more information\n");
        return 1;
      case 'a': all = true; break;  // inert: no hidden partitions here (docs/CLI.md)
      default:
        return NoHandler("sinfo", c);
    }
  }
  // SINFO_FORMAT and SINFO_PARTITION (sinfo(1)) stand for -o and -p where
  // the command line gives neither.
  if (const char* f = getenv("SINFO_FORMAT"); f && *f && format.empty() && long_format.empty())
    format = f;
  if (const char* p = getenv("SINFO_PARTITION"); p && *p && part_filter.empty()) part_filter = p;
  if (const char* s = getenv("SINFO_SORT"); s && *s && sort.empty()) sort = s;
  // Slurm's own views of -l, -s and -N -l, in its format language.
  given_format = !format.empty() ? format : long_format;
  if (format.empty() && long_format.empty() && !reasons) {
    if (summarize) format = "%9P %.5a %.10l %.16F %N";
    else if (long_view && node_view)
      format = "%-10N %.5D %.9P %.11T %4c %.8z %.6m %.8d %.6w %.8f %20E";
    else if (long_view) format = "%9P %.5a %.10l %.10s %.4r %.8h %.10g %.6D %.11T %N";
    // Sorting and -v need the fields of the plain views too.
    else if (!sort.empty() || verbose) format = node_view ? "%10N %.5D %.9P %6t" : "%9P %.5a %.10l %.6D %.6t %N";
  }
  std::vector<SinfoField> fields;
  if (!format.empty() || !long_format.empty()) {
    auto f = format.empty() ? ParseSinfoLongFormat(long_format) : ParseSinfoFormat(format);
    if (!f.ok()) {
      std::fprintf(stderr, "sinfo: error: %s\n", std::string(f.status().message()).c_str());
      return 1;
    }
    fields = *f;
  }
  auto cfg = LoadConfigOrComplain("sinfo");
  if (!cfg) return 1;
  if (!OnlyThisCluster("sinfo", clusters, *cfg, true)) return 1;
  CtldClient& client = CommandClient(*cfg);
  if (verbose) {
    SinfoSettings s{fields, node_view, noheader, long_view, summarize, responding_only,
                    dead_only, exact, all, iterate_s, verbose, node_filter, part_filter,
                    states, sort, given_format};
    std::fputs(SinfoSettingsDump(s).c_str(), stdout);
  }
  if (reservations) {
    if (auto rep = client.QueryCluster(); !rep.ok()) {
      std::fprintf(stderr, "slurm_load_reservations: %s\n", std::string(rep.status().message()).c_str());
      return 1;
    }
    std::printf("No reservations in the system\n");
    return 0;
  }
  if (document) {
    auto rep = client.QueryCluster();
    if (!rep.ok()) {
      std::fprintf(stderr, "slurm_load_partitions: %s\n",
                   std::string(rep.status().message()).c_str());
      return 1;
    }
    std::fputs(SinfoDocument(*rep, document == 'y').c_str(), stdout);
    return 0;
  }
  for (;;) {
    int rc = Show(client, fields, states, node_filter, part_filter,
                  {node_view, noheader, reasons, long_view, responding_only, dead_only,
                   iterate_s > 0 || verbose > 0, sort, exact,
                   clusters.empty() ? "" : cfg->cluster_name});
    if (rc != 0 || iterate_s == 0) return rc;
    std::fputc('\n', stdout);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(iterate_s));
  }
}

int Show(CtldClient& client, const std::vector<SinfoField>& fields,
         const std::vector<std::string>& states, const std::string& node_filter,
         const std::string& part_filter, const ViewFlags& v) {
  auto rep = client.QueryCluster();
  if (!rep.ok()) {
    std::fprintf(stderr, "slurm_load_partitions: %s\n",
                 std::string(rep.status().message()).c_str());
    return 1;
  }
  if (v.responding_only || v.dead_only) {
    // -r / -d: only nodes that answer / that do not (or are DOWN).
    std::set<std::string> keep;
    for (const auto& n : rep->nodes()) {
      bool dead = !n.responding() || n.state() == ::sluice::v1::NODE_STATE_DOWN;
      if (dead == v.dead_only) keep.insert(n.name());
    }
    for (auto& p : *rep->mutable_partitions()) {
      std::vector<std::string> kept;
      for (const auto& n : p.nodes())
        if (keep.count(n)) kept.push_back(n);
      p.clear_nodes();
      for (const auto& n : kept) p.add_nodes(n);
    }
  }
  if (!states.empty()) {
    // -t: a partition keeps only its nodes in those states (none: n/a).
    std::set<std::string> in_state;
    for (const auto& n : rep->nodes())
      if (NodeInStates(n, states)) in_state.insert(n.name());
    for (auto& p : *rep->mutable_partitions()) {
      std::vector<std::string> kept;
      for (const auto& n : p.nodes())
        if (in_state.count(n)) kept.push_back(n);
      p.clear_nodes();
      for (const auto& n : kept) p.add_nodes(n);
    }
  }
  if (!node_filter.empty() || !part_filter.empty()) {
    std::set<std::string> keep;
    if (auto names = common::ExpandHostlist(node_filter); names.ok())
      keep.insert(names->begin(), names->end());
    std::set<std::string> parts = absl::StrSplit(part_filter, ',', absl::SkipEmpty());
    auto* ps = rep->mutable_partitions();
    for (int i = ps->size() - 1; i >= 0; --i) {
      auto* p = ps->Mutable(i);
      if (!parts.empty() && !parts.count(p->name())) {
        ps->DeleteSubrange(i, 1);
        continue;
      }
      if (node_filter.empty()) continue;
      std::vector<std::string> kept;
      for (const auto& n : p->nodes())
        if (keep.count(n)) kept.push_back(n);
      p->clear_nodes();
      for (const auto& n : kept) p->add_nodes(n);
    }
  }
  std::string out;
  if (!v.cluster.empty() && !v.noheader) absl::StrAppend(&out, "CLUSTER: ", v.cluster, "\n");
  if (v.long_view || (v.iterate && !v.noheader)) {  // -l, -i: the time first, as Slurm
    absl::StrAppend(&out, ListingTime(rep->now()), "\n");
  }
  absl::StrAppend(&out, !fields.empty() ? SinfoFormatted(*rep, fields, v.node_view, v.noheader, v.sort, v.exact)
                        : v.reasons     ? SinfoReasons(*rep, v.noheader)
                        : v.node_view   ? SinfoNodes(*rep, v.noheader)
                                        : SinfoDefault(*rep, v.noheader));
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
