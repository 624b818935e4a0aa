// Test helper, a malicious srun. `forge_launch OUTFILE` asks the controller
// for an interactive job whose launch template claims to be root (uid 0);
// the task writes `id -u` to OUTFILE; the helper accepts the step's I/O
// connection so the task runs, then ends the job, and prints the
// controller's answer. `forge_launch --direct OUTFILE` instead calls the
// first node daemon's LaunchTasks itself and prints what it says.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/allocation.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "common/rpc/rpc_auth.h"
#include "node.grpc.pb.h"

namespace v1 = ::sluice::v1;

int main(int argc, char** argv) {
  bool direct = argc == 3 && std::string(argv[1]) == "--direct";
  if (argc != 2 && !direct) return 2;
  auto cfg = sluice::cli::LoadConfigOrComplain("forge_launch");
  if (!cfg) return 2;
  if (direct) {
    const auto& n = cfg->nodes.at(0);
    auto stub = v1::SluiceNode::NewStub(grpc::CreateChannel(
        sluice::cli::GrpcTarget(n.addr + ":" + std::to_string(cfg->NodePort(n))),
        grpc::InsecureChannelCredentials()));
    auto auth = sluice::common::MakeMungeAuthenticator(cfg->auth_socket);
    grpc::ClientContext ctx;
    (void)sluice::common::AttachCredential(&ctx, *auth, "LaunchTasks");
    v1::LaunchTasksRequest req;
    req.set_job_id(1);
    req.set_uid(getuid());
    req.add_argv("/bin/sh");
    req.add_argv("-c");
    req.add_argv(std::string("id -u > ") + argv[2]);
    req.add_tasks(0);
    req.set_ntasks(1);
    v1::LaunchTasksReply rep;
    grpc::Status st = stub->LaunchTasks(&ctx, req, &rep);
    std::printf("status=%d %s error=%s\n", st.error_code(), st.error_message().c_str(),
                rep.error().c_str());
    return 0;
  }
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(lfd, 4) != 0 ||
      getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return 2;
  sluice::cli::CtldClient client(*cfg);
  v1::SubmitBatchJobRequest req;
  auto* j = req.mutable_job();
  j->set_interactive(true);
  j->set_name("forged");
  j->set_min_nodes(1);
  j->set_ntasks(1);
  j->set_work_dir("/tmp");
  auto* base = req.mutable_first_step()->mutable_launch()->mutable_base();
  base->set_uid(0);  // the lie
  base->set_gid(0);
  base->set_user("root");
  base->add_argv("/bin/sh");
  base->add_argv("-c");
  base->add_argv(std::string("id -u > ") + argv[1]);
  base->set_cwd("/tmp");
  base->set_io_address("127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  base->set_io_key("0123456789abcdef");
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
