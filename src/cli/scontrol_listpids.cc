#include "cli/scontrol_listpids.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "common/rpc/rpc_auth.h"
#include "common/users.h"
#include "node.grpc.pb.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;

// The node daemon of this machine: a node whose NodeHostname or NodeAddr
// names it (the first in slurm.conf's order, as Slurm finds its own).
const common::NodeConf* LocalNode(const common::SlurmConfig& cfg) {
  std::string me = common::ShortHostname();
  for (const auto& n : cfg.nodes)
    for (const std::string& h : {n.hostname, n.addr, n.name})
      if (h == me || h == "localhost" || h.rfind("127.", 0) == 0) return &n;
  return nullptr;
}

}  // namespace

int ListPids(const std::vector<std::string>& args) {
  if (args.size() > 2) {
    std::fprintf(stderr, "too many arguments for keyword:listpids\n");
    return 1;
  }
  uint64_t job = 0;
  int32_t step = -1;
  bool step_ok = true;
  if (!args.empty()) {
    std::string id = args[0], step_text;
    if (auto dot = id.find('.'); dot != std::string::npos) {
      step_text = id.substr(dot + 1);
      id = id.substr(0, dot);
    }
    if (!absl::SimpleAtoi(id, &job) || job == 0) {
      std::fprintf(stderr, "\"%s\" does not look like a jobid\n", args[0].c_str());
      return 1;
    }
    // (A step Slurm cannot read is reported and the whole job is not
    // listed: only the header follows, exit 0.)
    if (!step_text.empty() && (!absl::SimpleAtoi(step_text, &step) || step < 0)) {
      std::fprintf(stderr, "\"%s\" does not look like a stepid\n", args[0].c_str());
      step_ok = false;
    }
  }
  auto cfg = LoadConfigOrComplain("scontrol");
  if (!cfg) return 1;
  std::string node_name = args.size() > 1 ? args[1] : "(null)";
  const common::NodeConf* node = args.size() > 1 ? cfg->FindNode(args[1]) : LocalNode(*cfg);
  v1::ListPidsReply rep;
  bool reached = false;
  if (node && step_ok) {
    auto auth = common::MakeMungeAuthenticator(cfg->auth_socket);
    auto stub = v1::SluiceNode::NewStub(grpc::CreateChannel(
        GrpcTarget(absl::StrCat(node->addr, ":", cfg->NodePort(*node))),
        grpc::InsecureChannelCredentials()));
    v1::ListPidsRequest req;
    req.set_job_id(job);
    req.set_step_id(step);
    req.set_node(node->name);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (common::AttachCredential(&ctx, *auth, "ListPids", req).ok())
      reached = stub->ListPids(&ctx, req, &rep).ok();
  }
  int rc = 0;
  if (step_ok && job && !rep.job_here()) {
    if (step >= 0)
      std::fprintf(stderr, "StepId=%llu.%d does not exist on node %s.\n",
                   static_cast<unsigned long long>(job), step, node_name.c_str());
    else if (args.size() > 1)
      std::fprintf(stderr, "JobId=%llu does not exist on node %s.\n",
                   static_cast<unsigned long long>(job), node_name.c_str());
    else
      std::fprintf(stderr, "There are no steps for job %llu on node %s.\n",
                   static_cast<unsigned long long>(job), node_name.c_str());
    rc = 1;
  } else if (step_ok && !reached) {
    PrintError("scontrol", absl::StrCat("no node daemon answers on node ", node_name));
    rc = 1;
  }
  std::string out = absl::StrFormat("%-8s %-8s %-8s %-7s %-8s\n", "PID", "JOBID", "STEPID",
                                    "LOCALID", "GLOBALID");
  auto id = [](int v) { return v < 0 ? std::string("-") : std::to_string(v); };
  for (const auto& p : rep.pids())
    absl::StrAppend(&out, absl::StrFormat("%-8u %-8u %-8s %-7s %-8s\n", p.pid(), p.job_id(),
                                          p.step(), id(p.local_id()), id(p.global_id())));
  std::fwrite(out.data(), 1, out.size(), stdout);
  return rc;
}

}  // namespace sluice::cli
