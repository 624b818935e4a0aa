// squeue's job fields: one table for the -o/--format letters and the
// -O/--Format names, each with Slurm 22.05's header, how -o pads it and
// how its value is written. Pure; thread-safe (the table is constant).
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "ctld.pb.h"

namespace sluice::cli {

struct SqueueField {
  char letter;        // -o letter; 0: -O only
  const char* names;  // -O names, comma separated, any case; "" -o only
  const char* header;
  bool truncate;      // -o: text is cut at the width, numbers are not
  std::string (*value)(const ::sluice::v1::JobInfo& j, int64_t now);
};

// nullptr when no field has this letter / name.
const SqueueField* SqueueFieldByLetter(char letter);
const SqueueField* SqueueFieldByName(absl::string_view name);

// A pending job's expected start: its --begin time while it waits for it,
// else the scheduler's estimate; 0 when unknown.
int64_t ShownStart(const ::sluice::v1::JobInfo& j);

// Seconds the job has run (to its end once finished).
int64_t Elapsed(const ::sluice::v1::JobInfo& j, int64_t now);

}  // namespace sluice::cli
