// sinfo: view partitions and nodes.
#include <getopt.h>

#include <cstdio>

#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/sinfo_format.h"

namespace sluice::cli {
namespace {

enum { kHelp = 1000, kUsage };
const struct option kLong[] = {
    {"Node", no_argument, nullptr, 'N'},
    {"noheader", no_argument, nullptr, 'h'},
    {"list-reasons", no_argument, nullptr, 'R'},
    {"all", no_argument, nullptr, 'a'},
    {"partition", required_argument, nullptr, 'p'},
    {"version", no_argument, nullptr, 'V'},
    {"help", no_argument, nullptr, kHelp},
    {"usage", no_argument, nullptr, kUsage},
    {nullptr, 0, nullptr, 0},
};

int Main(int argc, char** argv) {
  argv[0] = const_cast<char*>("sinfo");
  bool node_view = false, noheader = false, reasons = false;
  int c;
  while ((c = getopt_long(argc, argv, "NhRap:V", kLong, nullptr)) != -1) {
    switch (c) {
      case 'N': node_view = true; break;
      case 'h': noheader = true; break;
      case 'R': reasons = true; break;
      case 'V': std::printf("%s\n", kVersion); return 0;
      case kHelp: case kUsage:
        std::printf("Usage: sinfo [OPTIONS]\n\nSee docs/CLI.md for the "
                    "options Sluice supports.\n");
        return 0;
      case '?':
        std::fprintf(stderr, "Try \"sinfo --help\" for more information\n");
        return 1;
      default: break;
    }
  }
  auto cfg = LoadConfigOrComplain("sinfo");
  if (!cfg) return 1;
  CtldClient client(*cfg);
  auto rep = client.QueryCluster();
  if (!rep.ok()) {
    std::fprintf(stderr, "slurm_load_partitions: %s\n",
                 std::string(rep.status().message()).c_str());
    return 1;
  }
  std::string out = reasons     ? SinfoReasons(*rep, noheader)
                    : node_view ? SinfoNodes(*rep, noheader)
                                : SinfoDefault(*rep, noheader);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
