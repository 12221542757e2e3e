// Regression (found by tests/fuzz/fuzz_http, docs/fuzzing.md): a Retry-After HTTP-date after
// 2262 (a proxy's "Fri, 31 Dec 9999 23:59:59 GMT" for "never") overflowed system_clock's
// nanoseconds in parse_retry_after: undefined behaviour, in practice a negative or arbitrary
// delay. It now saturates like a delay-seconds value of more than 9 digits (31 years), and the
// retry decision caps it at max_backoff_ms as any other Retry-After.

#include "adapters/http/http_types.hpp"
#include "adapters/http/retry_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace mm {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const std::chrono::system_clock::time_point k_now{seconds(1709251200)}; // 2024-03-01T00:00:00Z
const Millis k_saturated = hours(24 * 365 * 31);

TEST(RetryAfterFarDates, DatesBeyondTheClockRangeSaturate) {
  for (const char* value : {"Fri, 31 Dec 9999 23:59:59 GMT", "Sat, 01 Jan 2263 00:00:00 GMT",
                            "Thu, 01 Jan 2060 00:00:00 GMT"}) {
    const auto parsed = parse_retry_after(value, k_now);
    ASSERT_TRUE(parsed.has_value()) << value;
    EXPECT_EQ(*parsed, k_saturated) << value;
  }
  EXPECT_EQ(parse_retry_after("999999999999", k_now), k_saturated);
}

TEST(RetryAfterFarDates, NearDatesKeepTheirMilliseconds) {
  EXPECT_EQ(parse_retry_after("Fri, 01 Mar 2024 00:02:00 GMT", k_now), Millis(120000));
  const auto mid_second = k_now + std::chrono::milliseconds(250);
  EXPECT_EQ(parse_retry_after("Fri, 01 Mar 2024 00:00:01 GMT", mid_second), Millis(750));
  EXPECT_EQ(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", k_now), Millis(0));
  EXPECT_EQ(parse_retry_after("Mon, 01 Jan 1900 00:00:00 GMT", k_now).value_or(Millis(0)),
            Millis(0));
}

TEST(RetryAfterFarDates, TheRetryWaitIsCappedAsAnyOther) {
  const HttpOptions options;
  const auto parsed = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", k_now);
  const RetryDecision d =
      decide_retry(AttemptOutcome::retryable_status, true, 1, parsed, options, 0.0);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay, Millis(options.max_backoff_ms));
}

} // namespace
} // namespace mm
