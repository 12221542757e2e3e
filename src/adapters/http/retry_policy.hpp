#pragma once
// When and how long to wait before retrying an HTTP request: pure functions, so the policy is
// tested exhaustively without a network or a clock.
//
// The policy is the one of MLflow's Python client (mlflow/utils/request_utils.py), which hands a
// urllib3 `Retry` to `requests`:
//   - statuses retried: 408, 429, 500, 502, 503, 504 (_TRANSIENT_FAILURE_RESPONSE_CODES);
//   - connection errors retried too;
//   - backoff before retry n (n = consecutive failed attempts so far): 0 for n <= 1, else
//     backoff_factor * 2^(n-1) + uniform[0, backoff_jitter), capped at 120 s
//     (urllib3 2.x Retry.get_backoff_time; DEFAULT_BACKOFF_MAX = 120);
//   - a Retry-After header (seconds or an HTTP-date, RFC 9110 §10.2.3) replaces the backoff
//     when it is positive (Retry.sleep / sleep_for_retry).
// Where we deliberately differ:
//   - MLflow passes allowed_methods=None and so retries every method after any failure. We never
//     resend a non-idempotent request that may have reached the server: only connect/DNS
//     failures, which prove it never left, are retried for it.
//   - urllib3 accepts a Retry-After of up to 6 h; we cap it at HttpOptions::max_backoff_ms, since
//     a CronJob that sleeps for hours is worse than one that reports the service unavailable.

#include <chrono>
#include <optional>
#include <string_view>

namespace mm {

struct HttpOptions;

using Millis = std::chrono::milliseconds;

// 408, 429, 500, 502, 503, 504.
bool is_retryable_status(long status) noexcept;

// Backoff before the next attempt after `consecutive_failures` failed attempts (>= 1).
// random_unit is a sample of uniform [0, 1), injected so the result is reproducible.
Millis backoff_delay(int consecutive_failures, const HttpOptions& options, double random_unit);

// Seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", relative to now).
// nullopt for an unparsable value; a date in the past gives 0.
std::optional<Millis> parse_retry_after(std::string_view value,
                                        std::chrono::system_clock::time_point now);

// What one attempt ended with, as far as retrying is concerned.
enum class AttemptOutcome {
  success,          // a response that is not retryable (2xx, 404, ...): return it
  retryable_status, // 408/429/5xx listed above: the server got the request
  not_sent,         // DNS or connect failure: the request certainly never left
  maybe_sent,       // read timeout, connection reset, empty reply: it may have been processed
  fatal,            // TLS verification, malformed URL, body too large, ...: retrying cannot help
};

struct RetryDecision {
  bool retry = false;
  Millis delay{0};
};

// attempts_done counts attempts made so far (>= 1), all of which failed when this is asked.
RetryDecision decide_retry(AttemptOutcome outcome, bool idempotent, int attempts_done,
                           std::optional<Millis> retry_after, const HttpOptions& options,
                           double random_unit);

} // namespace mm
