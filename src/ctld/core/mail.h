// --mail-type/--mail-user: which events of a job send mail, and the message
// Slurm 22.05's controller gives MailProg for each (subject, recipient and
// the SLURM_JOB_* environment), built from the job alone. The Mailer seam
// delivers them (the composition root runs MailProg; tests record them).
// Pure apart from the Mailer; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ctld/core/job.h"

namespace sluice::ctld {

// --mail-type bits.
enum MailBits : uint32_t {
  kMailBegin = 1, kMailEnd = 2, kMailFail = 4, kMailRequeue = 8,
  kMailInvalidDepend = 16, kMailStageOut = 32, kMailTimeLimit = 64,
  kMailTimeLimit90 = 128, kMailTimeLimit80 = 256, kMailTimeLimit50 = 512,
  kMailArrayTasks = 1024,
};
// "BEGIN,END" etc. (any case; ALL = BEGIN, END, FAIL, INVALID_DEPEND,
// REQUEUE, STAGE_OUT; NONE = 0). InvalidArgument on an unknown type.
absl::StatusOr<uint32_t> ParseMailType(absl::string_view text);

struct MailMessage {
  std::string user;     // --mail-user, else the job's user
  std::string subject;  // "Slurm Job_id=12 Name=x Began, Queued time 00:00:01"
  std::vector<std::string> env;  // SLURM_JOB_* as Slurm sets them, KEY=VALUE
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual void Send(MailMessage msg) = 0;
};

// One job (or array task, with ARRAY_TASKS) event. `event` is one of
// kMailBegin, kMailEnd, kMailFail, kMailRequeue, kMailInvalidDepend,
// kMailTimeLimit*. nullopt when the job did not ask for it.
std::optional<MailMessage> JobMail(const Job& job, uint32_t event,
                                   const std::string& cluster, int64_t now);

// The summary of an array without ARRAY_TASKS: "Began" when its first task
// starts, "Ended" once every record has ended (`records`: all of them).
std::optional<MailMessage> ArraySummaryMail(const std::vector<const Job*>& records,
                                            uint32_t event, const std::string& cluster);

}  // namespace sluice::ctld
