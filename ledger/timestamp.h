#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace pilotledger {

// An instant as milliseconds since the Unix epoch (UTC). The ledger's clock has millisecond precision.
struct Timestamp {
  int64_t ms = 0;
  auto operator<=>(const Timestamp&) const = default;
};

enum class TimeZoneRule { kUtcOnly, kAnyOffset };

// Parses an RFC 3339 date-time ("2023-10-15T08:00:00Z", optionally with a fraction of up to 9
// digits, which is truncated to milliseconds). With kAnyOffset a "+08:00"-style offset is also
// accepted. Rejects impossible dates, leap seconds and lowercase 't'/'z'. Errors: kInvalidArgument.
Result<Timestamp> ParseRfc3339(std::string_view text, TimeZoneRule zone = TimeZoneRule::kUtcOnly);

// "2023-10-15T08:00:00.123Z": always three fraction digits, so strings sort like instants.
std::string FormatRfc3339Millis(Timestamp t);
// "2023-10-15T08:00:00Z".
std::string FormatRfc3339Seconds(Timestamp t);

// A source of the current time, injected so that tests can drive deadlines. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

}  // namespace pilotledger
