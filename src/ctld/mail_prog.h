// Delivers --mail-type mail the way Slurm's controller does: runs MailProg
// (slurm.conf; /bin/mail by default) as "MailProg -s SUBJECT USER" with the
// job's SLURM_JOB_* variables and stdin from /dev/null, as the controller's
// own user, without waiting on the strand: each run is reaped by a
// detached thread. A missing or failing MailProg is logged. Thread-safe.
#pragma once

#include <string>

#include "ctld/core/mail.h"

namespace sluice::ctld {

class MailProgMailer final : public Mailer {
 public:
  explicit MailProgMailer(std::string program) : program_(std::move(program)) {}
  void Send(MailMessage msg) override;

 private:
  std::string program_;
};

}  // namespace sluice::ctld
