#include "cli/scontrol_update.h"

#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/begin_time.h"
#include "common/time_spec.h"

namespace sluice::cli {
namespace {

namespace v1 = ::sluice::v1;
using Setter = std::function<absl::Status(const std::string& value, int64_t now,
                                          v1::ModifyJobRequest* r)>;

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("scontrol: error: Invalid ", what, " value"));
}

struct UpdateKey {
  std::vector<const char*> names;  // lower case; the first is Slurm's
  Setter set;
};

const std::vector<UpdateKey>& Keys() {
  static const std::vector<UpdateKey> keys = {
      {{"jobid", "job"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         uint64_t id;
         if (!absl::SimpleAtoi(v, &id) || id == 0)
           return absl::InvalidArgumentError(absl::StrCat("Invalid job id specified for job ", v));
         r->set_job_id(id);
         return absl::OkStatus();
       }},
      {{"timelimit", "time"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         auto m = common::ParseTimeLimit(v);
         if (!m.ok() || *m == common::kTimeInvalid) return Bad("TimeLimit");
         r->set_time_limit_min(*m);
         return absl::OkStatus();
       }},
      {{"partition"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         r->set_partition(v);
         return absl::OkStatus();
       }},
      {{"numnodes", "reqnodes"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         uint32_t n;
         if (!absl::SimpleAtoi(v.substr(0, v.find('-')), &n)) return Bad("NumNodes");
         r->set_num_nodes(n);
         return absl::OkStatus();
       }},
      {{"priority"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         uint64_t p;
         if (!absl::SimpleAtoi(v, &p)) return Bad("Priority");
         r->set_priority(p);
         return absl::OkStatus();
       }},
      {{"nice"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         int32_t n;
         if (!absl::SimpleAtoi(v, &n)) return Bad("Nice");
         r->set_nice(n);
         return absl::OkStatus();
       }},
      {{"dependency"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         r->set_dependency(v);
         return absl::OkStatus();
       }},
      {{"starttime", "begintime"},
       [](const std::string& v, int64_t now, v1::ModifyJobRequest* r) {
         auto t = common::ParseBeginTime(v, now);
         if (!t.ok()) return Bad("StartTime");
         r->set_begin_time(*t);
         return absl::OkStatus();
       }},
      {{"jobname", "name"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         r->set_name(v);
         return absl::OkStatus();
       }},
      {{"comment"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         r->set_comment(v);
         return absl::OkStatus();
       }},
      {{"features"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         r->set_features(v);
         return absl::OkStatus();
       }},
      {{"reqnodelist", "nodelist"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         r->set_req_nodes(v);
         return absl::OkStatus();
       }},
      {{"excnodelist"},
       [](const std::string& v, int64_t, v1::ModifyJobRequest* r) {
         r->set_exc_nodes(v);
         return absl::OkStatus();
       }},
  };
  return keys;
}

const UpdateKey* Find(const std::string& key) {
  for (const auto& k : Keys())
    for (const char* n : k.names)
      if (key == n) return &k;
  return nullptr;
}

}  // namespace

bool IsJobUpdate(const std::vector<std::string>& words) {
  for (const auto& w : words) {
    std::string key = absl::AsciiStrToLower(w.substr(0, w.find('=')));
    if (key == "jobid" || key == "job") return true;
  }
  return false;
}

absl::StatusOr<v1::ModifyJobRequest> ParseJobUpdate(const std::vector<std::string>& words,
                                                    int64_t now) {
  v1::ModifyJobRequest r;
  for (const auto& w : words) {
    size_t eq = w.find('=');
    std::string key = absl::AsciiStrToLower(w.substr(0, eq));
    const UpdateKey* k = eq == std::string::npos ? nullptr : Find(key);
    if (!k)
      return absl::InvalidArgumentError(
          absl::StrCat("Update of this parameter is not supported: ", w, "\nRequest aborted"));
    if (auto s = k->set(w.substr(eq + 1), now, &r); !s.ok()) return s;
  }
  return r;
}

bool IsPartitionUpdate(const std::vector<std::string>& words) {
  for (const auto& w : words)
    if (absl::AsciiStrToLower(w.substr(0, w.find('='))) == "partitionname") return true;
  return false;
}

absl::StatusOr<v1::UpdatePartitionRequest> ParsePartitionUpdate(
    const std::vector<std::string>& words) {
  v1::UpdatePartitionRequest r;
  for (const auto& w : words) {
    size_t eq = w.find('=');
    std::string key = absl::AsciiStrToLower(w.substr(0, eq));
    std::string v = eq == std::string::npos ? "" : w.substr(eq + 1);
    if (key == "partitionname") {
      r.set_name(v);
    } else if (key == "state") {
      std::string up = absl::AsciiStrToUpper(v);
      if (up != "UP" && up != "DOWN" && up != "DRAIN" && up != "INACTIVE")
        return absl::InvalidArgumentError(absl::StrCat(
            "scontrol: error: Invalid input: ", w,
            "\nscontrol: error: Acceptable State values are UP, DOWN, DRAIN and INACTIVE\n"
            "slurm_update error: No error"));
      r.set_state(up);
    } else if (key == "maxtime") {
      auto m = common::ParseTimeLimit(v);
      if (!m.ok() || *m == common::kTimeInvalid)
        return absl::InvalidArgumentError(
            absl::StrCat("scontrol: error: Invalid input ", w, "\nslurm_update error: No error"));
      r.set_max_time_min(*m);
    } else if (key == "nodes") {
      r.set_nodes(v);
    } else if (key == "default") {
      std::string up = absl::AsciiStrToUpper(v);
      if (up != "YES" && up != "NO")
        return absl::InvalidArgumentError(
            absl::StrCat("scontrol: error: Invalid input: ", w, "\nslurm_update error: No error"));
      r.set_is_default(up == "YES");
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("Update of this parameter is not supported: ", w, "\nRequest aborted"));
    }
  }
  return r;
}

}  // namespace sluice::cli
