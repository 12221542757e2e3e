// The retry policy of MLflow's Python client (see retry_policy.hpp), checked case by case.

#include "adapters/http/http_types.hpp"
#include "adapters/http/retry_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <limits>

namespace mm {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, DefaultsAreMlflows) {
  const HttpOptions o;
  EXPECT_EQ(o.max_retries, 7);         // MLFLOW_HTTP_REQUEST_MAX_RETRIES
  EXPECT_EQ(o.backoff_factor, 2.0);    // MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR
  EXPECT_EQ(o.backoff_jitter, 1.0);    // MLFLOW_HTTP_REQUEST_BACKOFF_JITTER
  EXPECT_EQ(o.max_backoff_ms, 120000); // urllib3 Retry.DEFAULT_BACKOFF_MAX
  EXPECT_TRUE(o.verify_tls);
}

TEST(RetryPolicy, RetryableStatusesAreExactlyMlflows) {
  for (long s = 100; s < 600; ++s) {
    const bool expected = s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
    EXPECT_EQ(is_retryable_status(s), expected) << s;
  }
  EXPECT_FALSE(is_retryable_status(0));
  EXPECT_FALSE(is_retryable_status(-1));
}

struct BackoffCase {
  int failures;
  double random_unit;
  long expected_ms;
};

class BackoffWithDefaults : public ::testing::TestWithParam<BackoffCase> {};

TEST_P(BackoffWithDefaults, MatchesUrllib3Formula) {
  const BackoffCase c = GetParam();
  EXPECT_EQ(backoff_delay(c.failures, HttpOptions{}, c.random_unit).count(), c.expected_ms)
      << "failures=" << c.failures << " u=" << c.random_unit;
}

// urllib3 2.x: 0 for n <= 1, else 2 * 2^(n-1) s + u * 1 s, capped at 120 s.
INSTANTIATE_TEST_SUITE_P(
    Table, BackoffWithDefaults,
    ::testing::Values(BackoffCase{-3, 0.5, 0}, BackoffCase{0, 0.5, 0}, BackoffCase{1, 0.0, 0},
                      BackoffCase{1, 0.99, 0}, BackoffCase{2, 0.0, 4000}, BackoffCase{2, 0.5, 4500},
                      BackoffCase{2, 0.999, 4999}, BackoffCase{3, 0.0, 8000},
                      BackoffCase{3, 0.25, 8250}, BackoffCase{4, 0.0, 16000},
                      BackoffCase{5, 0.0, 32000}, BackoffCase{6, 0.0, 64000},
                      BackoffCase{6, 0.5, 64500}, BackoffCase{7, 0.0, 120000}, // 128 s capped
                      BackoffCase{8, 0.9, 120000}, BackoffCase{64, 0.0, 120000},
                      BackoffCase{100000, 0.5, 120000},
                      // A bad random sample counts as no jitter rather than poisoning the delay.
                      BackoffCase{2, -0.1, 4000}, BackoffCase{2, 1.0, 4000},
                      BackoffCase{2, std::numeric_limits<double>::quiet_NaN(), 4000}));

TEST(RetryPolicy, BackoffHonoursOptions) {
  HttpOptions o;
  o.backoff_factor = 0.0;
  o.backoff_jitter = 1.0;
  EXPECT_EQ(backoff_delay(3, o, 0.5).count(), 500); // jitter only
  o.backoff_factor = 0.1;
  o.backoff_jitter = 0.0;
  EXPECT_EQ(backoff_delay(2, o, 0.9).count(), 200);
  EXPECT_EQ(backoff_delay(4, o, 0.9).count(), 800);
  o.backoff_factor = -1.0;
  o.backoff_jitter = -1.0;
  EXPECT_EQ(backoff_delay(4, o, 0.9).count(), 0);
  o.backoff_factor = 2.0;
  o.max_backoff_ms = 5000;
  EXPECT_EQ(backoff_delay(2, o, 0.0).count(), 4000);
  EXPECT_EQ(backoff_delay(3, o, 0.0).count(), 5000);
  o.max_backoff_ms = 0;
  EXPECT_EQ(backoff_delay(3, o, 0.0).count(), 0);
  o.max_backoff_ms = -10;
  EXPECT_EQ(backoff_delay(3, o, 0.0).count(), 0);
}

TEST(RetryPolicy, TotalDefaultScheduleIsAboutFourMinutes) {
  // mlflow/environment_variables.py: "7 retries with backoff will take ~ 4 minutes".
  long total = 0;
  for (int n = 1; n <= 7; ++n) {
    total += backoff_delay(n, HttpOptions{}, 0.0).count();
  }
  EXPECT_EQ(total, 0 + 4000 + 8000 + 16000 + 32000 + 64000 + 120000);
}

