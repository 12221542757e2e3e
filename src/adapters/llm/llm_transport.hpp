#pragma once
// How the LLM clients send a request: mm::HttpClient (timeouts, retries with backoff,
// Retry-After), bounded by the dataset generation deadline, plus the retry of statuses that
// HttpClient does not know to be transient (Anthropic's 529 overloaded_error).
//
// HttpClient's retry budget is per request: up to max_retries attempts of total_timeout_ms each,
// plus backoff. An LLM call near the end of DATASET_GENERATION_TIMEOUT must not outlive it, so
// each request gets an attempt timeout and a retry count that fit in the time left
// (attempt_budget), and backoff sleeps are cut at the deadline.

#include "adapters/http/http_client.hpp"
#include "core/result.hpp"

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

using SteadyTime = std::chrono::steady_clock::time_point;

struct AttemptBudget {
  long total_timeout_ms = 0; // of one attempt
  int max_retries = 0;
};

// The per-attempt timeout and retries for a request made with `remaining` time before the
// deadline (nullopt: no deadline): the configured values when they fit, else a timeout of at
// most `remaining` and only as many retries as whole attempts fit in it. nullopt when no time
// is left. Pure.
std::optional<AttemptBudget> attempt_budget(const HttpOptions& options,
                                            std::optional<Millis> remaining);

class LlmTransport {
public:
  // extra_retry_statuses: answers retried with HttpClient's backoff policy on top of what
  // HttpClient retries itself (408/429/500/502/503/504).
  LlmTransport(HttpOptions options, std::optional<SteadyTime> deadline,
               std::vector<long> extra_retry_statuses = {}, RetryHooks hooks = {});
  // The HttpClient's sleep hook points back at this object.
  LlmTransport(const LlmTransport&) = delete;
  LlmTransport& operator=(const LlmTransport&) = delete;
  LlmTransport(LlmTransport&&) = delete;
  LlmTransport& operator=(LlmTransport&&) = delete;

  // POSTs a JSON body. Generation requests are sent as idempotent: a batch sent twice only
  // costs tokens, its duplicate rows are dropped by the generator. Every error message has
  // `secret` replaced by "***".
  Result<HttpResponse> post_json(const std::string& url, std::string body, HttpHeaders headers,
                                 std::string_view secret);

  // Attempts made by the last post_json (HttpClient's and ours): for messages and tests.
  int last_attempts() const noexcept { return m_last_attempts; }

private:
  std::optional<Millis> remaining() const;
  HttpClient& client_for(const AttemptBudget& budget);
  void sleep_within_deadline(Millis delay) const;

  HttpOptions m_options;
  std::optional<SteadyTime> m_deadline;
  std::vector<long> m_extra_retry_statuses;
  RetryHooks m_hooks;
  std::optional<HttpClient> m_client;
  AttemptBudget m_client_budget;
  std::mt19937_64 m_rng{std::random_device{}()};
  int m_last_attempts = 0;
};

} // namespace mm
