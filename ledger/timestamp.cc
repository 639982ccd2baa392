#include "ledger/timestamp.h"

#include <chrono>
#include <cstdio>

namespace pilotledger {
namespace {

// Reads exactly `n` digits at `pos`; -1 if any is not a digit.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

Status Bad(std::string_view text) {
  return Status(Code::kInvalidArgument,
                "\"" + std::string(text) + "\" is not an RFC 3339 date-time such as 2023-10-15T08:00:00Z");
}

}  // namespace

Result<Timestamp> ParseRfc3339(std::string_view s, TimeZoneRule zone) {
  using namespace std::chrono;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
    return Bad(s);
  }
  const int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
  const int h = Digits(s, 11, 2), mi = Digits(s, 14, 2), sec = Digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return Bad(s);
  const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return Bad(s);

  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t n = 0;
    while (pos + 1 + n < s.size() && s[pos + 1 + n] >= '0' && s[pos + 1 + n] <= '9') ++n;
    if (n == 0 || n > 9) return Bad(s);
    for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < n ? s[pos + 1 + i] - '0' : 0);
    pos += 1 + n;
  }
  int64_t offset_minutes = 0;
  if (pos + 1 == s.size() && s[pos] == 'Z') {
    // UTC
  } else if (zone == TimeZoneRule::kAnyOffset && pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') &&
             s[pos + 3] == ':') {
    const int oh = Digits(s, pos + 1, 2), om = Digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return Bad(s);
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return Bad(s);
  }
  const auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) - minutes(offset_minutes);
  return Timestamp{duration_cast<milliseconds>(t.time_since_epoch()).count() + millis};
}

std::string FormatRfc3339Millis(Timestamp t) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds(t.ms)};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> tod{tp - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(tod.hours().count()),
                int(tod.minutes().count()), int(tod.seconds().count()), int(tod.subseconds().count()));
  return buf;
}

std::string FormatRfc3339Seconds(Timestamp t) {
  std::string s = FormatRfc3339Millis(t);
  return s.substr(0, 19) + "Z";
}

Timestamp SystemClock::Now() const {
  using namespace std::chrono;
  return Timestamp{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

}  // namespace pilotledger
