#include "common/cpu_bind.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sluice::common {

absl::StatusOr<CpuBind> ParseCpuBind(absl::string_view text) {
  CpuBind b;
  auto bad = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("unrecognized --cpu-bind argument \"", what, "\""));
  };
  for (absl::string_view tok : absl::StrSplit(text, ',')) {
    std::string t = absl::AsciiStrToLower(tok);
    if (t == "verbose" || t == "v") {
      b.verbose = true;
    } else if (t == "quiet" || t == "q") {
      b.verbose = false;
    } else if (t == "none" || t == "no") {
      b.type = CpuBind::Type::kNone;
    } else if (t == "cores" || t == "threads" || t == "sockets" || t == "ldoms" || t == "rank") {
      b.type = CpuBind::Type::kBlock;
    } else if (absl::StartsWith(t, "map_cpu:") || absl::StartsWith(t, "mask_cpu:")) {
      bool mask = t[1] == 'a' && t[2] == 's';
      b.type = mask ? CpuBind::Type::kMask : CpuBind::Type::kMap;
      for (absl::string_view v : absl::StrSplit(t.substr(t.find(':') + 1), ':')) {
        uint64_t x;
        bool ok = mask ? absl::SimpleHexAtoi(absl::StripPrefix(v, "0x"), &x)
                       : absl::SimpleAtoi(v, &x);
        if (!ok || (!mask && x > 4095)) return bad(tok);
        b.list.push_back(x);
      }
      if (b.list.empty()) return bad(tok);
    } else {
      return bad(tok);
    }
  }
  return b;
}

std::vector<uint32_t> CpusForTask(const CpuBind& b, const std::vector<uint32_t>& cpus,
                                  uint32_t local, uint32_t tasks) {
  std::vector<uint32_t> out;
  if (cpus.empty() || tasks == 0) return out;
  switch (b.type) {
    case CpuBind::Type::kNone:
      return out;
    case CpuBind::Type::kBlock: {
      size_t per = std::max<size_t>(1, cpus.size() / tasks);
      size_t first = (local * per) % cpus.size();
      for (size_t i = 0; i < per && first + i < cpus.size(); ++i) out.push_back(cpus[first + i]);
      return out;
    }
    case CpuBind::Type::kMap: {
      uint32_t cpu = static_cast<uint32_t>(b.list[local % b.list.size()]);
      if (std::find(cpus.begin(), cpus.end(), cpu) != cpus.end()) out.push_back(cpu);
      return out;
    }
    case CpuBind::Type::kMask: {
      uint64_t m = b.list[local % b.list.size()];
      for (uint32_t c : cpus)
        if (c < 64 && (m >> c & 1)) out.push_back(c);
      return out;
    }
  }
  return out;
}

std::string CpuMask(const std::vector<uint32_t>& cpus) {
  uint64_t m = 0;
  for (uint32_t c : cpus)
    if (c < 64) m |= uint64_t{1} << c;
  return absl::StrCat("0x", absl::Hex(m));
}

}  // namespace sluice::common
