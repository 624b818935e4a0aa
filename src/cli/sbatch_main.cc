// sbatch: submit a batch script to sluice-ctld.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>
#include <thread>
#include <cstdlib>

#include "common/process_init.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli_util.h"
#include "cli/ctld_client.h"
#include "cli/job_help.h"
#include "cli/job_request.h"
#include "cli/sbatch_options.h"
#include "cli/user_env.h"
#include "common/begin_time.h"
#include "common/job_types.h"
#include "common/time_spec.h"
#include "common/users.h"

extern char** environ;

namespace sluice::cli {
namespace {

// --wait: poll until the job ends; exit with its exit code, as Slurm does.
int WaitForJob(CtldClient& client, uint64_t id) {
  ::sluice::v1::QueryJobsRequest req;
  req.add_job_ids(id);
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    auto rep = client.QueryJobs(req);
    // An array's ID returns every record of it: all must have ended, and
    // the highest exit code wins, as in Slurm.
    if (rep.ok() && rep->jobs_size() > 0) {
      bool done = true;
      int rc = 0;
      for (const auto& j : rep->jobs()) {
        done &= common::IsFinished(static_cast<common::JobState>(j.state()));
        rc = std::max(rc, j.exit_code() != 0 ? j.exit_code()
                          : j.state() == ::sluice::v1::JOB_STATE_COMPLETED ? 0 : 1);
      }
      if (done) return rc;
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

int Main(int argc, char** argv) {
  const std::string submit_line = CommandLine(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  JobOptions cmdline;
  if (auto f = ParseJobArgs(kSbatch, args, &cmdline)) return ReportFailure(kSbatch, *f);
  if (cmdline.version) {
    std::printf("%s\n", kVersion);
    return 0;
  }
  if (cmdline.help || cmdline.usage) {
    std::string text = cmdline.help ? SbatchHelp() : SbatchUsage();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }

  // The script: --wrap, a file, or standard input.
  std::string script, default_name;
  if (cmdline.wrap) {
    if (!cmdline.positional.empty()) {
      PrintError("sbatch", "Script arguments not permitted with --wrap option");
      return 1;
    }
    script = WrapScript(*cmdline.wrap);
    default_name = "wrap";
  } else if (!cmdline.positional.empty()) {
    const std::string& path = cmdline.positional[0];
    auto text = ReadFile(path);
    if (!text) {
      PrintError("sbatch", absl::StrCat("Unable to open file ", path));
      return 1;
    }
    script = *text;
    default_name = path.substr(path.rfind('/') + 1);
  } else {
    script = ReadAll(0);
    default_name = "sbatch";
  }
  if (auto f = CheckScript(script)) return ReportFailure(kSbatch, *f);

  // Precedence: directives < SBATCH_* < command line.
  JobOptions opts;
  std::optional<CliFailure> f = ParseJobArgs(kSbatch, ExtractDirectives(script), &opts);
  if (!f) f = ApplyInputEnv(kSbatch, std::getenv, &opts);
  if (!f) f = ParseJobArgs(kSbatch, args, &opts);
  if (!f) f = FinishOptions(kSbatch, &opts);
  if (f) return ReportFailure(kSbatch, *f);
  for (const auto& w : opts.warnings) PrintError("sbatch", w);

  ::sluice::v1::SubmitBatchJobRequest req;
  auto* j = req.mutable_job();
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  if (auto rc = FillJobRequest(kSbatch, opts, CurrentDir(), env, j)) return *rc;
  j->set_submit_line(submit_line);
  bool append = false;
  if (opts.open_mode) {
    if (*opts.open_mode == "append" || *opts.open_mode == "a") {
      append = true;
    } else if (*opts.open_mode != "truncate" && *opts.open_mode != "t") {
      PrintError("sbatch", "Invalid --open-mode specification");
      return 255;
    }
  }

  auto cfg = LoadConfigOrComplain("sbatch");
  if (!cfg) return 1;
  if (opts.clusters && !OnlyThisCluster("sbatch", *opts.clusters, *cfg, false)) return 1;
  // sbatch's own: the script and its arguments (what follows the script
  // on the command line), its files, the array.
  if (!opts.job_name) j->set_name(default_name);
  j->set_script(script);
  for (size_t i = 1; i < cmdline.positional.size(); ++i) j->add_script_args(cmdline.positional[i]);
  j->set_std_out(opts.output.value_or(""));
  j->set_std_err(opts.error.value_or(""));
  j->set_std_in(opts.input.value_or(""));
  j->set_append_output(append);
  j->set_array(opts.array.value_or(""));  // "" (as Slurm takes --array=): no array

  if (opts.verbose) PrintOptionDump(kSbatch, opts, j->work_dir());
  CtldClient& client = CommandClient(*cfg);
  if (opts.test_only) return TestOnly(kSbatch, client, &req, opts.quiet);
  auto rep = client.Submit(req);
  if (!rep.ok()) {
    PrintError("sbatch", absl::StrCat(RefusalLead(kSbatch),
                                      rep.status().message()));
    return 1;
  }
  for (const auto& n : rep->notes()) PrintError("sbatch", n);
  if (!rep->error().empty())
    PrintError("sbatch",
               absl::StrCat(RefusalLead(kSbatch), rep->error()));
  if (rep->job_id() == 0) return 1;
  if (opts.parsable)
    std::printf("%llu\n", static_cast<unsigned long long>(rep->job_id()));
  else if (!opts.quiet)  // -Q: errors only
    std::printf("Submitted batch job %llu\n",
                static_cast<unsigned long long>(rep->job_id()));
  if (!opts.wait) return 0;
  std::fflush(stdout);
  return WaitForJob(client, rep->job_id());
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  sluice::common::InitProcess();
  sluice::cli::ExitNow(sluice::cli::Main(argc, argv));
}
