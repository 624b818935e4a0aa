// sacctmgr's listings: one table of fields per entity (header, width,
// value), format= parsing (names by prefix, %N right- and %-N
// left-justified widths) and the three layouts (columns with '+' for what
// does not fit, -P '|' between, -p '|' after each). Pure; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld.pb.h"

namespace sluice::cli {

// One listed line: what any field of the listing may read.
struct MgrRow {
  const ::sluice::v1::AcctAccountRecord* account = nullptr;
  const ::sluice::v1::AcctUserRecord* user = nullptr;
  const ::sluice::v1::AcctAssocRecord* assoc = nullptr;
  std::string cluster;
  bool tree = false;  // the Account column indented by depth
  const ::sluice::v1::AcctQosRecord* qos = nullptr;
  // A cluster's line: where its controller listens (its limits and QOS are
  // those of `assoc`, the root account's association).
  std::string control_host;
  int control_port = 0;
};

struct MgrField {
  const char* name;    // as format= spells it (matched by prefix, any case)
  const char* header;
  int width;           // default; negative: left-justified
  std::function<std::string(const MgrRow&)> value;
};

enum class MgrEntity { kAccount, kUser, kUserWithAssoc, kAssoc, kQos, kCluster };

// The default columns of each listing, in Slurm's order.
std::vector<const MgrField*> DefaultMgrFields(MgrEntity e);
// format=a,b%12,c%-8: the fields (and widths) asked for; an unknown name
// is Slurm's "Unknown field 'X'".
struct MgrColumn {
  const MgrField* field;
  int width;  // negative: left-justified
};
absl::StatusOr<std::vector<MgrColumn>> ParseAcctMgrFormat(MgrEntity e, const std::string& spec);
std::vector<MgrColumn> Columns(const std::vector<const MgrField*>& fields);

enum class MgrLayout { kColumns, kParsable, kParsable2 };
// The header (unless `no_header`) and one line per row.
std::string RenderMgr(const std::vector<MgrColumn>& cols, const std::vector<MgrRow>& rows,
                       MgrLayout layout, bool no_header, bool tree);

}  // namespace sluice::cli
