#include "common/begin_time.h"

#include <ctime>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace sluice::common {
namespace {

absl::Status Bad() {
  return absl::InvalidArgumentError("Invalid time specification");
}

bool Num(absl::string_view s, int* out, int lo, int hi) {
  return !s.empty() && s.size() <= 4 && absl::SimpleAtoi(s, out) && *out >= lo &&
         *out <= hi;
}

int64_t At(const struct tm& base, int day_offset, int h, int m, int s) {
  struct tm t = base;
  t.tm_mday += day_offset;
  t.tm_hour = h;
  t.tm_min = m;
  t.tm_sec = s;
  t.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&t));
}

// "HH:MM[:SS]"
bool ClockTime(absl::string_view s, int* h, int* m, int* sec) {
  std::vector<absl::string_view> f = absl::StrSplit(s, ':');
  *sec = 0;
  if (f.size() < 2 || f.size() > 3) return false;
  return Num(f[0], h, 0, 23) && Num(f[1], m, 0, 59) &&
         (f.size() == 2 || Num(f[2], sec, 0, 59));
}

}  // namespace

absl::StatusOr<int64_t> ParseBeginTime(absl::string_view in, int64_t now) {
  std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(in));
  if (s.empty()) return Bad();
  time_t tnow = static_cast<time_t>(now);
  struct tm local;
  localtime_r(&tnow, &local);

  if (absl::StartsWith(s, "now")) {
    absl::string_view rest = absl::string_view(s).substr(3);
    if (rest.empty()) return now;
    if (rest[0] != '+') return Bad();
    rest.remove_prefix(1);
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
    int64_t n;
    if (digits == 0 || digits > 9 || !absl::SimpleAtoi(rest.substr(0, digits), &n))
      return Bad();
    absl::string_view unit = rest.substr(digits);
    int64_t mult;
    if (unit.empty() || unit == "s" || absl::StartsWith(unit, "sec")) mult = 1;
    else if (absl::StartsWith(unit, "min")) mult = 60;
    else if (absl::StartsWith(unit, "hour") || unit == "h") mult = 3600;
    else if (absl::StartsWith(unit, "day") || unit == "d") mult = 86400;
    else if (absl::StartsWith(unit, "week")) mult = 7 * 86400;
    else return Bad();
    return now + n * mult;
  }
  struct Named {
    const char* name;
    int hour;
  };
  for (const Named& n : {Named{"midnight", 0}, Named{"noon", 12},
                         Named{"fika", 15}, Named{"teatime", 16}}) {
    if (s == n.name) {
      int64_t t = At(local, 0, n.hour, 0, 0);
      return t <= now ? At(local, 1, n.hour, 0, 0) : t;
    }
  }
  if (s == "today") return now;
  if (s == "tomorrow") return At(local, 1, 0, 0, 0);

  int h, m, sec;
  if (ClockTime(s, &h, &m, &sec)) {
    int64_t t = At(local, 0, h, m, sec);
    return t < now ? At(local, 1, h, m, sec) : t;
  }
  // YYYY-MM-DD[THH:MM[:SS]]
  std::vector<absl::string_view> dt = absl::StrSplit(s, 't');
  std::vector<absl::string_view> ymd = absl::StrSplit(dt[0], '-');
  int y, mo, d;
  if (dt.size() <= 2 && ymd.size() == 3 && Num(ymd[0], &y, 1970, 9999) &&
      Num(ymd[1], &mo, 1, 12) && Num(ymd[2], &d, 1, 31)) {
    h = m = sec = 0;
    if (dt.size() == 2 && !ClockTime(dt[1], &h, &m, &sec)) return Bad();
    struct tm t{};
    t.tm_year = y - 1900;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    return At(t, 0, h, m, sec);
  }
  // MM/DD[/YY]
  std::vector<absl::string_view> md = absl::StrSplit(s, '/');
  if ((md.size() == 2 || md.size() == 3) && Num(md[0], &mo, 1, 12) &&
      Num(md[1], &d, 1, 31)) {
    struct tm t = local;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    if (md.size() == 3) {
      if (!Num(md[2], &y, 0, 99)) return Bad();
      t.tm_year = 100 + y;
    }
    return At(t, 0, 0, 0, 0);
  }
  return Bad();
}

}  // namespace sluice::common
