// The handlers the option table (job_option_table.cc) names: the generic
// ones (a string, a flag, a count, a size, a time) take the field to set as
// a template argument and their message from the entry's name; the rest
// are one per option whose rule is its own. Each records the option in
// JobOptions, refuses it with Slurm's words, or checks it and leaves it
// inert. Pure apart from reading --bbf/--nodefile files; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cli/cli_util.h"
#include "cli/job_options.h"
#include "common/sizes.h"
#include "common/time_spec.h"

namespace sluice::cli::opt {

using Result = std::optional<CliFailure>;

inline CliFailure Fail(std::string msg, int code = 255) {
  return CliFailure{{std::move(msg)}, code, false};
}
inline std::string Dashed(const OptionCall& c) { return absl::StrCat("--", c.def.name); }
inline absl::string_view Arg(const OptionCall& c) { return c.arg ? c.arg : ""; }
inline std::string ArgStr(const OptionCall& c) { return c.arg ? c.arg : ""; }

// What the controller would answer, in each command's words (exit 1):
// "Batch job submission failed: ", "Unable to allocate resources: " or
// "Job submit/allocate failed: ", then `reason`.
CliFailure Refused(Command cmd, const std::string& reason);

template <auto Field>
Result Str(const OptionCall& c) {
  c.o.*Field = std::string(Arg(c));
  return std::nullopt;
}
template <auto Field>
Result Flag(const OptionCall& c) {
  c.o.*Field = true;
  return std::nullopt;
}
// A whole number above 0: `Invalid numeric value "X" for --name.` (exit 1).
template <auto Field>
Result Positive(const OptionCall& c) {
  uint32_t n;
  if (auto e = ParsePositive(std::string(Arg(c)), Dashed(c).c_str(), &n)) return Fail(e->message, e->exit_code);
  c.o.*Field = n;
  return std::nullopt;
}
// A size in MB (K/M/G/T suffixes): "Invalid --name specification".
template <auto Field>
Result Megabytes(const OptionCall& c) {
  auto m = common::ParseMemoryMB(Arg(c));
  if (!m.ok()) return Fail(absl::StrCat("Invalid ", Dashed(c), " specification"));
  c.o.*Field = *m;
  return std::nullopt;
}
// A time limit in minutes: "Invalid --name specification".
template <auto Field>
Result Minutes(const OptionCall& c) {
  auto t = common::ParseTimeLimit(Arg(c));
  if (!t.ok()) return Fail(absl::StrCat("Invalid ", Dashed(c), " specification"));
  c.o.*Field = *t;
  return std::nullopt;
}

// Inert: accepted and used for nothing, as Slurm here (docs/CLI.md).
Result Inert(const OptionCall&);
// Refused: Sluice does not do what it asks (yet), so it runs nothing
// differently from what was asked.
Result NotSupported(const OptionCall&);
// A count checked as Slurm checks it, then inert (0 allowed).
Result InertCount(const OptionCall&);
Result InertPositive(const OptionCall&);

Result Nodes(const OptionCall&);
Result Gpus(const OptionCall&);        // -G, --gpus-per-task, --cpus-per-gpu
Result Exclusive(const OptionCall&);
Result Requeue(const OptionCall&);
Result NoRequeue(const OptionCall&);
Result Signal(const OptionCall&);
Result Nice(const OptionCall&);
Result Priority(const OptionCall&);
Result MailType(const OptionCall&);
Result Tmp(const OptionCall&);
Result ThreadsPerCore(const OptionCall&);
Result Reservation(const OptionCall&);
Result Licenses(const OptionCall&);
Result Distribution(const OptionCall&);
Result GetUserEnvOpt(const OptionCall&);
Result Verbose(const OptionCall&);
Result Bbf(const OptionCall&);
Result CoreSpec(const OptionCall&);
Result ThreadSpec(const OptionCall&);
Result CpuFreq(const OptionCall&);
Result DelayBoot(const OptionCall&);
Result GpuBind(const OptionCall&);
Result GpuFreq(const OptionCall&);
Result GresFlags(const OptionCall&);
Result NodeFile(const OptionCall&);
Result ExtraNodeInfo(const OptionCall&);
Result Power(const OptionCall&);
Result Profile(const OptionCall&);
Result Switches(const OptionCall&);
Result Hint(const OptionCall&);
Result MemBind(const OptionCall&);
Result AcctgFreq(const OptionCall&);
Result WaitAllNodes(const OptionCall&);
Result Prefer(const OptionCall&);
// srun.
Result KillOnBadExit(const OptionCall&);
Result KillCommand(const OptionCall&);
Result WaitSecs(const OptionCall&);
Result JobId(const OptionCall&);
Result Mpi(const OptionCall&);
Result CpuBind(const OptionCall&);
Result HetGroup(const OptionCall&);
Result Compress(const OptionCall&);
Result X11(const OptionCall&);
// salloc.
Result Bell(const OptionCall&);
Result NoBell(const OptionCall&);

}  // namespace sluice::cli::opt
