#include "cli/sprio_format.h"

#include <cctype>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sluice::cli {

namespace v1 = ::sluice::v1;

namespace {

// The weighted value's weight and the normalised factor of a job.
using Factor = double (*)(const v1::JobPriorityRecord&);
using Weight = uint32_t (*)(const v1::SharesReply&);

struct PrioField {
  char letter;
  const char* header;
  // Exactly one of these describes the value.
  Factor factor;       // a priority factor: weighted (upper case) or normalised (lower)
  Weight weight;
  bool normalised;
  std::string (*text)(const v1::JobPriorityRecord&, const v1::SharesReply&);  // other columns
  const char* weights_text;  // what -w shows in this column (nullptr: the weight)
};

uint32_t WAge(const v1::SharesReply& w) { return w.weight_age(); }
uint32_t WAssoc(const v1::SharesReply& w) { return w.weight_assoc(); }
uint32_t WFair(const v1::SharesReply& w) { return w.weight_fairshare(); }
uint32_t WSize(const v1::SharesReply& w) { return w.weight_job_size(); }
uint32_t WPart(const v1::SharesReply& w) { return w.weight_partition(); }
uint32_t WQos(const v1::SharesReply& w) { return w.weight_qos(); }
double FAge(const v1::JobPriorityRecord& j) { return j.age(); }
double FAssoc(const v1::JobPriorityRecord& j) { return j.assoc(); }
double FFair(const v1::JobPriorityRecord& j) { return j.fairshare(); }
double FSize(const v1::JobPriorityRecord& j) { return j.job_size(); }
double FPart(const v1::JobPriorityRecord& j) { return j.partition_factor(); }
double FQos(const v1::JobPriorityRecord& j) { return j.qos(); }

std::string JobId(const v1::JobPriorityRecord& j, const v1::SharesReply&) { return absl::StrCat(j.job_id()); }
std::string Part(const v1::JobPriorityRecord& j, const v1::SharesReply&) { return j.partition(); }
std::string UserName(const v1::JobPriorityRecord& j, const v1::SharesReply&) { return j.user(); }
std::string Cluster(const v1::JobPriorityRecord&, const v1::SharesReply& w) { return w.cluster(); }
std::string Prio(const v1::JobPriorityRecord& j, const v1::SharesReply&) { return absl::StrCat(j.priority()); }
// The normalised priority: over 2^32 - 1, cut (not rounded) to 8 places,
// as Slurm prints it (7500 is 0.00000174).
std::string PrioNorm(const v1::JobPriorityRecord& j, const v1::SharesReply&) {
  return absl::StrFormat("%.8f", std::floor(static_cast<double>(j.priority()) / 4294967295.0 * 1e8) / 1e8);
}
std::string Site(const v1::JobPriorityRecord&, const v1::SharesReply&) { return "0"; }
std::string Nice(const v1::JobPriorityRecord& j, const v1::SharesReply&) { return absl::StrCat(j.nice()); }
std::string NoTres(const v1::JobPriorityRecord&, const v1::SharesReply&) { return ""; }

// Every letter, once. SITE is 0 (no site factor is set here); TRES is
// empty (no PriorityWeightTRES); NICE is the job's nice value.
const std::vector<PrioField>& Fields() {
  static const std::vector<PrioField> kFields = {
      {'i', "JOBID", nullptr, nullptr, false, JobId, "Weights"},
      {'r', "PARTITION", nullptr, nullptr, false, Part, ""},
      {'u', "USER", nullptr, nullptr, false, UserName, ""},
      {'c', "CLUSTER", nullptr, nullptr, false, Cluster, ""},
      {'Y', "PRIORITY", nullptr, nullptr, false, Prio, ""},
      {'y', "PRIORITY", nullptr, nullptr, false, PrioNorm, ""},
      {'S', "SITE", nullptr, nullptr, false, Site, "1"},
      {'A', "AGE", FAge, WAge, false, nullptr, nullptr},
      {'a', "AGE", FAge, WAge, true, nullptr, nullptr},
      {'B', "ASSOC", FAssoc, WAssoc, false, nullptr, nullptr},
      {'b', "ASSOC", FAssoc, WAssoc, true, nullptr, nullptr},
      {'F', "FAIRSHARE", FFair, WFair, false, nullptr, nullptr},
      {'f', "FAIRSHARE", FFair, WFair, true, nullptr, nullptr},
      {'J', "JOBSIZE", FSize, WSize, false, nullptr, nullptr},
      {'j', "JOBSIZE", FSize, WSize, true, nullptr, nullptr},
      {'P', "PARTITION", FPart, WPart, false, nullptr, nullptr},
      {'p', "PARTITION", FPart, WPart, true, nullptr, nullptr},
      {'Q', "QOS", FQos, WQos, false, nullptr, nullptr},
      {'q', "QOS", FQos, WQos, true, nullptr, nullptr},
      {'N', "NICE", nullptr, nullptr, false, Nice, ""},
      {'T', "TRES", nullptr, nullptr, false, NoTres, "(null)"},
      {'t', "TRES", nullptr, nullptr, false, NoTres, "(null)"},
  };
  return kFields;
}

const PrioField* Find(char c) {
  for (const auto& f : Fields())
    if (f.letter == c) return &f;
  return nullptr;
}

std::string Pad(const std::string& v, const PrioItem& it) {
  std::string s = it.width && static_cast<int>(v.size()) > it.width ? v.substr(0, it.width) : v;
  if (!it.width) return s;
  return it.right ? absl::StrFormat("%*s", it.width, s) : absl::StrFormat("%-*s", it.width, s);
}

template <typename Cell>
std::string Line(const std::vector<PrioItem>& f, Cell cell) {
  std::string out;
  for (const auto& it : f) {
    out += it.literal;
    if (it.letter) out += Pad(cell(*Find(it.letter)), it);
  }
  return out + "\n";
}

}  // namespace

