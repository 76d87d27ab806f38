// The shared RFC 3339 parser (see timestamp.h).
#include "pqbpf/core/timestamp.h"

#include <chrono>

namespace pqbpf {
namespace {

// Reads exactly `n` ASCII digits at s[i...]; advances i.
bool read_digits(std::string_view s, std::size_t& i, std::size_t n, int& out) {
  if (i + n > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < n; ++k, ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool take(std::string_view s, std::size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

}  // namespace

Result<Timestamp> parse_timestamp(std::string_view s, TimestampSyntax syntax) {
  const bool strict = syntax == TimestampSyntax::kUtcSeconds;
  const auto bad = [strict] {
    return make_error(ErrorCode::kInvalidArgument,
                      strict ? "expected an RFC 3339 UTC time like 2026-01-31T23:59:59Z"
                             : "expected an RFC 3339 time like 2026-01-31T12:00:00Z or 2026-01-31");
  };
  std::size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, i, 4, year) || !take(s, i, '-') || !read_digits(s, i, 2, month) ||
      !take(s, i, '-') || !read_digits(s, i, 2, day)) {
    return bad();
  }
  std::uint32_t nanos = 0;
  std::int64_t offset = 0;
  if (i < s.size() || strict) {
    if (!(take(s, i, 'T') || (!strict && (take(s, i, 't') || take(s, i, ' '))))) return bad();
    if (!read_digits(s, i, 2, hour) || !take(s, i, ':') || !read_digits(s, i, 2, minute) ||
        !take(s, i, ':') || !read_digits(s, i, 2, second)) {
      return bad();
    }
    if (!strict && take(s, i, '.')) {
      std::size_t digits = 0;
      for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
        if (digits == 9) return bad();
        nanos = nanos * 10 + static_cast<std::uint32_t>(s[i] - '0');
      }
      if (digits == 0) return bad();
      for (std::size_t k = digits; k < 9; ++k) nanos *= 10;
    }
    if (take(s, i, 'Z') || (!strict && take(s, i, 'z'))) {
      // UTC
    } else if (!strict && i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int sign = s[i++] == '+' ? 1 : -1;
      int oh = 0, om = 0;
      if (!read_digits(s, i, 2, oh) || !take(s, i, ':') || !read_digits(s, i, 2, om) || oh > 23 ||
          om > 59) {
        return bad();
      }
      offset = sign * (oh * 3600 + om * 60);
    } else {
      return bad();
    }
  }
  if (i != s.size()) return bad();

  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  // The one leap-second rule: ":60" is not a time (see timestamp.h).
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return bad();
  const std::int64_t days = sys_days{ymd}.time_since_epoch().count();
  return Timestamp{days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos};
}

}  // namespace pqbpf
