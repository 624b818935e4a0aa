#include "common/output_pattern.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sluice::common {

std::string ExpandOutputPattern(const std::string& pattern, const OutputPatternVars& vars) {
  std::string out;
  std::string id = std::to_string(vars.job_id);
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c != '%' || i + 1 >= pattern.size()) {
      out += c;
      continue;
    }
    // Optional zero-pad width, e.g. %4j.
    size_t j = i + 1;
    int width = 0;
    while (j < pattern.size() && pattern[j] >= '0' && pattern[j] <= '9') {
      if (width < 1000) width = width * 10 + (pattern[j] - '0');
      ++j;
    }
    width = std::min(width, 64);  // a padding width, not an allocation size
    if (j >= pattern.size()) {
      out += pattern.substr(i);
      break;
    }
    std::string v;
    bool numeric = true;
    switch (pattern[j]) {
      case '%': v = "%"; numeric = false; break;
      case 'j': case 'J': v = id; break;
      case 'A': v = vars.array_job_id ? std::to_string(vars.array_job_id) : id; break;
      case 'a':  // 4294967294: not an array task
        v = vars.array_task_id >= 0 ? std::to_string(vars.array_task_id) : "4294967294";
        break;
      case 's': v = "batch"; numeric = false; break;
      case 't': case 'n': v = "0"; break;
      case 'x': v = vars.job_name; numeric = false; break;
      case 'u': v = vars.user; numeric = false; break;
      case 'N': v = vars.node; numeric = false; break;
      default:
        // Unknown escapes stay as written.
        out += pattern.substr(i, j - i + 1);
        i = j;
        continue;
    }
    if (numeric && static_cast<int>(v.size()) < width)
      v.insert(0, width - v.size(), '0');
    out += v;
    i = j;
  }
  return out;
}

std::string ExpandArrayEscapes(const std::string& pattern, uint64_t array_job_id,
                               int64_t array_task_id) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    size_t j = i + 1;
    while (pattern[i] == '%' && j < pattern.size() && pattern[j] >= '0' && pattern[j] <= '9') ++j;
    if (pattern[i] != '%' || j >= pattern.size()) {
      out += pattern[i];
      continue;
    }
    if (pattern[j] == 'A' || pattern[j] == 'a') {
      OutputPatternVars v;
      v.array_job_id = array_job_id;
      v.array_task_id = array_task_id;
      out += ExpandOutputPattern(pattern.substr(i, j - i + 1), v);
    } else {
      out += pattern.substr(i, j - i + 1);  // %% and the rest stay
    }
    i = j;
  }
  return out;
}

std::string ExpandStepIoPattern(const std::string& p, uint64_t job, uint32_t step,
                            uint32_t task, uint32_t node_index, const std::string& node) {
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '%' || i + 1 >= p.size()) {
      out += p[i];
      continue;
    }
    char c = p[++i];
    switch (c) {
      case 't': absl::StrAppend(&out, task); break;
      case 'n': absl::StrAppend(&out, node_index); break;
      case 'N': out += node; break;
      case 'j': absl::StrAppend(&out, job); break;
      case 'J': absl::StrAppend(&out, job, ".", step); break;
      case 's': absl::StrAppend(&out, step); break;
      case 'A': absl::StrAppend(&out, job); break;
      case 'a': out += "4294967294"; break;
      case '%': out += '%'; break;
      default: out += '%'; out += c;
    }
  }
  return out;
}

}  // namespace sluice::common
