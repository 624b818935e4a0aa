#include "ctld/rpc/node_service.h"

#include "common/rpc/rpc_auth.h"
#include "ctld/rpc/convert.h"

namespace sluice::ctld::rpc {

namespace {

// What the readers' copy shows of each job (0 for one not in the map).
// The same node memory for all: only before and after are compared.
std::vector<uint64_t> Digests(const Controller& c, const std::vector<uint64_t>& ids) {
  std::vector<uint64_t> out;
  out.reserve(ids.size());
  for (uint64_t id : ids) {
    auto it = c.jobs().find(id);
    out.push_back(it == c.jobs().end() ? 0 : ShownDigest(it->second, 0));
  }
  return out;
}

}  // namespace

grpc::Status NodeService::NodeReport(grpc::ServerContext* ctx,
                                     const ::sluice::v1::NodeReportRequest* req,
                                     ::sluice::v1::NodeReportReply* rep) {
  auto who = common::Authenticate(*ctx, *auth_, "NodeReport", *req);
  if (!who.ok()) return common::ToGrpc(who.status());
  ::sluice::ctld::NodeReport report = FromProto(*req);
  absl::Status status;
  runner_->RunEvent([&](Controller& c, int64_t now) {
    // Readers need a new copy only if a job this report may touch shows
    // something else afterwards (or it ended, added or wrote a job).
    const std::vector<uint64_t> touched = c.JobsAReportTouches(report);
    const std::vector<uint64_t> before = Digests(c, touched);
    const uint64_t changes = c.job_changes();
    auto out = c.OnNodeReport(report, *who, now);
    if (!out.ok()) {
      status = out.status();
      return false;
    }
    for (JobId id : out->acked) rep->add_acked_job_ids(id.value());
    for (JobId id : out->kill) rep->add_kill_job_ids(id.value());
    for (const auto& [id, cpus] : out->allocations) {
      auto* a = rep->add_allocations();
      a->set_job_id(id.value());
      a->set_cpus(cpus);
    }
    return c.job_changes() != changes || Digests(c, touched) != before;
  });
  return common::ToGrpc(status);
}

namespace {

// One open NodeSession. Opening tells the controller its nodes are alive;
// the stream then carries nothing until the node daemon goes, its
// connection fails a keepalive, or the server shuts down (OnCancel), which
// tells the controller they closed. Deletes itself when done.
class SessionReactor final : public grpc::ServerWriteReactor<::sluice::v1::NodeSessionEvent> {
 public:
  SessionReactor(CoreRunner* runner, absl::StatusOr<common::Identity> who,
                 std::vector<std::string> nodes)
      : runner_(runner), who_(std::move(who)), nodes_(std::move(nodes)) {
    absl::Status status = who_.status();
    if (status.ok())
      runner_->Run([&](Controller& c, int64_t now) {
        status = c.OnNodeSession(nodes_, /*open=*/true, *who_, now);
      });
    if (!status.ok()) {
      Finish(common::ToGrpc(status));
      return;
    }
    opened_ = true;
    StartWrite(&hello_);  // the node daemon learns the session holds
  }
  void OnCancel() override {
    if (!opened_) return;  // refused: already finished
    runner_->Run([&](Controller& c, int64_t now) {
      (void)c.OnNodeSession(nodes_, /*open=*/false, *who_, now);
    });
    Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

 private:
  CoreRunner* runner_;
  absl::StatusOr<common::Identity> who_;
  std::vector<std::string> nodes_;
  bool opened_ = false;  // set before any callback can run
  ::sluice::v1::NodeSessionEvent hello_;
};

}  // namespace

grpc::ServerWriteReactor<::sluice::v1::NodeSessionEvent>* NodeService::NodeSession(
    grpc::CallbackServerContext* ctx, const ::sluice::v1::NodeSessionRequest* req) {
  return new SessionReactor(runner_, common::Authenticate(*ctx, *auth_, "NodeSession", *req),
                            {req->nodes().begin(), req->nodes().end()});
}

}  // namespace sluice::ctld::rpc
