#include <algorithm>
#include <ctime>
#include "absl/strings/string_view.h"
#include "common/slurm_conf.h"

#include <cstdlib>
#include <functional>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/hostlist.h"
#include "common/time_spec.h"

#ifndef SLUICE_DEFAULT_CONF
#define SLUICE_DEFAULT_CONF "/etc/slurm/slurm.conf"
#endif

namespace sluice::common {
namespace {

using KV = std::pair<std::string, std::string>;  // lower-case key, value

// Joins continuation lines, drops comments; returns logical lines with their
// first physical line number.
std::vector<std::pair<int, std::string>> LogicalLines(absl::string_view text) {
  std::vector<std::pair<int, std::string>> out;
  std::string cur;
  int start = 0, lineno = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++lineno;
    std::string line;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size() && raw[i + 1] == '#') {
        line += '#';
        ++i;
      } else if (raw[i] == '#') {
        break;
      } else if (raw[i] != '\r') {
        line += raw[i];
      }
    }
    if (cur.empty()) start = lineno;
    bool cont = !line.empty() && line.back() == '\\';
    if (cont) line.pop_back();
    cur += line;
    if (cont) {
      cur += ' ';
      continue;
    }
    if (!absl::StripAsciiWhitespace(cur).empty()) out.emplace_back(start, cur);
    cur.clear();
  }
  if (!absl::StripAsciiWhitespace(cur).empty()) out.emplace_back(start, cur);
  return out;
}

absl::StatusOr<std::vector<KV>> Tokens(absl::string_view line, int lineno,
                                       absl::string_view file) {
  std::vector<KV> kvs;
  size_t i = 0;
  auto err = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, " line ", lineno, ": ", what));
  };
  while (i < line.size()) {
    while (i < line.size() && absl::ascii_isspace(line[i])) ++i;
    if (i >= line.size()) break;
    size_t ks = i;
    while (i < line.size() && line[i] != '=' && !absl::ascii_isspace(line[i]))
      ++i;
    std::string key = absl::AsciiStrToLower(line.substr(ks, i - ks));
    if (i >= line.size() || line[i] != '=') {
      // "Include path" has no '='.
      if (key == "include") {
        while (i < line.size() && absl::ascii_isspace(line[i])) ++i;
        kvs.emplace_back("include", std::string(absl::StripAsciiWhitespace(
                                        line.substr(i))));
        return kvs;
      }
      return err(absl::StrCat("Parsing error at unrecognized key: ",
                              line.substr(ks, i - ks)));
    }
    ++i;  // '='
    std::string val;
    if (i < line.size() && line[i] == '"') {
      size_t end = line.find('"', i + 1);
      if (end == absl::string_view::npos) return err("unterminated quote");
      val = std::string(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t vs = i;
      while (i < line.size() && !absl::ascii_isspace(line[i])) ++i;
      val = std::string(line.substr(vs, i - vs));
    }
    if (key.empty()) return err("empty key");
    kvs.emplace_back(std::move(key), std::move(val));
  }
  return kvs;
}

absl::Status ParseU32(absl::string_view v, uint32_t* out, absl::string_view key,
                      int lineno) {
  if (!absl::SimpleAtoi(v, out))
    return absl::InvalidArgumentError(absl::StrCat(
        "slurm.conf line ", lineno, ": invalid number for ", key, ": ", v));
  return absl::OkStatus();
}

bool YesNo(absl::string_view v) {
  std::string l = absl::AsciiStrToLower(v);
  return l == "yes" || l == "true" || l == "1";
}

// Splits "host(addr)" as SlurmctldHost allows.
void SplitCtldHost(absl::string_view v, std::string* host, std::string* addr) {
  size_t p = v.find('(');
  if (p == absl::string_view::npos) {
    *host = std::string(v);
    *addr = std::string(v);
    return;
  }
  *host = std::string(v.substr(0, p));
  size_t q = v.find(')', p);
  *addr = std::string(v.substr(p + 1, q == absl::string_view::npos
                                          ? absl::string_view::npos
                                          : q - p - 1));
}

