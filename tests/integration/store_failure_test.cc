// A job the controller could not store is neither acknowledged nor run: on
// a small filesystem that fills up, and on a state directory that is read
// only when the controller starts. Both recover once the disk does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_replace.h"
#include "test_cluster.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

// A 2 MiB tmpfs mounted for the test, unmounted at the end.
class SmallFs {
 public:
  SmallFs() {
    char tmpl[] = "/tmp/sluice-smallfs-XXXXXX";
    if (!mkdtemp(tmpl)) return;
    path_ = tmpl;
    if (mount("tmpfs", tmpl, "tmpfs", 0, "size=2m,mode=0755") != 0) path_.clear();
  }
  ~SmallFs() {
    if (path_.empty()) return;
    umount2(path_.c_str(), MNT_DETACH);
    rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }
  bool Remount(bool read_only) const {
    return mount(nullptr, path_.c_str(), nullptr,
                 MS_REMOUNT | (read_only ? MS_RDONLY : 0), "size=2m") == 0;
  }

 private:
  std::string path_;
};

std::string Conf(const std::string& state_dir) {
  std::string header = absl::StrReplaceAll(
      kTestConfHeader, {{"StateSaveLocation=@DIR@/state", "StateSaveLocation=" + state_dir}});
  return "ClusterName=it\n" + header + R"(NodeName=n1 NodeAddr=127.0.0.1 Port=@PORT1@ CPUs=8 RealMemory=4000
PartitionName=g2 Nodes=n1 Default=YES MaxTime=INFINITE State=UP
)";
}

// A batch script of about 256 KiB that leaves `marker` when it runs: too
// big to fit in a full filesystem's free pages.
std::string BigScript(const std::string& marker) {
  std::string s = "#!/bin/bash\n";
  for (int i = 0; i < 4096; ++i) s += "# padding padding padding padding padding padding padding\n";
  return s + "touch " + marker + "\n";
}

bool Exists(const std::string& p) { return std::ifstream(p).good(); }

// Each test gets a cluster whose state directory is a 2 MiB tmpfs of its own.
class StoreFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(IsRoot()) << "mounting a small filesystem needs root";
    ASSERT_FALSE(fs.path().empty()) << "cannot mount a tmpfs";
    ClusterOptions o;
    o.conf_text = Conf(fs.path());
    c = TestCluster::Start(o);
    ASSERT_NE(c, nullptr);
  }
  SmallFs fs;  // before `c`: the cluster stops before the unmount
  std::unique_ptr<TestCluster> c;
};

TEST_F(StoreFailureTest, AFullDiskRefusesSubmissionsLaunchesNothingAndRecovers) {
  std::string work = c->work();
  std::ofstream(work + "/big.sh") << BigScript(work + "/ran-when-full");
  std::ofstream(work + "/ok.sh") << BigScript(work + "/ran-after");
  ASSERT_EQ(c->Run("sbatch --wrap true").rc, 0);

  c->Run("dd if=/dev/zero of=" + fs.path() + "/filler bs=64k 2>/dev/null; sync");
  for (int i = 0; i < 3; ++i) {
    auto r = c->Run("sbatch -o /dev/null big.sh");
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "sbatch: error: Batch job submission failed: I/O error writing "
                     "script/environment to file\n");
  }
  EXPECT_EQ(c->Run("squeue -h -t all -o %i").out, "1\n");
  EXPECT_THAT(Slurp(c->dir() + "/log/ctld.log"), HasSubstr("job store write failed"));
  EXPECT_FALSE(Exists(work + "/ran-when-full"));

  ASSERT_EQ(unlink((fs.path() + "/filler").c_str()), 0);
  auto r = c->Run("sbatch --parsable -o /dev/null ok.sh");
  ASSERT_EQ(r.rc, 0) << r.err;
  uint64_t id = std::strtoull(r.out.c_str(), nullptr, 10);
  EXPECT_TRUE(c->WaitForState(id, "COMPLETED", 30));
  EXPECT_TRUE(Exists(work + "/ran-after"));
  EXPECT_FALSE(Exists(work + "/ran-when-full"));
}

TEST_F(StoreFailureTest, AReadOnlyStateDirectoryAcknowledgesNothingUntilItIsWritable) {
  ASSERT_EQ(c->Run("sbatch -o /dev/null --wrap true").rc, 0);
  // The controller dies; its state directory is read only when it comes
  // back. It serves what it has and refuses what it cannot keep.
  ASSERT_TRUE(c->KillCtld());
  ASSERT_TRUE(TestCluster::WaitFor([&] { return fs.Remount(true); }, 10));
  ASSERT_TRUE(c->StartCtld());
  EXPECT_EQ(c->Run("squeue -h -t all -o %i").out, "1\n");
  std::string marker = c->work() + "/ran-read-only";
  auto r = c->Run("sbatch --wrap 'touch " + marker + "'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "sbatch: error: Batch job submission failed: I/O error writing "
                   "script/environment to file\n");
  EXPECT_THAT(Slurp(c->dir() + "/log/ctld.log"), HasSubstr("is read-only"));
  // Writable again: the same controller takes jobs, and runs them.
  ASSERT_TRUE(fs.Remount(false));
  r = c->Run("sbatch --parsable -o /dev/null --wrap true");
  ASSERT_EQ(r.rc, 0) << r.err;
  uint64_t id = std::strtoull(r.out.c_str(), nullptr, 10);
  EXPECT_TRUE(c->WaitForState(id, "COMPLETED", 30))
      << c->Run("squeue -t all; cat " + c->dir() + "/log/*").out;
  // The recovery is logged after the write that succeeded is answered.
  EXPECT_TRUE(TestCluster::WaitFor([&] {
    return Slurp(c->dir() + "/log/ctld.log").find("job store takes writes again") != std::string::npos;
  }, 10)) << Slurp(c->dir() + "/log/ctld.log");
  EXPECT_FALSE(Exists(marker));
}

}  // namespace
}  // namespace sluice::testing
