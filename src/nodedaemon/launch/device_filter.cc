#include "nodedaemon/launch/device_filter.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sluice::node {
namespace {

constexpr int32_t kNvidiaMajor = 195;

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// r1 = struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
std::vector<bpf_insn> Program(const std::vector<uint32_t>& denied) {
  std::vector<bpf_insn> p;
  p.push_back(Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0));  // r2 = access_type
  p.push_back(Insn(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff));  // device type
  size_t jump_type = p.size();
  p.push_back(Insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0, BPF_DEVCG_DEV_CHAR));
  p.push_back(Insn(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 4, 0));  // r3 = major
  size_t jump_major = p.size();
  p.push_back(Insn(BPF_JMP | BPF_JNE | BPF_K, 3, 0, 0, kNvidiaMajor));
  p.push_back(Insn(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 8, 0));  // r4 = minor
  std::vector<size_t> to_deny;
  for (uint32_t m : denied) {
    to_deny.push_back(p.size());
    p.push_back(Insn(BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 0, static_cast<int32_t>(m)));
  }
  size_t allow = p.size();
  p.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1));  // r0 = 1: allow
  p.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  size_t deny = p.size();
  p.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));  // r0 = 0: deny
  p.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  auto target = [&](size_t from, size_t to) {
    p[from].off = static_cast<int16_t>(to - from - 1);
  };
  target(jump_type, allow);
  target(jump_major, allow);
  for (size_t j : to_deny) target(j, deny);
  return p;
}

long Bpf(int cmd, bpf_attr* attr) {
  return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

}  // namespace

absl::Status AttachGpuDeviceFilter(const std::string& dir,
                                   const std::vector<uint32_t>& denied_minors) {
  std::vector<bpf_insn> prog = Program(denied_minors);
  static const char kLicense[] = "Apache-2.0";
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uint64_t>(prog.data());
  load.insn_cnt = static_cast<uint32_t>(prog.size());
  load.license = reinterpret_cast<uint64_t>(kLicense);
  int prog_fd = static_cast<int>(Bpf(BPF_PROG_LOAD, &load));
  if (prog_fd < 0)
    return absl::UnavailableError(absl::StrCat("loading the device filter: ", strerror(errno)));
  int cg_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg_fd < 0) {
    int err = errno;
    ::close(prog_fd);
    return absl::InternalError(absl::StrCat(dir, ": ", strerror(err)));
  }
  bpf_attr attach{};
  attach.target_fd = static_cast<uint32_t>(cg_fd);
  attach.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  long rc = Bpf(BPF_PROG_ATTACH, &attach);
  int err = errno;
  ::close(cg_fd);
  ::close(prog_fd);
  if (rc != 0)
    return absl::UnavailableError(absl::StrCat("attaching the device filter to ", dir, ": ",
                                               strerror(err)));
  return absl::OkStatus();
}

}  // namespace sluice::node
