#include "adapters/http/retry_policy.hpp"

#include "adapters/http/http_types.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <string>

namespace mm {

bool is_retryable_status(long status) noexcept {
  // mlflow/utils/request_utils.py _TRANSIENT_FAILURE_RESPONSE_CODES.
  switch (status) {
  case 408:
  case 429:
  case 500:
  case 502:
  case 503:
  case 504:
    return true;
  default:
    return false;
  }
}

namespace {

Millis cap_ms(double ms, long max_ms) {
  const double cap = static_cast<double>(std::max(0L, max_ms));
  if (!(ms > 0.0)) { // also NaN
    return Millis{0};
  }
  return Millis{std::llround(std::min(ms, cap))};
}

} // namespace

Millis backoff_delay(int consecutive_failures, const HttpOptions& options, double random_unit) {
  // urllib3 2.x Retry.get_backoff_time: no wait before the first retry, then
  // factor * 2^(n-1) (+ jitter), bounded by backoff_max.
  if (consecutive_failures <= 1) {
    return Millis{0};
  }
  if (!(random_unit >= 0.0) || random_unit >= 1.0) {
    random_unit = 0.0;
  }
  const double base_s = std::ldexp(std::max(0.0, options.backoff_factor), consecutive_failures - 1);
  const double jitter_s = std::max(0.0, options.backoff_jitter) * random_unit;
  return cap_ms((base_s + jitter_s) * 1000.0, options.max_backoff_ms);
}

std::optional<Millis> parse_retry_after(std::string_view value,
                                        std::chrono::system_clock::time_point now) {
  constexpr Millis k_saturated = std::chrono::hours{24 * 365 * 31};
  // RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds. Whitespace around is allowed
  // (urllib3 matches r"^\s*[0-9]+\s*$").
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return std::nullopt;
  }
  const auto last = value.find_last_not_of(" \t");
  const std::string_view v = value.substr(first, last - first + 1);
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // More than 9 digits is more than 31 years: saturate instead of overflowing.
    if (v.size() > 9) {
      return k_saturated;
    }
    return Millis{std::stoll(std::string(v)) * 1000};
  }
  // An HTTP-date. curl_getdate parses RFC 1123/850 and asctime forms, and needs no handle.
  const std::string text(v);
  const std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) {
    return std::nullopt;
  }
  // In milliseconds, bounded first: from_time_t of a date after 2262 (a proxy's year 9999 for
  // "never") overflows system_clock's nanoseconds (found by tests/fuzz). Such a date saturates
  // like a delay-seconds value of more than 9 digits.
  const std::int64_t now_ms = std::chrono::floor<Millis>(now.time_since_epoch()).count();
  const std::int64_t saturated_s = std::chrono::floor<std::chrono::seconds>(k_saturated).count();
  const auto when_s = static_cast<std::int64_t>(when);
  if (when_s > now_ms / 1000 + saturated_s) {
    return k_saturated;
  }
  if (when_s < now_ms / 1000 - saturated_s) { // long past (and when_s * 1000 cannot overflow)
    return Millis{0};
  }
  return std::max(Millis{0}, Millis{when_s * 1000 - now_ms});
}

RetryDecision decide_retry(AttemptOutcome outcome, bool idempotent, int attempts_done,
                           std::optional<Millis> retry_after, const HttpOptions& options,
                           double random_unit) {
  bool may_retry = false;
  switch (outcome) {
  case AttemptOutcome::not_sent:
    may_retry = true;
    break;
  case AttemptOutcome::retryable_status:
  case AttemptOutcome::maybe_sent:
    may_retry = idempotent;
    break;
  case AttemptOutcome::success:
  case AttemptOutcome::fatal:
    may_retry = false;
    break;
  }
  // attempts_done - 1 retries were used; max_retries bounds them (urllib3 `total`).
  if (!may_retry || attempts_done < 1 || attempts_done - 1 >= options.max_retries) {
    return {};
  }
  // urllib3 Retry.sleep: a positive Retry-After wins over the backoff (a zero one does not).
  if (outcome == AttemptOutcome::retryable_status && retry_after && retry_after->count() > 0) {
    return {true, cap_ms(static_cast<double>(retry_after->count()), options.max_backoff_ms)};
  }
  return {true, backoff_delay(attempts_done, options, random_unit)};
}

} // namespace mm
