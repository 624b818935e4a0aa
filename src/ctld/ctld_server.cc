#include "ctld/ctld_server.h"

#include <algorithm>
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/rpc/listen.h"

namespace sluice::ctld {

absl::StatusOr<std::unique_ptr<CtldServer>> CtldServer::Create(
    common::SlurmConfig config) {
  ::mkdir(config.state_save_location.c_str(), 0700);
  auto store =
      OpenSqliteJobStore(config.state_save_location + "/sluice-jobs.db");
  if (!store.ok()) return store.status();
  auto auth = common::MakeMungeAuthenticator(config.auth_socket);
  std::unique_ptr<CtldServer> s(
      new CtldServer(std::move(config), std::move(auth), std::move(*store)));
  absl::Status rec;
  s->Run([&](Controller& c, int64_t now) { rec = c.Recover(now); });
  if (!rec.ok()) return rec;
  return s;
}

CtldServer::CtldServer(common::SlurmConfig config,
                       std::unique_ptr<common::Authenticator> auth,
                       std::unique_ptr<JobStore> store)
    : config_(config),
      auth_(std::move(auth)),
      store_(std::move(store)),
      work_(boost::asio::make_work_guard(io_)),
      tick_(io_),
      node_client_(auth_.get(),
                   [this](std::function<void()> fn) {
                     boost::asio::post(io_, [this, fn = std::move(fn)] {
                       fn();
                       AfterEvent();
                     });
                   }),
      mailer_(config.mail_prog),
      controller_(std::move(config), store_.get(), &node_client_, ::getuid()),
      acct_reader_(OpenSqliteAcctReader(config_.state_save_location + "/sluice-jobs.db")),
      client_service_(this, auth_.get(), &node_client_, acct_reader_.get()),
      node_service_(this, auth_.get()) {
  controller_.set_mailer(&mailer_);
  if (config_.rate_limit.enabled) client_service_.EnableRateLimit(config_.rate_limit, ::getuid());
  loop_ = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "ctld-strand");  // for top -H, perf, benches
    io_.run();
  });
}

CtldServer::~CtldServer() {
  Shutdown();
  work_.reset();
  io_.stop();
  if (loop_.joinable()) loop_.join();
}

int64_t CtldServer::Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void CtldServer::Run(const std::function<void(Controller&, int64_t)>& fn) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    fn(controller_, Now());
    AfterEvent();
    done.set_value();
  });
  done.get_future().wait();
}

void CtldServer::RunEvent(const std::function<bool(Controller&, int64_t)>& fn) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    AfterEvent(fn(controller_, Now()));
    done.set_value();
  });
  done.get_future().wait();
}

absl::Status CtldServer::RunDurable(
    const std::function<void(Controller&, int64_t)>& fn) {
  auto durable = std::make_shared<std::promise<absl::Status>>();
  auto result = durable->get_future();
  boost::asio::post(io_, [&, durable] {
    fn(controller_, Now());
    Bump();
    sync_waiters_.push_back(durable);
    // Runs after the submissions already queued behind this one, so one
    // fsync covers all of them.
    PostFlush();
  });
  return result.get();
}

void CtldServer::RunThenCommit(const std::function<void(Controller&, int64_t)>& fn) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    fn(controller_, Now());
    Bump();
    PostFlush();
    done.set_value();
  });
  done.get_future().wait();
}

void CtldServer::RunRead(const std::function<void(const Controller&, int64_t)>& fn) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    fn(controller_, Now());
    done.set_value();
  });
  done.get_future().wait();
}

void CtldServer::RunReadHere(const std::function<void(const Controller&, int64_t)>& fn) {
  // The strand parks in a handler until the caller is done: the handoffs
  // through the mutex order the strand's writes before fn's reads, and
  // nothing runs on the strand meanwhile.
  struct Handoff {
    std::mutex mu;
    std::condition_variable cv;
    bool parked = false, released = false;
    int64_t now = 0;
  };
  auto h = std::make_shared<Handoff>();
  boost::asio::post(io_, [h] {
    std::unique_lock<std::mutex> l(h->mu);
    h->now = Now();
    h->parked = true;
    h->cv.notify_all();
    h->cv.wait(l, [&] { return h->released; });
  });
  int64_t now;
  {
    std::unique_lock<std::mutex> l(h->mu);
    h->cv.wait(l, [&] { return h->parked; });
    now = h->now;
  }
  fn(controller_, now);
  {
    std::lock_guard<std::mutex> l(h->mu);
    h->released = true;
  }
  h->cv.notify_all();
}

void CtldServer::PostFlush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(io_, [this] { Flush(); });
}

void CtldServer::Flush() {
  flush_posted_ = false;
  absl::Status st = controller_.Sync();
  LogStoreHealth();  // before the answers: a refused client finds the cause logged
  for (auto& w : sync_waiters_) w->set_value(st);
  sync_waiters_.clear();
  AfterEvent();
}

