#pragma once

#include "core/metrics.hpp"

#include <string>

namespace mm {

// "2025-11-23T10:30:00Z" (UTC, seconds).
std::string format_iso8601_utc(TimePoint t);

} // namespace mm
