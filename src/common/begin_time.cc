#include "common/begin_time.h"

#include <ctime>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sluice::common {
namespace {

int64_t At(const struct tm& base, int day_offset, int h, int m, int s) {
  struct tm t = base;
  t.tm_mday += day_offset;
  t.tm_hour = h;
  t.tm_min = m;
  t.tm_sec = s;
  t.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&t));
}

// A left-to-right scanner over the lower-cased text: tokens are a time of
// day, a date, or "now[+-]N[unit]", separated by '-' or blanks (so
// "noon-tomorrow" and "16:00 11/30" work, as in Slurm). `pos` is where
// parsing stopped, for Slurm's "(pos=N)" message.
class Scanner {
 public:
  Scanner(std::string s, int64_t now) : s_(std::move(s)), now_(now) {
    time_t t = static_cast<time_t>(now);
    localtime_r(&t, &local_);
  }

  absl::StatusOr<int64_t> Run(absl::string_view original) {
    while (i_ < s_.size()) {
      if (!Token()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Invalid time specification (pos=", i_, "): ", original));
      }
      while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '-')) ++i_;
    }
    if (relative_) return *relative_;
    if (!date_ && !clock_) return Bad(original);
    struct tm base = local_;
    int h = clock_ ? clock_->h : 0, m = clock_ ? clock_->m : 0, sec = clock_ ? clock_->s : 0;
    if (date_) {
      base.tm_year = date_->y;
      base.tm_mon = date_->mon;
      base.tm_mday = date_->d;
      int64_t t = At(base, date_->days, h, m, sec);
      // A month and day that have passed mean next year's.
      if (!date_->year_given && date_->days == 0 && t < now_) {
        base.tm_year += 1;
        t = At(base, 0, h, m, sec);
      }
      return t;
    }
    int64_t t = At(base, 0, h, m, sec);
    return t <= now_ ? At(base, 1, h, m, sec) : t;  // passed today: tomorrow
  }

 private:
  struct Clock { int h, m, s; };
  struct Date { int y, mon, d, days; bool year_given; };

  absl::Status Bad(absl::string_view original) const {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid time specification (pos=", i_, "): ", original));
  }
  bool Word(absl::string_view w) {
    if (absl::string_view(s_).substr(i_, w.size()) != w) return false;
    size_t end = i_ + w.size();
    if (end < s_.size() && absl::ascii_isalpha(s_[end])) return false;
    i_ = end;
    return true;
  }
  bool Number(int* out, size_t max_digits, size_t* digits = nullptr) {
    size_t j = i_;
    while (j < s_.size() && absl::ascii_isdigit(s_[j]) && j - i_ < max_digits) ++j;
    if (j == i_ || !absl::SimpleAtoi(absl::string_view(s_).substr(i_, j - i_), out)) return false;
    if (digits) *digits = j - i_;
    i_ = j;
    return true;
  }
  bool Lit(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void Today(int days) { date_ = Date{local_.tm_year, local_.tm_mon, local_.tm_mday, days, true}; }

  bool Token() {
    if (Word("now")) return Now();
    if (Word("today")) return Today(0), true;
    if (Word("tomorrow")) return Today(1), true;
    for (auto [name, hour] : {std::pair{"midnight", 0}, std::pair{"noon", 12},
                              std::pair{"fika", 15}, std::pair{"teatime", 16}}) {
      if (!Word(name)) continue;
      clock_ = Clock{hour, 0, 0};
      if (hour == 0 && !date_) Today(1);  // the coming midnight
      return true;
    }
    if (i_ < s_.size() && absl::ascii_isdigit(s_[i_])) return Digits();
    return false;
  }

  // now[{+|-}count[seconds|minutes|hours|days|weeks]]
  bool Now() {
    int64_t t = now_;
    if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) {
      int sign = s_[i_++] == '+' ? 1 : -1;
      int n;
      if (!Number(&n, 9)) return false;
      int64_t mult = 1;
      size_t u = i_;
      while (i_ < s_.size() && absl::ascii_isalpha(s_[i_])) ++i_;
      std::string unit = s_.substr(u, i_ - u);
      if (unit.empty() || absl::StartsWith("seconds", unit)) mult = 1;
      else if (absl::StartsWith("minutes", unit)) mult = 60;
      else if (absl::StartsWith("hours", unit)) mult = 3600;
      else if (absl::StartsWith("days", unit)) mult = 86400;
      else if (absl::StartsWith("weeks", unit)) mult = 7 * 86400;
      else {
        i_ = u;
        return false;
      }
      t += sign * n * mult;
    }
    relative_ = t;
    return true;
  }

  bool Digits() {
    size_t start = i_, n = 0;
    int a;
    if (!Number(&a, 4, &n)) return false;
    if (n == 4 && Lit('-')) {  // YYYY-MM-DD[THH:MM[:SS]]
      int mo, d;
      if (!Number(&mo, 2) || mo < 1 || mo > 12 || !Lit('-') || !Number(&d, 2) || d < 1 || d > 31)
        return false;
      date_ = Date{a - 1900, mo - 1, d, 0, true};
      if (Lit('t')) return Clock24();
      return true;
    }
    if (Lit(':')) {  // HH:MM[:SS][ ][AM|PM]
      i_ = start;
      return Clock24();
    }
    if (i_ < s_.size() && (s_[i_] == '/' || s_[i_] == '.')) {  // MM/DD[/YY], MM.DD[.YY]
      char sep = s_[i_++];
      int d, y = -1;
      if (a < 1 || a > 12 || !Number(&d, 2) || d < 1 || d > 31) return false;
      if (Lit(sep) && !Number(&y, 2)) return false;
      date_ = Date{y < 0 ? local_.tm_year : 100 + y, a - 1, d, 0, y >= 0};
      return true;
    }
    // MMDD[YY]
    i_ = start;
    int mo, d, y = -1;
    if (!Number(&mo, 2) || !Number(&d, 2)) return false;
    size_t yd = 0;
    if (i_ < s_.size() && absl::ascii_isdigit(s_[i_]) && (!Number(&y, 2, &yd) || yd != 2)) return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    date_ = Date{y < 0 ? local_.tm_year : 100 + y, mo - 1, d, 0, y >= 0};
    return true;
  }

  bool Clock24() {
    int h, m, sec = 0;
    if (!Number(&h, 2) || h > 23 || !Lit(':') || !Number(&m, 2) || m > 59) return false;
    if (Lit(':') && (!Number(&sec, 2) || sec > 59)) return false;
    size_t save = i_;
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
    if (Word("am") || Word("pm")) {
      bool pm = s_[i_ - 2] == 'p';
      if (h < 1 || h > 12) return false;
      h = (h % 12) + (pm ? 12 : 0);
    } else {
      i_ = save;
    }
    clock_ = Clock{h, m, sec};
    return true;
  }

  std::string s_;
  size_t i_ = 0;
  int64_t now_;
  struct tm local_;
  std::optional<int64_t> relative_;
  std::optional<Clock> clock_;
  std::optional<Date> date_;
};

}  // namespace

absl::StatusOr<int64_t> ParseBeginTime(absl::string_view in, int64_t now) {
  std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(in));
  if (s.empty())
    return absl::InvalidArgumentError(absl::StrCat("Invalid time specification (pos=0): ", in));
  return Scanner(std::move(s), now).Run(in);
}

}  // namespace sluice::common