absl::StatusOr<std::vector<PrioItem>> ParsePrioFormat(const std::string& spec) {
  std::vector<PrioItem> out;
  PrioItem cur;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') {
      cur.literal += spec[i];
      continue;
    }
    size_t k = i + 1;
    if (k < spec.size() && spec[k] == '.') {
      cur.right = true;
      ++k;
    }
    while (k < spec.size() && std::isdigit(static_cast<unsigned char>(spec[k])) && cur.width < 100000)
      cur.width = cur.width * 10 + (spec[k++] - '0');
    if (k >= spec.size() || !Find(spec[k]) || cur.width > 4096)
      return absl::InvalidArgumentError(absl::StrCat("Invalid job format specification: ",
                                                     k < spec.size() ? std::string(1, spec[k]) : ""));
    cur.letter = spec[k];
    out.push_back(cur);
    cur = PrioItem();
    i = k;
  }
  if (!cur.literal.empty()) out.push_back(cur);
  return out;
}

std::string DefaultPrioFormat(const v1::SharesReply& w, bool long_format, bool norm, bool user) {
  std::string f = "%.15i %9r";
  if (user || long_format) f += " %.8u";
  const char* num = norm ? " %10" : " %.10";
  absl::StrAppend(&f, num, norm ? "y" : "Y");
  if (!norm) f += " %.10S";
  const std::pair<char, uint32_t> factors[] = {{'A', w.weight_age()},      {'B', w.weight_assoc()},
                                               {'F', w.weight_fairshare()}, {'J', w.weight_job_size()},
                                               {'P', w.weight_partition()}, {'Q', w.weight_qos()}};
  for (auto [c, weight] : factors)
    if (long_format || weight) absl::StrAppend(&f, num, std::string(1, norm ? c - 'A' + 'a' : c));
  if (long_format) f += norm ? " %.11N %.20t" : " %.11N %.20T";
  return f;
}

std::string PrioHeader(const std::vector<PrioItem>& f) {
  return Line(f, [](const PrioField& x) { return std::string(x.header); });
}

std::string PrioLine(const std::vector<PrioItem>& f, const v1::JobPriorityRecord& j,
                     const v1::SharesReply& w) {
  return Line(f, [&](const PrioField& x) -> std::string {
    if (x.text) return x.text(j, w);
    if (x.normalised) return absl::StrFormat("%.7f", x.factor(j));
    return absl::StrCat(std::llround(x.factor(j) * x.weight(w)));
  });
}

std::string PrioWeights(const std::vector<PrioItem>& f, const v1::SharesReply& w) {
  return Line(f, [&](const PrioField& x) -> std::string {
    if (x.weights_text) return x.weights_text;
    return absl::StrCat(x.weight(w));
  });
}

}  // namespace sluice::cli
