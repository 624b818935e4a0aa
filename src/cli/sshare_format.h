// sshare's output: the one table of its fields (name, header, width,
// alignment, value), -o/--format parsing ("account,user%10,fairshare%-12":
// %N right-aligned, %-N left-aligned, a prefix of a name is enough), and
// the table and parsable layouts, as Slurm 22.05 prints them. Pure;
// thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctld.pb.h"

namespace sluice::cli {

struct ShareField {
  const char* name;    // as --helpformat lists it
  const char* header;  // usually the name
  int width;
  bool left;
  std::string (*value)(const ::sluice::v1::ShareRecord& r, const std::string& cluster);
};
const std::vector<ShareField>& ShareFields();

struct ShareColumn {
  const ShareField* field;
  int width;
  bool left;
};
// An unknown name: `Invalid field requested: "NAME"`.
absl::StatusOr<std::vector<ShareColumn>> ParseShareFormat(const std::string& spec);
// The default columns: short (7), -l (11); -m adds Partition after User.
std::vector<ShareColumn> DefaultShareColumns(bool long_format, bool partition);

enum class ShareLayout { kTable, kParsable, kParsable2 };
// Row r's Account is indented by indent[r] spaces.
std::string FormatShares(const std::vector<ShareColumn>& cols,
                         const std::vector<const ::sluice::v1::ShareRecord*>& rows,
                         const std::string& cluster, ShareLayout layout, bool header,
                         const std::vector<int>& indent);

// sshare -e: the field names, four to a line.
std::string ShareHelpFormat();

}  // namespace sluice::cli