struct Parser {
  SlurmConfig cfg;
  NodeConf node_default;
  PartitionConf part_default;
  std::string conf_dir;
  const FileReader* reader;
  int depth = 0;

  absl::Status Line(const std::vector<KV>& kvs, int lineno);
  absl::Status NodeLine(const std::vector<KV>& kvs, int lineno);
  absl::Status PartitionLine(const std::vector<KV>& kvs, int lineno);
  absl::Status Text(absl::string_view text, absl::string_view file);
};

absl::Status Parser::Text(absl::string_view text, absl::string_view file) {
  for (auto& [lineno, line] : LogicalLines(text)) {
    auto kvs = Tokens(line, lineno, file);
    if (!kvs.ok()) return kvs.status();
    if (kvs->empty()) continue;
    if (absl::Status s = Line(*kvs, lineno); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Parser::Line(const std::vector<KV>& kvs, int lineno) {
  const std::string& first = kvs[0].first;
  if (first == "include") {
    if (++depth > 8) return absl::InvalidArgumentError("Include nested too deeply");
    std::string p = kvs[0].second;
    if (!p.empty() && p[0] != '/') p = conf_dir + "/" + p;
    auto text = (*reader)(p);
    if (!text.ok()) return text.status();
    absl::Status s = Text(*text, p);
    --depth;
    return s;
  }
  if (first == "nodename") return NodeLine(kvs, lineno);
  if (first == "partitionname") return PartitionLine(kvs, lineno);
  for (const auto& [k, v] : kvs) {
    cfg.raw[k] = v;
    if (k == "clustername") {
      cfg.cluster_name = absl::AsciiStrToLower(v);
    } else if (k == "slurmctldhost" || k == "controlmachine") {
      SplitCtldHost(v, &cfg.ctld_host, &cfg.ctld_addr);
    } else if (k == "controladdr") {
      cfg.ctld_addr = v;
    } else if (k == "slurmctldport") {
      uint32_t p;
      if (auto s = ParseU32(v, &p, k, lineno); !s.ok()) return s;
      cfg.ctld_port = static_cast<uint16_t>(p);
    } else if (k == "slurmdport") {
      uint32_t p;
      if (auto s = ParseU32(v, &p, k, lineno); !s.ok()) return s;
      cfg.slurmd_port = static_cast<uint16_t>(p);
    } else if (k == "statesavelocation") {
      cfg.state_save_location = v;
    } else if (k == "slurmdspooldir") {
      cfg.slurmd_spool_dir = v;
    } else if (k == "authtype") {
      cfg.auth_type = v;
    } else if (k == "authinfo") {
      for (absl::string_view item : absl::StrSplit(v, ',')) {
        if (absl::StartsWithIgnoreCase(item, "socket="))
          cfg.auth_socket = std::string(item.substr(7));
      }
    } else if (k == "killwait") {
      if (auto s = ParseU32(v, &cfg.kill_wait_s, k, lineno); !s.ok()) return s;
    } else if (k == "minjobage") {
      if (auto s = ParseU32(v, &cfg.min_job_age_s, k, lineno); !s.ok()) return s;
    } else if (k == "purgejobafter") {
      size_t d = 0;
      while (d < v.size() && absl::ascii_isdigit(static_cast<unsigned char>(v[d]))) ++d;
      char unit = d < v.size() ? absl::ascii_tolower(static_cast<unsigned char>(v[d])) : 'm';
      if (d == 0 || !absl::SimpleAtoi(v.substr(0, d), &cfg.purge_job_after) ||
          (unit != 'h' && unit != 'd' && unit != 'm'))
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": invalid PurgeJobAfter value: ", v));
      cfg.purge_job_unit = unit;
    } else if (k == "mailprog") {
      cfg.mail_prog = v;
    } else if (k == "maxarraysize") {
      if (auto s = ParseU32(v, &cfg.max_array_size, k, lineno); !s.ok()) return s;
      if (cfg.max_array_size > 4000001)
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": MaxArraySize can not exceed 4000001"));
    } else if (k == "firstjobid") {
      if (auto s = ParseU32(v, &cfg.first_job_id, k, lineno); !s.ok()) return s;
      if (cfg.first_job_id == 0)
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": FirstJobId must be positive"));
    } else if (k == "maxjobid") {
      if (auto s = ParseU32(v, &cfg.max_job_id, k, lineno); !s.ok()) return s;
      if (cfg.max_job_id == 0 || cfg.max_job_id > 67108863)
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": MaxJobId must be between 1 and 67108863"));
    } else if (k == "maxjobcount") {
      if (auto s = ParseU32(v, &cfg.max_job_count, k, lineno); !s.ok()) return s;
    } else if (k == "slurmdtimeout") {
      if (auto s = ParseU32(v, &cfg.slurmd_timeout_s, k, lineno); !s.ok())
        return s;
    } else if (k == "jobacctgatherfrequency") {
      // "N" or "task=N[,energy=N,...]": the task interval is what Sluice
      // samples at; the other kinds gather nothing here.
      cfg.job_acct_gather_frequency = v;
      std::string task = v;
      for (absl::string_view part : absl::StrSplit(v, ','))
        if (absl::ConsumePrefix(&part, "task=")) task = std::string(part);
      if (task.find('=') == std::string::npos &&
          !absl::SimpleAtoi(task, &cfg.acct_gather_task_s))
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": invalid JobAcctGatherFrequency: ", v));
    } else if (k == "unkillablesteptimeout") {
      if (auto s = ParseU32(v, &cfg.unkillable_step_timeout_s, k, lineno); !s.ok())
        return s;
    } else if (k == "returntoservice") {
      if (auto s = ParseU32(v, &cfg.return_to_service, k, lineno); !s.ok())
        return s;
      if (cfg.return_to_service > 2)
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": ReturnToService must be 0, 1 or 2"));
    } else if (k == "jobrequeue") {
      uint32_t r = 1;
      if (auto s = ParseU32(v, &r, k, lineno); !s.ok()) return s;
      cfg.job_requeue = r != 0;
    } else if (k == "prolog") {
      cfg.prolog = v;
    } else if (k == "epilog") {
      cfg.epilog = v;
    } else if (k == "taskprolog") {
      cfg.task_prolog = v;
    } else if (k == "taskepilog") {
      cfg.task_epilog = v;
    } else if (k == "healthcheckprogram") {
      cfg.health_check_program = v;
    } else if (k == "healthcheckinterval") {
      if (auto s = ParseU32(v, &cfg.health_check_interval_s, k, lineno); !s.ok())
        return s;
    } else if (k == "proctracktype" || k == "tasktype" || k == "taskplugin" ||
               k == "healthchecknodestate" || k == "prologflags" ||
               k == "slurmduser" || k == "slurmuser") {
      // Accepted: Sluice always tracks with its supervisor (and cgroups
      // where available) and runs the prolog with each batch job.
    } else if (k == "schedulertype") {
      cfg.scheduler_type = v;
    } else if (k == "slurmctldparameters") {
      // rl_enable and its rl_* settings (the RPC rate limit); Slurm's other
      // words belong to features Sluice does not have, and are reported.
      cfg.rate_limit = {};
      for (absl::string_view w : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        std::string word = absl::AsciiStrToLower(absl::StripAsciiWhitespace(w));
        std::string key = word.substr(0, word.find('='));
        std::string val = word.find('=') == std::string::npos ? "" : word.substr(word.find('=') + 1);
        uint32_t* dst = key == "rl_bucket_size"     ? &cfg.rate_limit.bucket_size
                        : key == "rl_refill_rate"   ? &cfg.rate_limit.refill_rate
                        : key == "rl_refill_period" ? &cfg.rate_limit.refill_period_s
                                                    : nullptr;
        if (key == "rl_enable") {
          cfg.rate_limit.enabled = true;
        } else if (dst) {
          if (!absl::SimpleAtoi(val, dst) || *dst == 0)
            return absl::InvalidArgumentError(absl::StrCat(
                "slurm.conf line ", lineno, ": invalid SlurmctldParameters ", word));
        } else if (key != "rl_table_size" && key != "rl_log_freq") {
          cfg.warnings.push_back(absl::StrCat("slurm.conf line ", lineno,
                                              ": ignoring SlurmctldParameters word ", word));
        }
      }
    } else if (k == "slurmdparameters") {
      cfg.cgroup_favordynmods = true;
      for (absl::string_view w : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        std::string word = absl::AsciiStrToLower(absl::StripAsciiWhitespace(w));
        if (word == "no_cgroup_favordynmods")
          cfg.cgroup_favordynmods = false;
        else if (word != "config_overrides")  // what Sluice always does: nodes are as configured
          cfg.warnings.push_back(absl::StrCat("slurm.conf line ", lineno,
                                              ": ignoring SlurmdParameters word ", word));
      }
    } else if (k == "schedulerparameters") {
      cfg.scheduler_parameters = v;
    } else if (k == "launchparameters") {
      cfg.launch_parameters = v;
    } else if (k == "interactivestepoptions") {
      cfg.interactive_step_options = v;
    } else if (absl::StartsWith(k, "priority")) {
      cfg.priority[k] = v;
    } else if (k == "enforcepartlimits") {
      cfg.enforce_part_limits = absl::AsciiStrToUpper(v);
      if (cfg.enforce_part_limits != "NO" && cfg.enforce_part_limits != "ALL" &&
          cfg.enforce_part_limits != "ANY" && cfg.enforce_part_limits != "YES")
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": invalid EnforcePartLimits: ", v));
    } else if (k == "accountingstoragetype") {
      cfg.accounting_storage_type = v;
    } else if (k == "accountingstorageenforce") {
      cfg.accounting_storage_enforce.clear();
      static const std::set<std::string> kWords = {"associations", "limits", "qos", "safe",
                                                   "wckeys", "nojobs", "nosteps", "all", "none"};
      for (absl::string_view w : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        std::string word = absl::AsciiStrToLower(absl::StripAsciiWhitespace(w));
        if (!kWords.count(word))
          return absl::InvalidArgumentError(absl::StrCat(
              "slurm.conf line ", lineno, ": invalid AccountingStorageEnforce: ", v));
        if (word != "none") cfg.accounting_storage_enforce.push_back(word);
      }
    } else if (k == "privatedata") {
      cfg.private_data.clear();
      static const std::set<std::string> kWords = {"accounts", "cloud", "events", "jobs",
                                                   "nodes", "partitions", "reservations",
                                                   "usage", "users"};
      for (absl::string_view w : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        std::string word = absl::AsciiStrToLower(absl::StripAsciiWhitespace(w));
        if (!kWords.count(word))
          return absl::InvalidArgumentError(
              absl::StrCat("slurm.conf line ", lineno, ": invalid PrivateData: ", v));
        cfg.private_data.push_back(word);
      }
    } else if (k == "accountingstoragetres") {
      cfg.accounting_storage_tres = v;
    } else if (k == "preempttype") {
      cfg.preempt_type = absl::AsciiStrToLower(v);
      if (cfg.preempt_type != "preempt/none" && cfg.preempt_type != "preempt/qos")
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": PreemptType ", v,
            " is not supported (preempt/none, preempt/qos)"));
    } else if (k == "preemptmode") {
      cfg.preempt_mode = absl::AsciiStrToUpper(v);
      if (cfg.preempt_mode != "OFF" && cfg.preempt_mode != "CANCEL" &&
          cfg.preempt_mode != "REQUEUE")
        return absl::InvalidArgumentError(absl::StrCat(
            "slurm.conf line ", lineno, ": PreemptMode ", v,
            " is not supported (OFF, CANCEL, REQUEUE)"));
    } else if (k == "dependencyparameters") {
      cfg.dependency_parameters = v;
    } else {
      cfg.warnings.push_back(absl::StrCat("slurm.conf line ", lineno,
                                          ": ignoring unknown key ", k));
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::NodeLine(const std::vector<KV>& kvs, int lineno) {
  auto err = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("slurm.conf line ", lineno, ": ", what));
  };
  NodeConf proto = node_default;
  std::string names_expr = kvs[0].second, addr_expr, host_expr, port_expr;
  for (size_t i = 1; i < kvs.size(); ++i) {
    const auto& [k, v] = kvs[i];
    if (k == "nodeaddr") {
      addr_expr = v;
    } else if (k == "nodehostname") {
      host_expr = v;
    } else if (k == "port") {
      port_expr = v;
    } else if (k == "cpus" || k == "procs") {
      if (auto s = ParseU32(v, &proto.cpus, k, lineno); !s.ok()) return s;
      if (proto.cpus == 0) return err("CPUs must be positive");
    } else if (k == "realmemory") {
      if (!absl::SimpleAtoi(v, &proto.real_memory_mb))
        return err(absl::StrCat("invalid RealMemory: ", v));
    } else if (k == "tmpdisk") {
      if (!absl::SimpleAtoi(v, &proto.tmp_disk_mb)) return err(absl::StrCat("invalid TmpDisk: ", v));
    } else if (k == "gres") {
      auto g = ParseGres(v);
      if (!g.ok()) return err(absl::StrCat("invalid Gres: ", v));
      proto.gres = *g;
    } else if (k == "features" || k == "feature") {
      proto.features = absl::StrSplit(v, ',', absl::SkipEmpty());
    } else if (k == "state") {
      proto.state = absl::AsciiStrToUpper(v);
    } else {
      cfg.warnings.push_back(absl::StrCat("slurm.conf line ", lineno,
                                          ": ignoring node key ", k));
    }
  }
  if (absl::AsciiStrToLower(names_expr) == "default") {
    node_default = proto;
    return absl::OkStatus();
  }
  auto names = ExpandHostlist(names_expr, 100000);
  if (!names.ok()) return err(names.status().message());
  auto expand_same = [&](const std::string& expr, absl::string_view what)
      -> absl::StatusOr<std::vector<std::string>> {
    if (expr.empty()) return std::vector<std::string>();
    auto v = ExpandHostlist(expr, 100000);
    if (!v.ok()) return v.status();
    if (v->size() != 1 && v->size() != names->size())
      return err(absl::StrCat(what, " count does not match NodeName count"));
    return v;
  };
  auto addrs = expand_same(addr_expr, "NodeAddr");
  if (!addrs.ok()) return addrs.status();
  auto hosts = expand_same(host_expr, "NodeHostname");
  if (!hosts.ok()) return hosts.status();
  auto ports = expand_same(port_expr, "Port");
  if (!ports.ok()) return ports.status();
  for (size_t i = 0; i < names->size(); ++i) {
    NodeConf n = proto;
    n.name = (*names)[i];
    auto pick = [&](const std::vector<std::string>& v, const std::string& d) {
      if (v.empty()) return d;
      return v.size() == 1 ? v[0] : v[i];
    };
    n.addr = pick(*addrs, n.name);
    n.hostname = pick(*hosts, n.name);
    if (!ports->empty()) {
      uint32_t p;
      if (!absl::SimpleAtoi(pick(*ports, ""), &p) || p == 0 || p > 65535)
        return err("invalid Port");
      n.port = static_cast<uint16_t>(p);
    }
    if (!cfg.node_index.emplace(n.name, cfg.nodes.size()).second)
      return err(absl::StrCat("duplicate node ", n.name));
    cfg.nodes.push_back(std::move(n));
  }
  return absl::OkStatus();
}

