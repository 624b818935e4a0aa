// sinfo -v: the settings dump Slurm prints before the listing (the options
// as read, the format as fields, and which fields the format shows), in its
// layout. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/sinfo_fields.h"

namespace sluice::cli {

struct SinfoSettings {
  std::vector<SinfoField> fields;
  bool node_view, noheader, long_view, summarize, responding, dead, exact, all;
  int iterate_s, verbose;
  std::string nodes, partitions;
  std::vector<std::string> states;
  std::string sort;
  std::string given_format;  // -o/-O as given; "" when the view's own
};

std::string SinfoSettingsDump(const SinfoSettings& s);

}  // namespace sluice::cli
