#include "common/users.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace sluice::common {
namespace {
std::optional<UserInfo> FromPw(struct passwd* pw) {
  if (!pw) return std::nullopt;
  return UserInfo{pw->pw_uid, pw->pw_gid, pw->pw_name,
                  pw->pw_dir ? pw->pw_dir : "/",
                  pw->pw_shell ? pw->pw_shell : "/bin/sh"};
}
}  // namespace

std::optional<UserInfo> LookupUser(uid_t uid) {
  struct passwd pw, *res = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) != 0) return {};
  return FromPw(res);
}

std::optional<UserInfo> LookupUser(const std::string& name) {
  struct passwd pw, *res = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) != 0)
    return {};
  return FromPw(res);
}

std::string GroupName(gid_t gid) {
  struct group gr, *res = nullptr;
  std::vector<char> buf(65536);
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &res) != 0 || !res)
    return std::to_string(gid);
  return res->gr_name;
}

std::optional<gid_t> LookupGroup(const std::string& text) {
  struct group gr, *res = nullptr;
  std::vector<char> buf(65536);
  unsigned long id = 0;
  bool numeric = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    id = std::strtoul(text.c_str(), nullptr, 10);
    if (id > 0xfffffffeUL) return std::nullopt;
    if (getgrgid_r(static_cast<gid_t>(id), &gr, buf.data(), buf.size(), &res) != 0 || !res)
      return std::nullopt;
  } else if (getgrnam_r(text.c_str(), &gr, buf.data(), buf.size(), &res) != 0 || !res) {
    return std::nullopt;
  }
  return res->gr_gid;
}

std::vector<gid_t> GroupsOf(const std::string& user, gid_t gid) {
  int n = 64;
  std::vector<gid_t> groups(n);
  while (getgrouplist(user.c_str(), gid, groups.data(), &n) < 0) {
    groups.resize(n + 16);
    n = static_cast<int>(groups.size());
  }
  groups.resize(n);
  return groups;
}

std::string ShortHostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  std::string h = buf;
  if (auto dot = h.find('.'); dot != std::string::npos) h.resize(dot);
  return h;
}

}  // namespace sluice::common
