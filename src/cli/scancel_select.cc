#include "cli/scancel_select.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/cli_util.h"

namespace sluice::cli {
namespace {

bool Active(common::JobState s) {
  return s == common::JobState::kPending || s == common::JobState::kRunning;
}

bool In(const std::set<std::string>& set, const std::string& v) {
  return set.empty() || set.count(v) > 0;
}

bool Matches(const ::sluice::v1::JobInfo& j, const CancelFilter& f) {
  if (f.uid && j.user_id() != *f.uid) return false;
  if (!f.state.empty() && common::JobStateName(static_cast<common::JobState>(j.state())) != f.state)
    return false;
  if (!In(f.accounts, j.account()) || !In(f.names, j.name()) ||
      !In(f.partitions, j.partition()))
    return false;
  // No job has a reservation or wckey (see the header); a QOS only where
  // accounting applies.
  if (!In(f.qos, j.qos()) || !In(f.reservations, "") || !In(f.wckeys, "")) return false;
  if (!f.nodes.empty() && !RunsOnAny(j.node_list(), f.nodes)) return false;
  return true;
}

void Add(std::string* out, const char* key, const std::set<std::string>& values) {
  for (const auto& v : values) absl::StrAppend(out, key, "=", v, " ");
}

}  // namespace

bool CancelFilter::Any() const {
  return uid || !state.empty() || !accounts.empty() || !names.empty() || !partitions.empty() ||
         !qos.empty() || !reservations.empty() || !wckeys.empty() || !nodes.empty();
}

std::string CancelFilter::Describe() const {
  std::string out;
  Add(&out, "account", accounts);
  Add(&out, "job_name", names);
  Add(&out, "nodelist", nodes);
  Add(&out, "partition", partitions);
  Add(&out, "qos", qos);
  Add(&out, "reservation", reservations);
  if (!state.empty()) absl::StrAppend(&out, "state=", state, " ");
  if (uid) absl::StrAppend(&out, "user_name=", user_name, " ");
  Add(&out, "wckey", wckeys);
  return out;
}

std::optional<std::string> ParseCancelState(const std::string& text) {
  std::string up = absl::AsciiStrToUpper(text);
  if (up == "PENDING" || up == "PD") return "PENDING";
  if (up == "RUNNING" || up == "R") return "RUNNING";
  if (up == "SUSPENDED" || up == "S") return "SUSPENDED";
  return std::nullopt;
}

CancelSelection SelectCancelTargets(const ::sluice::v1::QueryJobsReply& jobs,
                                    const std::vector<CancelTarget>& targets,
                                    const CancelFilter& filter) {
  CancelSelection out;
  if (targets.empty()) {
    for (const auto& j : jobs.jobs())
      if (Active(static_cast<common::JobState>(j.state())) && Matches(j, filter))
        out.chosen.push_back({j.job_id(), -1});
    return out;
  }
  for (const CancelTarget& t : targets) {
    // N names a job or every record of array N; N_i one task of it.
    JobSelector sel{t.job, {}};
    if (t.task >= 0)
      sel.tasks = common::ArrayIndexSet::FromRuns(
          {{static_cast<uint32_t>(t.task), static_cast<uint32_t>(t.task), 1}});
    const ::sluice::v1::JobInfo* job = nullptr;
    for (const auto& j : jobs.jobs())
      if (SelectorMatches(sel, j) && Active(static_cast<common::JobState>(j.state())) &&
          (!job || Matches(j, filter)))
        job = &j;
    if (!job) {
      out.unknown.push_back(t);
      continue;
    }
    if (!Matches(*job, filter)) continue;
    if (t.step >= 0 && static_cast<common::JobState>(job->state()) == common::JobState::kPending)
      continue;
    out.chosen.push_back(t);
  }
  return out;
}

}  // namespace sluice::cli
