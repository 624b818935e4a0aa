// Name service lookups (passwd/group) as values. Thread-safe (reentrant
// getpw*_r/getgr*_r).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace sluice::common {

struct UserInfo {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::string home;
  std::string shell;
};

std::optional<UserInfo> LookupUser(uid_t uid);
std::optional<UserInfo> LookupUser(const std::string& name);
std::string GroupName(gid_t gid);  // numeric string when unknown
// A group named or numbered by `text` that exists; nullopt otherwise.
std::optional<gid_t> LookupGroup(const std::string& text);
// Supplementary groups of `user` including `gid`, as initgroups would set.
std::vector<gid_t> GroupsOf(const std::string& user, gid_t gid);
std::string ShortHostname();

}  // namespace sluice::common
