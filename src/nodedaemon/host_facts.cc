#include "nodedaemon/host_facts.h"

#include <sys/utsname.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace sluice::node {

void ReadHostFacts(int64_t daemon_start, ::sluice::v1::HostFacts* h) {
  h->set_daemon_start(daemon_start);
  double load = 0;
  if (std::ifstream in("/proc/loadavg"); in >> load) h->set_cpu_load_x100(static_cast<uint32_t>(load * 100 + 0.5));
  std::ifstream mem("/proc/meminfo");
  for (std::string key; mem >> key;) {
    uint64_t kb = 0;
    mem >> kb;
    mem.ignore(64, '\n');
    if (key == "MemFree:") {
      h->set_free_mem_mb(kb / 1024);
      break;
    }
  }
  struct utsname u;
  if (uname(&u) == 0) {
    h->set_os(absl::StrCat(u.sysname, " ", u.release, " ", u.version));
    h->set_arch(u.machine);
  }
  std::ifstream st("/proc/stat");
  for (std::string key; st >> key;) {
    if (key == "btime") {
      int64_t b = 0;
      st >> b;
      h->set_boot_time(b);
      break;
    }
    st.ignore(1 << 20, '\n');
  }
}

uint64_t MemTotalMb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  in >> key >> kb;
  return kb / 1024;
}

}  // namespace sluice::node