// A store that refuses writes (disk full, read-only, I/O error) is logged
// when it starts failing and when it takes writes again; meanwhile
// submissions are refused and batch jobs do not start.
void CtldServer::LogStoreHealth() {
  auto r = controller_.TakeStoreResult();
  if (!r) return;
  if (!r->ok() && !store_failing_) {
    spdlog::error("job store write failed: {} (submissions refused, no batch job starts, "
                  "until it takes writes again)",
                  std::string(r->message()));
    store_failing_ = true;
  } else if (r->ok() && store_failing_ && controller_.unsaved_jobs() == 0) {
    spdlog::info("job store takes writes again");
    store_failing_ = false;
  }
}

// One scheduling pass, timed for the pacer and its figures.
void CtldServer::RunPass(bool paced) {
  auto start = PassPacer::Clock::now();
  controller_.Schedule(Now());
  pacer_.Ran(start, PassPacer::Clock::now(), paced);
}

// Coalesces scheduling: however many events arrive, at most one pass is
// queued; it runs after the events already queued ahead of it.
void CtldServer::AfterEvent(bool changed) {
  if (changed) Bump();
  LogStoreHealth();
  if (controller_.has_unsynced()) PostFlush();  // e.g. an interactive job's start or end
  if (!controller_.schedule_needed()) return;
  pacer_.Asked(PassPacer::Clock::now());
  if (schedule_posted_) return;
  schedule_posted_ = true;
  auto pass = [this] {
    schedule_posted_ = false;
    const uint64_t changes = controller_.job_changes();
    RunPass(/*paced=*/true);
    if (controller_.job_changes() != changes) Bump();  // else the copy stays current
    if (controller_.has_unsynced()) PostFlush();  // interactive starts
  };
  // After a long pass the next one waits (pass_pacer.h); events meanwhile
  // are coalesced into it.
  if (PassPacer::Clock::now() >= pacer_.NextAt()) {
    boost::asio::post(io_, pass);
  } else {
    pass_timer_.expires_at(pacer_.NextAt());
    pass_timer_.async_wait([pass](const boost::system::error_code& ec) {
      if (!ec) pass();
    });
  }
}

void CtldServer::ArmTick() {
  tick_.expires_after(std::chrono::seconds(1));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const size_t known = controller_.jobs().size();
    const uint64_t changes = controller_.job_changes();
    controller_.Tick(Now());
    const bool purged = controller_.jobs().size() < known;
    // Memory the queue no longer needs goes back to the system: an idle
    // readers' copy, the store's page cache, and what purged jobs and
    // finished passes freed (at once after a purge, else once a minute).
    bool dropped = client_service_.DropIdleSnapshot();
    if (dropped || purged || ++trims_ % kTrimTicks == 0) {
      controller_.ReleaseStoreMemory();
      ::malloc_trim(0);
    }
    // Every event already queues a pass; this periodic one refreshes start
    // estimates and --begin times. A full pass over a very large queue
    // costs most of a second, hence not every tick.
    if (++ticks_ % kPeriodicPassTicks == 0 && !controller_.schedule_needed())
      RunPass(/*paced=*/false);
    // A quiet tick (and a pass that moved nothing) leaves the readers' copy
    // current: a deep queue is not copied again every second for nothing (a
    // reply from it carries the time it is answered, so squeue's TIME
    // still advances).
    AfterEvent(controller_.job_changes() != changes);
    ArmTick();
  });
}

absl::Status CtldServer::Start() {
  std::string addr = absl::StrCat(config_.ctld_addr, ":", config_.ctld_port);
  // A port still held just after a crash is waited for (common/rpc/listen.h).
  // Node sessions: a ping every quarter SlurmdTimeout, a quarter more to
  // answer it, so a node daemon that died without closing its connection
  // (a hung or unplugged host) is seen within half a SlurmdTimeout.
  const int quarter_ms = std::max(1000, static_cast<int>(config_.slurmd_timeout_s * 250));
  auto server = common::Listen(addr, {&client_service_, &node_service_},
                               {{GRPC_ARG_KEEPALIVE_TIME_MS, quarter_ms},
                                {GRPC_ARG_KEEPALIVE_TIMEOUT_MS, quarter_ms},
                                // (gRPC's default, 2, stops the pings on a
                                // session that carries no data: a hung node
                                // would then never be seen.)
                                {GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0}});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  spdlog::info("sluice-ctld listening on {}", addr);
  boost::asio::post(io_, [this] { ArmTick(); });
  return absl::OkStatus();
}

void CtldServer::Wait() {
  if (server_) server_->Wait();
}

void CtldServer::Shutdown() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now() +
                                 std::chrono::milliseconds(200));
  // The strand saves the fair-share usage up to this second; wait for it
  // (briefly: a wedged strand must not stop the shutdown).
  auto saved = std::make_shared<std::promise<void>>();
  auto done = saved->get_future();
  boost::asio::post(io_, [this, saved] {
    tick_.cancel();
    pass_timer_.cancel();
    controller_.SaveUsage(Now());
    saved->set_value();
  });
  done.wait_for(std::chrono::seconds(2));
}

}  // namespace sluice::ctld
