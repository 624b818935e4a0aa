#include "ctld/core/mail.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace sluice::ctld {
namespace {

std::string Hms(int64_t s) {
  s = std::max<int64_t>(0, s);
  return absl::StrFormat("%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
}

const char* EventWord(uint32_t event) {
  switch (event) {
    case kMailBegin: return "Began";
    case kMailEnd: return "Ended";
    case kMailFail: return "Failed";
    case kMailRequeue: return "Requeued";
    case kMailInvalidDepend: return "Invalid dependency";
    case kMailTimeLimit: return "Reached time limit";
    case kMailTimeLimit90: return "Reached 90% of time limit";
    case kMailTimeLimit80: return "Reached 80% of time limit";
    case kMailTimeLimit50: return "Reached 50% of time limit";
    default: return "";
  }
}

std::string Recipient(const Job& j) {
  return j.spec.mail_user.empty() ? j.spec.user : j.spec.mail_user;
}

}  // namespace

absl::StatusOr<uint32_t> ParseMailType(absl::string_view text) {
  uint32_t bits = 0;
  for (absl::string_view t : absl::StrSplit(text, ',')) {
    std::string u = absl::AsciiStrToUpper(t);
    if (u == "NONE") continue;
    else if (u == "BEGIN") bits |= kMailBegin;
    else if (u == "END") bits |= kMailEnd;
    else if (u == "FAIL") bits |= kMailFail;
    else if (u == "REQUEUE") bits |= kMailRequeue;
    else if (u == "INVALID_DEPEND") bits |= kMailInvalidDepend;
    else if (u == "STAGE_OUT") bits |= kMailStageOut;
    else if (u == "TIME_LIMIT") bits |= kMailTimeLimit;
    else if (u == "TIME_LIMIT_90") bits |= kMailTimeLimit90;
    else if (u == "TIME_LIMIT_80") bits |= kMailTimeLimit80;
    else if (u == "TIME_LIMIT_50") bits |= kMailTimeLimit50;
    else if (u == "ARRAY_TASKS") bits |= kMailArrayTasks;
    else if (u == "ALL")
      bits |= kMailBegin | kMailEnd | kMailFail | kMailRequeue | kMailInvalidDepend | kMailStageOut;
    else return absl::InvalidArgumentError(absl::StrCat("--mail-type=", text, " invalid"));
  }
  return bits;
}

std::optional<MailMessage> JobMail(const Job& j, uint32_t event, const std::string& cluster,
                                   int64_t now) {
  if (!(j.spec.mail_type & event)) return std::nullopt;
  MailMessage m;
  m.user = Recipient(j);
  const bool ended = event == kMailEnd || event == kMailFail || event == kMailRequeue;
  std::string who = j.array_job_id
                        ? absl::StrCat("Slurm Array Task Job_id=", j.array_job_id, "_",
                                       j.array_task_id, " (", j.id.value(), ")")
                        : absl::StrCat("Slurm Job_id=", j.id.value());
  m.subject = absl::StrCat(who, " Name=", j.spec.name, " ", EventWord(event));
  const int64_t run = j.start_time ? (j.end_time ? j.end_time : now) - j.start_time : 0;
  if (event == kMailBegin) {
    absl::StrAppend(&m.subject, ", Queued time ", Hms(j.start_time - j.submit_time));
  } else if (ended) {
    absl::StrAppend(&m.subject, ", Run time ", Hms(run), ", ",
                    common::JobStateName(j.state), ", ExitCode ", j.exit_code);
  } else if (event != kMailInvalidDepend) {
    absl::StrAppend(&m.subject, ", Run time ", Hms(run));
  }
  uint32_t cpus = j.alloc.empty() ? j.spec.CpusPerNode() : j.alloc[0].cpus;
  auto set = [&](const char* k, const std::string& v) { m.env.push_back(absl::StrCat(k, "=", v)); };
  set("SLURM_CLUSTER_NAME", cluster);
  set("SLURM_JOBID", std::to_string(j.id.value()));
  set("SLURM_JOB_ACCOUNT", j.spec.account.empty() ? "(null)" : j.spec.account);
  set("SLURM_JOB_CPUS_PER_NODE", std::to_string(cpus));
  if (ended) {
    set("SLURM_JOB_DERIVED_EC", "0");
    set("SLURM_JOB_EXIT_CODE2", absl::StrCat(j.exit_code, ":", j.exit_signal));
    set("SLURM_JOB_EXIT_CODE", std::to_string((j.exit_code << 8) | j.exit_signal));
    set("SLURM_JOB_EXIT_CODE_MAX", std::to_string(j.exit_code));
  }
  set("SLURM_JOB_GID", std::to_string(j.spec.gid));
  set("SLURM_JOB_GROUP", j.spec.group);
  set("SLURM_JOB_ID", std::to_string(j.id.value()));
  set("SLURM_JOB_MAIL_TYPE", EventWord(event));
  set("SLURM_JOB_NAME", j.spec.name);
  set("SLURM_JOB_NODELIST", j.NodeList());
  set("SLURM_JOB_NUM_NODES", std::to_string(std::max<size_t>(1, j.alloc.size())));
  set("SLURM_JOB_PARTITION", j.spec.partition);
  if (event == kMailBegin) set("SLURM_JOB_QUEUED_TIME", Hms(j.start_time - j.submit_time));
  set("SLURM_JOB_RESTART_COUNT", std::to_string(j.restart_count));
  if (ended) set("SLURM_JOB_RUN_TIME", Hms(run));
  set("SLURM_JOB_STATE", std::string(common::JobStateName(j.state)));
  set("SLURM_JOB_STDIN", j.spec.std_in.empty() ? "/dev/null" : j.spec.std_in);
  set("SLURM_JOB_UID", std::to_string(j.spec.uid));
  set("SLURM_JOB_USER", j.spec.user);
  set("SLURM_JOB_WORK_DIR", j.spec.work_dir);
  return m;
}

std::optional<MailMessage> ArraySummaryMail(const std::vector<const Job*>& records,
                                            uint32_t event, const std::string& cluster) {
  if (records.empty()) return std::nullopt;
  const Job& head = *records.front();
  if (!(head.spec.mail_type & event)) return std::nullopt;
  MailMessage m;
  m.user = Recipient(head);
  m.subject = absl::StrCat("Slurm Array Summary Job_id=", head.array_job_id, "_* (",
                           head.array_job_id, ") Name=", head.spec.name, " ", EventWord(event));
  if (event != kMailBegin) {
    // The state every task ended in, else the first that differs; exit
    // codes as their range.
    JobState st = JobState::kCompleted;
    int lo = INT32_MAX, hi = INT32_MIN;
    for (const Job* r : records) {
      if (r->state != JobState::kCompleted && st == JobState::kCompleted) st = r->state;
      lo = std::min(lo, r->exit_code);
      hi = std::max(hi, r->exit_code);
    }
    absl::StrAppend(&m.subject, ", ", common::JobStateName(st), ", ExitCode [", lo, "-", hi, "]");
  }
  m.env = {absl::StrCat("SLURM_CLUSTER_NAME=", cluster),
           absl::StrCat("SLURM_ARRAY_JOB_ID=", head.array_job_id),
           absl::StrCat("SLURM_JOB_MAIL_TYPE=", EventWord(event)),
           absl::StrCat("SLURM_JOB_NAME=", head.spec.name),
           absl::StrCat("SLURM_JOB_USER=", head.spec.user)};
  return m;
}

}  // namespace sluice::ctld
