// Cgroup hierarchy detection from /proc/mounts text, cgroup.conf parsing,
// the fake GPU probe's load and injected faults, and GPU health verdicts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fstream>

#include "common/cgroup_conf.h"
#include "common/gpu_status.h"
#include "common/hostlist.h"
#include "nodedaemon/gpu/gpu_probe.h"
#include "nodedaemon/launch/cgroup.h"
#include "nodedaemon/launch/device_filter.h"

namespace sluice::node {
namespace {

using ::testing::HasSubstr;

TEST(CgroupDetectTest, NoHierarchyMeansTrackingOnlyWithOneClearNote) {
  common::CgroupConf c;
  c.constrain_ram_space = true;
  std::string note;
  auto m = DetectCgroups(c, "proc /proc proc rw 0 0\n", &note);
  EXPECT_EQ(m, nullptr);
  EXPECT_THAT(note, HasSubstr("tracked by process parentage only"));
  EXPECT_THAT(note, HasSubstr("not enforced: cores, memory, GPU devices"));
}

TEST(CgroupDetectTest, AnEmptyV2HierarchyFallsBackToV1Controllers) {
  // As on these machines: v1 controllers plus a cgroup2 mount that has none
  // (a path with no cgroup.controllers file reads as empty).
  std::string mounts =
      "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n"
      "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
      "cgroup2 /nonexistent/unified cgroup2 rw,relatime 0 0\n";
  common::CgroupConf c;
  c.constrain_devices = true;
  std::string note;
  auto m = DetectCgroups(c, mounts, &note);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->Describe(), "cgroup/v1 (cpuset memory)");
  EXPECT_THAT(note, HasSubstr("enforced: nothing; not enforced: cores (ConstrainCores=no), "
                              "memory (ConstrainRAMSpace=no), GPU devices (ConstrainDevices: "
                              "no controller)"));
}

TEST(CgroupDetectTest, TheStartUpLineNamesOnlyWhatIsEnforced) {
  std::string mounts =
      "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n"
      "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
      "cgroup /sys/fs/cgroup/devices cgroup rw,relatime,devices 0 0\n";
  common::CgroupConf c;  // nothing asked for: nothing claimed
  std::string note;
  ASSERT_NE(DetectCgroups(c, mounts, &note), nullptr);
  EXPECT_THAT(note, HasSubstr("; enforced: nothing;"));
  c.constrain_cores = c.constrain_ram_space = c.constrain_devices = true;
  ASSERT_NE(DetectCgroups(c, mounts, &note), nullptr);
  EXPECT_EQ(note, "tracking jobs with cgroup/v1 (cpuset devices memory); enforced: cores, "
                  "memory, GPU devices");
}

TEST(CgroupDetectTest, ForcingV2WithoutAnyV2HierarchyConfinesNothing) {
  common::CgroupConf c;
  c.plugin = "cgroup/v2";
  std::string note;
  EXPECT_EQ(DetectCgroups(c, "cgroup /x cgroup rw,memory 0 0\n", &note), nullptr);
}

TEST(CgroupDetectTest, ForcingV2UsesAnEmptyHierarchyForTrackingAndDevices) {
  common::CgroupConf c;
  c.plugin = "cgroup/v2";
  c.constrain_ram_space = true;
  c.constrain_devices = true;
  std::string note;
  auto m = DetectCgroups(c, "cgroup2 /nonexistent/unified cgroup2 rw 0 0\n", &note);
  ASSERT_NE(m, nullptr);
  EXPECT_THAT(note, HasSubstr("cgroup/v2 at /nonexistent/unified"));
  EXPECT_THAT(note, HasSubstr("enforced: GPU devices; not enforced: cores (ConstrainCores=no), "
                              "memory (ConstrainRAMSpace: no controller)"));
}

TEST(CgroupDetectTest, ScopesDifferPerSpoolDirectory) {
  EXPECT_NE(CgroupScope("n1", "/var/spool/a"), CgroupScope("n1", "/var/spool/b"));
  EXPECT_THAT(CgroupScope("n1", "/var/spool/a"), ::testing::StartsWith("n1_"));
  EXPECT_EQ(common::FormatIdRanges({3, 0, 1, 2, 8}), "0-3,8");
  EXPECT_EQ(common::FormatRepeatedCounts({2, 2, 1}), "2(x2),1");
}

TEST(FavorDynmodsTest, RemountKeepsTheMountsFlagsAndOptionsAndAddsFavordynmods) {
  std::string why;
  // systemd's unified hierarchy: nosuid, nodev, noexec and its own options
  // must survive (a remount resets what it is not given).
  auto r = FavorDynmodsRemount(
      "proc /proc proc rw 0 0\n"
      "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
      "cgroup2 /sys/fs/cgroup cgroup2 rw,seclabel,nosuid,nodev,noexec,relatime,"
      "nsdelegate,memory_recursiveprot 0 0\n",
      &why);
  ASSERT_TRUE(r.has_value()) << why;
  EXPECT_EQ(r->target, "/sys/fs/cgroup");
  EXPECT_EQ(r->flags, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
  EXPECT_EQ(r->data, "nsdelegate,memory_recursiveprot,favordynmods");
  // A hybrid host's empty unified mount, with a space in its path.
  r = FavorDynmodsRemount("cgroup2 /sys/fs/cg\\040x cgroup2 rw,relatime 0 0\n", &why);
  ASSERT_TRUE(r.has_value()) << why;
  EXPECT_EQ(r->target, "/sys/fs/cg x");
  EXPECT_EQ(r->data, "favordynmods");
}

TEST(FavorDynmodsTest, NothingToDoWhenAlreadyOnOrWithoutCgroup2) {
  std::string why;
  EXPECT_FALSE(FavorDynmodsRemount(
      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime,favordynmods 0 0\n", &why));
  EXPECT_THAT(why, HasSubstr("already on at /sys/fs/cgroup/unified"));
  EXPECT_FALSE(FavorDynmodsRemount("cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n", &why));
  EXPECT_EQ(why, "no cgroup2 hierarchy is mounted");
  // A truncated escape at the end of a path is kept as written.
  auto r = FavorDynmodsRemount("cgroup2 /a\\04 cgroup2 rw 0 0", &why);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->target, "/a\\04");
}

TEST(CgroupConfTest, ParsesTheConstrainKeysAndRejectsNonsense) {
  auto c = common::ParseCgroupConfText(
      "# comment\nCgroupPlugin=cgroup/v1\nConstrainCores=yes\nConstrainRAMSpace=YES\n"
      "ConstrainDevices=no\nAllowedRAMSpace=110\nMystery=1\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->plugin, "cgroup/v1");
  EXPECT_TRUE(c->constrain_cores);
  EXPECT_TRUE(c->constrain_ram_space);
  EXPECT_FALSE(c->constrain_devices);
  EXPECT_EQ(c->allowed_ram_space_pct, 110);
  EXPECT_EQ(c->warnings.size(), 1u);
  EXPECT_THAT(common::ParseCgroupConfText("ConstrainCores=maybe\n").status().message(),
              HasSubstr("cgroup.conf line 1: ConstrainCores must be yes or no"));
  EXPECT_FALSE(common::ParseCgroupConfText("CgroupPlugin=cgroup/v9\n").ok());
  EXPECT_FALSE(common::ParseCgroupConfText("no equals sign\n").ok());
}

TEST(GpuHealthTest, FatalConditionsNameWhatWentWrong) {
  common::GpuStatus g;
  g.index = 2;
  g.uuid = "GPU-abc";
  EXPECT_EQ(common::FatalGpuCondition(g, true, ""), "");
  g.last_xid = 13;  // an application fault: not the GPU's
  EXPECT_EQ(common::FatalGpuCondition(g, true, ""), "");
  g.last_xid = 79;
  g.health = common::FatalGpuCondition(g, true, "");
  EXPECT_EQ(g.health, "XID 79 (fallen off the bus)");
  EXPECT_EQ(common::GpuDrainReason(g), "GPU 2 (GPU-abc): XID 79 (fallen off the bus)");
  g.last_xid = 0;
  g.ecc_uncorrected = 2;
  EXPECT_EQ(common::FatalGpuCondition(g, true, ""), "2 uncorrectable ECC error(s)");
  EXPECT_EQ(common::FatalGpuCondition(g, false, "GPU is lost"),
            "NVML cannot read it (GPU is lost)");
}

TEST(FakeGpuProbeTest, AllocatedGpusShowLoadAndInjectedFaultsShowUp) {
  char tmpl[] = "/tmp/sluice-gpu-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string faults = dir + "/faults";
  auto probe = MakeFakeGpuProbe(3, "h100", faults);
  auto s = probe->Sample({{1, 42}}, 1000);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].job_id, 42u);
  EXPECT_GE(s[1].gpu_util_pct, 90u);
  EXPECT_GT(s[1].memory_used_mb, 0u);
  EXPECT_EQ(s[0].gpu_util_pct, 0u);
  for (const auto& g : s) EXPECT_EQ(g.health, "");
  std::ofstream(faults) << "0 ecc_uncorrected=1\n2 xid=79\n1 unreadable\nbogus\n";
  s = probe->Sample({}, 1001);
  EXPECT_EQ(s[0].health, "1 uncorrectable ECC error(s)");
  EXPECT_THAT(s[1].health, HasSubstr("NVML cannot read it"));
  EXPECT_EQ(s[2].health, "XID 79 (fallen off the bus)");
  unlink(faults.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace sluice::node

namespace sluice::node {
namespace {

// cgroup v2's device control is an eBPF program; it works on any cgroup2
// directory, even one with no controllers enabled, so it is testable here.
std::string Cgroup2Mount() {
  std::ifstream in("/proc/mounts");
  std::string dev, dir, type, rest;
  while (in >> dev >> dir >> type && std::getline(in, rest))
    if (type == "cgroup2") return dir;
  return "";
}

TEST(DeviceFilterTest, DeniedGpuMinorsCannotBeOpenedInsideTheCgroup) {
  std::string root = Cgroup2Mount();
  if (geteuid() != 0 || root.empty()) GTEST_SKIP() << "needs root and a cgroup2 mount";
  char tmpl[] = "/tmp/sluice-dev-XXXXXX";
  std::string tmp = mkdtemp(tmpl);
  std::string cg = root + "/sluice-devtest-" + std::to_string(getpid());
  ASSERT_EQ(mkdir(cg.c_str(), 0755), 0) << strerror(errno);
  ASSERT_EQ(mknod((tmp + "/nv0").c_str(), S_IFCHR | 0666, makedev(195, 0)), 0);
  ASSERT_EQ(mknod((tmp + "/nv1").c_str(), S_IFCHR | 0666, makedev(195, 1)), 0);
  auto st = AttachGpuDeviceFilter(cg, {1});
  if (!st.ok()) {
    rmdir(cg.c_str());
    GTEST_SKIP() << st;  // e.g. bpf() refused by a seccomp profile
  }
  // A child moves itself into the cgroup and reports each open's errno.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    std::ofstream(cg + "/cgroup.procs") << "0";
    int errs[2];
    for (int m = 0; m < 2; ++m) {
      int fd = open((tmp + "/nv" + std::to_string(m)).c_str(), O_RDWR);
      errs[m] = fd >= 0 ? 0 : errno;
    }
    ssize_t w = write(fds[1], errs, sizeof errs);
    _exit(w == sizeof errs ? 0 : 1);
  }
  int errs[2] = {-1, -1};
  ASSERT_EQ(read(fds[0], errs, sizeof errs), static_cast<ssize_t>(sizeof errs));
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(errs[0], ENXIO) << strerror(errs[0]);  // allowed; no driver here
  EXPECT_EQ(errs[1], EPERM) << strerror(errs[1]);  // denied by the filter
  rmdir(cg.c_str());
  unlink((tmp + "/nv0").c_str());
  unlink((tmp + "/nv1").c_str());
  rmdir(tmp.c_str());
}

}  // namespace
}  // namespace sluice::node