absl::Status Parser::PartitionLine(const std::vector<KV>& kvs, int lineno) {
  auto err = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("slurm.conf line ", lineno, ": ", what));
  };
  PartitionConf p = part_default;
  p.name = kvs[0].second;
  for (size_t i = 1; i < kvs.size(); ++i) {
    const auto& [k, v] = kvs[i];
    if (k == "nodes") {
      if (absl::AsciiStrToUpper(v) == "ALL") {
        p.nodes.clear();
        for (const auto& n : cfg.nodes) p.nodes.push_back(n.name);
      } else {
        auto names = ExpandHostlist(v, 100000);
        if (!names.ok()) return err(names.status().message());
        p.nodes = *names;
      }
    } else if (k == "default") {
      p.is_default = YesNo(v);
    } else if (k == "maxtime" || k == "defaulttime") {
      auto t = ParseTimeLimit(v);
      if (!t.ok() || *t == kTimeInvalid)
        return err(absl::StrCat("invalid ", k, ": ", v));
      (k == "maxtime" ? p.max_time_min : p.default_time_min) = *t;
    } else if (k == "maxnodes") {
      if (absl::AsciiStrToUpper(v) == "UNLIMITED") {
        p.max_nodes = 0;
      } else if (auto s = ParseU32(v, &p.max_nodes, k, lineno); !s.ok()) {
        return s;
      }
    } else if (k == "state") {
      p.state = absl::AsciiStrToUpper(v);
      if (p.state != "UP" && p.state != "DOWN" && p.state != "DRAIN" &&
          p.state != "INACTIVE")
        return err(absl::StrCat("invalid partition State: ", v));
    } else if (k == "minnodes") {
      if (auto s = ParseU32(v, &p.min_nodes, k, lineno); !s.ok()) return s;
    } else if (k == "maxcpuspernode") {
      if (absl::AsciiStrToUpper(v) == "UNLIMITED") {
        p.max_cpus_per_node = 0;
      } else if (auto s = ParseU32(v, &p.max_cpus_per_node, k, lineno); !s.ok()) {
        return s;
      }
    } else if (k == "oversubscribe" || k == "shared") {
      std::string mode = absl::AsciiStrToUpper(v.substr(0, v.find(':')));
      if (mode != "NO" && mode != "EXCLUSIVE" && mode != "YES" && mode != "FORCE")
        return err(absl::StrCat("invalid OverSubscribe: ", v));
      p.oversubscribe = mode;
    } else if (k == "exclusiveuser") {
      p.exclusive_user = YesNo(v);
    } else if (k == "priorityjobfactor") {
      if (auto s = ParseU32(v, &p.priority_job_factor, k, lineno); !s.ok()) return s;
    } else if (k == "prioritytier") {
      if (!absl::SimpleAtoi(v, &p.priority_tier))
        return err(absl::StrCat("invalid PriorityTier: ", v));
    } else if (k == "allowgroups") {
      p.allow_groups.clear();
      if (absl::AsciiStrToUpper(v) != "ALL")
        p.allow_groups = absl::StrSplit(v, ',', absl::SkipEmpty());
    } else if (k == "allowaccounts") {
      p.allow_accounts.clear();
      if (absl::AsciiStrToUpper(v) != "ALL")
        p.allow_accounts = absl::StrSplit(v, ',', absl::SkipEmpty());
    } else if (k == "denyaccounts") {
      p.deny_accounts = absl::StrSplit(v, ',', absl::SkipEmpty());
    } else if (k == "allowqos") {
      p.allow_qos.clear();
      if (absl::AsciiStrToUpper(v) != "ALL")
        for (absl::string_view q : absl::StrSplit(v, ',', absl::SkipEmpty()))
          p.allow_qos.push_back(absl::AsciiStrToLower(q));
    } else if (k == "denyqos") {
      p.deny_qos.clear();
      for (absl::string_view q : absl::StrSplit(v, ',', absl::SkipEmpty()))
        p.deny_qos.push_back(absl::AsciiStrToLower(q));
    } else {
      cfg.warnings.push_back(absl::StrCat("slurm.conf line ", lineno,
                                          ": ignoring partition key ", k));
    }
  }
  if (absl::AsciiStrToLower(p.name) == "default") {
    part_default = p;
    part_default.name.clear();
    return absl::OkStatus();
  }
  if (p.name.empty()) return err("empty PartitionName");
  for (const auto& n : p.nodes)
    if (!cfg.FindNode(n))
      return err(absl::StrCat("partition ", p.name, " names unknown node ", n));
  if (cfg.FindPartition(p.name))
    return err(absl::StrCat("duplicate partition ", p.name));
  cfg.partitions.push_back(std::move(p));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("Unable to open ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

uint32_t NodeConf::gpus() const {
  uint64_t n = 0;
  for (const auto& g : gres)
    if (g.name == "gpu") n += g.count;
  return static_cast<uint32_t>(n);
}

const NodeConf* SlurmConfig::FindNode(absl::string_view name) const {
  if (node_index.size() == nodes.size()) {
    auto it = node_index.find(std::string(name));
    if (it == node_index.end()) return nullptr;
    if (it->second < nodes.size() && nodes[it->second].name == name) return &nodes[it->second];
  }
  for (const auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}
const PartitionConf* SlurmConfig::FindPartition(absl::string_view name) const {
  for (const auto& p : partitions)
    if (p.name == name) return &p;
  return nullptr;
}
bool SlurmConfig::UseInteractiveStep() const {
  for (absl::string_view p : absl::StrSplit(launch_parameters, ','))
    if (absl::EqualsIgnoreCase(p, "use_interactive_step")) return true;
  return false;
}

const PartitionConf* SlurmConfig::DefaultPartition() const {
  for (const auto& p : partitions)
    if (p.is_default) return &p;
  return partitions.empty() ? nullptr : &partitions[0];
}

absl::StatusOr<std::vector<GresSpec>> ParseGres(absl::string_view s) {
  std::vector<GresSpec> out;
  if (s.empty() || absl::AsciiStrToLower(s) == "(null)") return out;
  auto bad = absl::InvalidArgumentError(
      "Invalid generic resource (gres) specification");
  for (absl::string_view item : absl::StrSplit(s, ',')) {
    if (absl::StartsWith(item, "gres:")) item.remove_prefix(5);
    std::vector<absl::string_view> f = absl::StrSplit(item, ':');
    GresSpec g;
    g.name = std::string(f[0]);
    if (g.name.empty()) return bad;
    g.count = 1;
    if (f.size() == 2) {
      if (!absl::SimpleAtoi(f[1], &g.count)) {
        g.type = std::string(f[1]);
      }
    } else if (f.size() == 3) {
      g.type = std::string(f[1]);
      if (!absl::SimpleAtoi(f[2], &g.count)) return bad;
    } else if (f.size() > 3) {
      return bad;
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::string FormatGres(const std::vector<GresSpec>& g) {
  std::vector<std::string> parts;
  for (const auto& x : g)
    parts.push_back(x.type.empty()
                        ? absl::StrCat(x.name, ":", x.count)
                        : absl::StrCat(x.name, ":", x.type, ":", x.count));
  return absl::StrJoin(parts, ",");
}

absl::StatusOr<SlurmConfig> ParseSlurmConfText(absl::string_view text,
                                               const std::string& conf_dir,
                                               const FileReader& read_file) {
  Parser p;
  p.conf_dir = conf_dir;
  p.reader = &read_file;
  if (absl::Status s = p.Text(text, "slurm.conf"); !s.ok()) return s;
  if (p.cfg.auth_type != "auth/munge")
    return absl::InvalidArgumentError(
        absl::StrCat("AuthType ", p.cfg.auth_type,
                     " is not supported (only auth/munge)"));
  if (p.cfg.first_job_id > p.cfg.max_job_id)
    return absl::InvalidArgumentError(absl::StrCat(
        "FirstJobId (", p.cfg.first_job_id, ") is greater than MaxJobId (", p.cfg.max_job_id, ")"));
  return std::move(p.cfg);
}

absl::StatusOr<std::vector<GresConfLine>> ParseGresConfText(
    absl::string_view text) {
  std::vector<GresConfLine> out;
  for (auto& [lineno, line] : LogicalLines(text)) {
    auto kvs = Tokens(line, lineno, "gres.conf");
    if (!kvs.ok()) return kvs.status();
    GresConfLine g;
    bool any = false;
    for (const auto& [k, v] : *kvs) {
      if (k == "nodename") {
        auto names = ExpandHostlist(v, 100000);
        if (!names.ok()) return names.status();
        g.node_names = *names;
      } else if (k == "name") {
        g.name = v;
        any = true;
      } else if (k == "type") {
        g.type = v;
      } else if (k == "file") {
        auto files = ExpandHostlist(v, 4096);
        if (!files.ok()) return files.status();
        g.files = *files;
      } else if (k == "count") {
        if (!absl::SimpleAtoi(v, &g.count))
          return absl::InvalidArgumentError(
              absl::StrCat("gres.conf line ", lineno, ": invalid Count ", v));
      } else if (k == "autodetect") {
        g.autodetect = v;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("gres.conf line ", lineno, ": unknown key ", k));
      }
    }
    if (any) out.push_back(std::move(g));
  }
  return out;
}

absl::StatusOr<SlurmConfig> LoadSlurmConf(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  std::string dir = ".";
  if (size_t slash = path.rfind('/'); slash != std::string::npos)
    dir = slash == 0 ? "/" : path.substr(0, slash);
  auto cfg = ParseSlurmConfText(*text, dir, ReadWholeFile);
  if (!cfg.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", cfg.status().message()));
  cfg->path = path;
  cfg->text_hash = std::hash<std::string>()(*text);
  auto gres = ReadWholeFile(dir + "/gres.conf");
  if (gres.ok()) {
    auto lines = ParseGresConfText(*gres);
    if (!lines.ok()) return lines.status();
    cfg->gres_conf = *lines;
  }
  auto cg = ReadWholeFile(dir + "/cgroup.conf");
  if (cg.ok()) {
    auto c = ParseCgroupConfText(*cg);
    if (!c.ok()) return c.status();
    cfg->cgroup = *c;
  }
  return cfg;
}

std::string SlurmConfig::SpoolDirFor(const std::string& node) const {
  std::string d = slurmd_spool_dir;
  for (size_t p; (p = d.find("%n")) != std::string::npos;) d.replace(p, 2, node);
  return d;
}

std::string ResolveConfPath() {
  const char* env = std::getenv("SLURM_CONF");
  if (env && *env) return env;
  return SLUICE_DEFAULT_CONF;
}

int64_t SlurmConfig::PurgeCutoff(int64_t now) const {
  if (purge_job_after == 0) return 0;
  if (purge_job_unit == 'h') return now - int64_t{purge_job_after} * 3600;
  if (purge_job_unit == 'd') return now - int64_t{purge_job_after} * 86400;
  // Calendar months, local time, as slurmdbd counts them.
  time_t t = static_cast<time_t>(now);
  struct tm tm;
  localtime_r(&t, &tm);
  tm.tm_mon -= static_cast<int>(purge_job_after);
  tm.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm));
}

}  // namespace sluice::common

namespace sluice::common {

bool SlurmConfig::EnforceAssociations() const {
  for (const auto& w : accounting_storage_enforce)
    if (w == "associations" || w == "limits" || w == "qos" || w == "safe" || w == "all") return true;
  return false;
}

bool SlurmConfig::PrivateData(const std::string& what) const {
  return std::find(private_data.begin(), private_data.end(), what) != private_data.end();
}

bool SlurmConfig::EnforceLimits() const {
  for (const auto& w : accounting_storage_enforce)
    if (w == "limits" || w == "safe" || w == "all") return true;
  return false;
}

bool SlurmConfig::EnforceQos() const {
  for (const auto& w : accounting_storage_enforce)
    if (w == "qos" || w == "all") return true;
  return false;
}

bool SlurmConfig::AssociationsApply() const {
  return EnforceAssociations() ||
         (!accounting_storage_type.empty() && accounting_storage_type != "accounting_storage/none");
}

}  // namespace sluice::common
