// Test helper: asks the controller for an interactive job whose srun
// launch template claims to be root (uid 0), as a malicious srun could.
// The task writes `id -u` to the file named in argv[1]; the helper accepts
// the step's I/O connection so the task runs, then ends the job. Prints
// the controller's answer. Usage: forge_launch OUTFILE
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

namespace v1 = ::sluice::v1;

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto cfg = sluice::cli::LoadConfigOrComplain("forge_launch");
  if (!cfg) return 2;
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
