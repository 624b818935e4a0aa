// CtldServer's strand handoffs, on a real server (not started: no port,
// no MUNGE call). RunReadHere lends the caller the controller while the
// strand waits parked: the function runs on the caller's thread, and
// nothing else runs on the strand until it returns.
#include "ctld/ctld_server.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

namespace sluice::ctld {
namespace {

class CtldServerTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-ctld-server-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    common::SlurmConfig config;
    config.state_save_location = dir_ + "/state";
    config.auth_socket = dir_ + "/no-munged";
    auto s = CtldServer::Create(std::move(config));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<CtldServer> server_;
};

TEST_F(CtldServerTest, RunReadHereRunsOnTheCallerWhileTheStrandWaits) {
  std::thread::id strand_id, read_id;
  server_->RunRead([&](const Controller&, int64_t) { strand_id = std::this_thread::get_id(); });
  std::atomic<bool> other_ran{false}, ran_during_read{false};
  std::thread other;
  server_->RunReadHere([&](const Controller& c, int64_t now) {
    read_id = std::this_thread::get_id();
    EXPECT_GT(now, 0);
    EXPECT_TRUE(c.jobs().empty());
    // Another caller hands the strand a function now; it must wait until
    // this read returns. Watch for it for a while (if the strand were not
    // parked it would run within microseconds).
    std::atomic<bool> posting{false};
    other = std::thread([&] {
      posting = true;
      server_->Run([&](Controller&, int64_t) { other_ran = true; });
    });
    while (!posting) std::this_thread::yield();
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < until)
      if (other_ran) ran_during_read = true;
  });
  other.join();
  EXPECT_EQ(read_id, std::this_thread::get_id());
  EXPECT_NE(read_id, strand_id);
  EXPECT_FALSE(ran_during_read);
  EXPECT_TRUE(other_ran);  // and it ran once the strand was released
}

TEST_F(CtldServerTest, ConcurrentReadsHereTakeTurns) {
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 8; ++i)
    readers.emplace_back([&] {
      for (int k = 0; k < 50; ++k)
        server_->RunReadHere([&](const Controller&, int64_t) {
          int now_inside = ++inside;
          most = std::max(most.load(), now_inside);
          std::this_thread::yield();
          --inside;
        });
    });
  for (auto& t : readers) t.join();
  EXPECT_EQ(most.load(), 1);
}

}  // namespace
}  // namespace sluice::ctld