std::chrono::system_clock::time_point at(std::time_t t) {
  return std::chrono::system_clock::from_time_t(t);
}

TEST(RetryAfter, Seconds) {
  const auto now = at(1'700'000'000);
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("0", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("  7 ", now), milliseconds(7000));
  EXPECT_EQ(parse_retry_after("\t3", now), milliseconds(3000));
  // Absurd values saturate instead of overflowing.
  EXPECT_GT(parse_retry_after("99999999999999999999999", now).value(), milliseconds(0));
}

TEST(RetryAfter, HttpDate) {
  // RFC 9110 §10.2.3 example date: 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT.
  const std::time_t date = 1445412480;
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at(date - 30)), milliseconds(30000));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at(date + 30)), milliseconds(0));
  // RFC 850 and asctime forms are HTTP-dates too (RFC 9110 §5.6.7).
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", at(date - 1)),
            milliseconds(1000));
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:28:00 2015", at(date - 2)), milliseconds(2000));
}

TEST(RetryAfter, Garbage) {
  const auto now = at(1'700'000'000);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("   ", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("not a date at all", now), std::nullopt);
}

// decide_retry over every outcome, idempotency and attempt count.
TEST(DecideRetry, Table) {
  HttpOptions o;
  o.max_retries = 3;
  const std::optional<milliseconds> none;
  for (int attempts = 1; attempts <= 5; ++attempts) {
    const bool left = attempts <= 3; // attempts - 1 retries used < 3
    for (const bool idempotent : {true, false}) {
      SCOPED_TRACE("attempts=" + std::to_string(attempts) +
                   " idempotent=" + std::to_string(idempotent));
      EXPECT_FALSE(decide_retry(AttemptOutcome::success, idempotent, attempts, none, o, 0).retry);
      EXPECT_FALSE(decide_retry(AttemptOutcome::fatal, idempotent, attempts, none, o, 0).retry);
      EXPECT_EQ(decide_retry(AttemptOutcome::not_sent, idempotent, attempts, none, o, 0).retry,
                left);
      EXPECT_EQ(
          decide_retry(AttemptOutcome::retryable_status, idempotent, attempts, none, o, 0).retry,
          left && idempotent);
      EXPECT_EQ(decide_retry(AttemptOutcome::maybe_sent, idempotent, attempts, none, o, 0).retry,
                left && idempotent);
    }
  }
  EXPECT_FALSE(decide_retry(AttemptOutcome::not_sent, true, 0, none, o, 0).retry);
}

TEST(DecideRetry, NoRetriesConfigured) {
  HttpOptions o;
  o.max_retries = 0;
  EXPECT_FALSE(decide_retry(AttemptOutcome::not_sent, true, 1, std::nullopt, o, 0).retry);
  o.max_retries = -2;
  EXPECT_FALSE(decide_retry(AttemptOutcome::not_sent, true, 1, std::nullopt, o, 0).retry);
}

TEST(DecideRetry, DelayIsBackoffOfAttemptsDone) {
  const HttpOptions o;
  EXPECT_EQ(decide_retry(AttemptOutcome::not_sent, true, 1, std::nullopt, o, 0.5).delay,
            milliseconds(0));
  EXPECT_EQ(decide_retry(AttemptOutcome::not_sent, true, 2, std::nullopt, o, 0.5).delay,
            milliseconds(4500));
  EXPECT_EQ(decide_retry(AttemptOutcome::maybe_sent, true, 3, std::nullopt, o, 0.0).delay,
            milliseconds(8000));
}

TEST(DecideRetry, RetryAfterWinsWhenPositiveAndIsCapped) {
  HttpOptions o;
  o.max_backoff_ms = 60000;
  auto d = decide_retry(AttemptOutcome::retryable_status, true, 1, milliseconds(3000), o, 0.5);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay, milliseconds(3000));
  d = decide_retry(AttemptOutcome::retryable_status, true, 2, milliseconds(3000), o, 0.5);
  EXPECT_EQ(d.delay, milliseconds(3000)); // not the 4.5 s backoff
  d = decide_retry(AttemptOutcome::retryable_status, true, 1, milliseconds(6 * 3600 * 1000), o, 0);
  EXPECT_EQ(d.delay, milliseconds(60000));
  // Retry-After: 0 falls back to the backoff (urllib3 sleep_for_retry returns False for 0).
  d = decide_retry(AttemptOutcome::retryable_status, true, 2, milliseconds(0), o, 0.0);
  EXPECT_EQ(d.delay, milliseconds(4000));
  // Retry-After never makes a non-idempotent request retryable.
  EXPECT_FALSE(
      decide_retry(AttemptOutcome::retryable_status, false, 1, milliseconds(1000), o, 0).retry);
}

} // namespace
} // namespace mm
