// Accounting limits on associations and QOS (issue 13 point 4): the one
// table of sacctmgr's limit keys (MaxJobs, MaxSubmitJobs, MaxWall,
// MaxTRES, GrpTRES, GrpJobs, GrpSubmitJobs, MaxTRESPerUser, Priority),
// their parsing with Slurm's error texts and their printing. A QOS reads
// MaxJobs/MaxSubmitJobs per user (MaxJobsPU, MaxSubmitPU); an association
// per association. Pure values and functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::common {

// The trackable resources limits name, in Slurm's TRES id order.
enum TresKind { kTresCpu = 0, kTresMem = 1, kTresNode = 2, kTresGpu = 3, kTresKinds = 4 };
using TresVec = std::array<int64_t, kTresKinds>;  // -1: no limit
inline constexpr TresVec kNoTres = {-1, -1, -1, -1};

// "cpu=4,mem=8G,node=2,gres/gpu=1" -> a TresVec over `base` (kinds not
// named keep their value; -1 clears one). Error: Slurm's sacctmgr text.
absl::StatusOr<TresVec> ParseTres(absl::string_view text, TresVec base = kNoTres);
// The set kinds in Slurm's order ("cpu=8,node=2"; mem as "100M"/"4G"); "".
std::string FormatTres(const TresVec& v);

struct AcctLimits {
  int64_t max_jobs = -1, max_submit = -1, max_wall_min = -1;
  int64_t grp_jobs = -1, grp_submit = -1, priority = -1;
  TresVec max_tres = kNoTres;     // per job
  TresVec grp_tres = kNoTres;     // all running jobs of the association/QOS
  TresVec max_tres_pu = kNoTres;  // QOS: per user
  bool operator==(const AcctLimits&) const = default;
};

enum class LimitScope { kAssoc, kQos };

// One limit key: its canonical name (what the wire carries), the names
// sacctmgr takes (lower-case), where it applies and the listing's field.
struct LimitKey {
  const char* name;                    // canonical, lower-case
  std::vector<const char*> spellings;  // lower-case, canonical first
  bool assoc, qos;                     // settable there
  const char* label;                   // sacctmgr's word for it on a QOS
  const char* assoc_label;             // and on an association
};
const std::vector<LimitKey>& LimitKeys();
// The key `spelled` names for `scope`, or nullptr.
const LimitKey* FindLimitKey(absl::string_view spelled, LimitScope scope);

// Sets `key` (canonical) from sacctmgr's text. Errors carry Slurm's lines
// (e.g. "sacctmgr: error: Invalid value for MaxJobs (x)"), without the
// " Unknown option" line the caller adds.
absl::Status SetLimit(AcctLimits& l, const LimitKey& key, absl::string_view value,
                      LimitScope scope = LimitScope::kAssoc);
// The value as sacctmgr lists it ("" when unset).
std::string LimitText(const AcctLimits& l, const LimitKey& key);

// FairShare= on an association (sacctmgr's Share column): a count of shares,
// or "parent" (kFairShareParent). A negative number means the default (1)
// and an empty value 0, as sacctmgr takes them; anything else is refused
// with "Invalid value for FairShare (X)".
inline constexpr uint32_t kFairShareParent = 0xFFFFFFFFu;
absl::StatusOr<uint32_t> ParseFairShare(absl::string_view text);
std::string FairShareText(uint32_t shares);  // "parent" or the number

}  // namespace sluice::common
