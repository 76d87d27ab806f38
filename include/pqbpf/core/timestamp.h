// One parser for every RFC 3339 time the code base reads: key file
// created_at, manifest signed_at, audit log record times and
// `log show --since` all call parse_timestamp (issue 11.11).
//
// Leap seconds (":60") are refused everywhere. POSIX time has no such second,
// our writers never produce one, and accepting it in one parser but not in
// another gave one document two readings (a key file accepted "23:59:60Z",
// a manifest refused it, the log silently moved it to the next minute).
#pragma once

#include <cstdint>
#include <string_view>

#include "pqbpf/result.h"

namespace pqbpf {

enum class TimestampSyntax {
  // Exactly "YYYY-MM-DDTHH:MM:SSZ": what key files and manifests hold.
  kUtcSeconds,
  // RFC 3339 as people type it: also a bare date ("2026-01-31", midnight
  // UTC), 't' or ' ' for 'T', 'z' for 'Z', a fraction of up to 9 digits,
  // and a "+HH:MM" / "-HH:MM" offset. Used for log times and --since.
  kRfc3339,
};

// A UTC instant: whole seconds since 1970-01-01T00:00:00Z plus nanoseconds.
struct Timestamp {
  std::int64_t seconds = 0;
  std::uint32_t nanos = 0;
};

// Years 0000..9999; the calendar date must exist (Feb 29 only in leap years);
// hours 00..23, minutes 00..59, seconds 00..59. kInvalidArgument otherwise;
// the message does not quote the text (callers add the field and the value
// where it is not secret).
Result<Timestamp> parse_timestamp(std::string_view text, TimestampSyntax syntax);

}  // namespace pqbpf
