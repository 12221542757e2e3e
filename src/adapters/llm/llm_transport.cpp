#include "adapters/llm/llm_transport.hpp"

#include "adapters/http/retry_policy.hpp"
#include "adapters/llm/llm_common.hpp"
#include "core/redact.hpp"

#include <algorithm>
#include <thread>

namespace mm {

std::optional<AttemptBudget> attempt_budget(const HttpOptions& options,
                                            std::optional<Millis> remaining) {
  AttemptBudget budget{std::max(1L, options.total_timeout_ms), std::max(0, options.max_retries)};
  if (!remaining) {
    return budget;
  }
  const long left_ms = static_cast<long>(remaining->count());
  if (left_ms <= 0) {
    return std::nullopt;
  }
  if (left_ms < budget.total_timeout_ms) {
    budget.total_timeout_ms = left_ms;
  }
  // Whole attempts that fit in the time left, the first one included.
  const long fitting = left_ms / budget.total_timeout_ms;
  budget.max_retries = static_cast<int>(std::min<long>(budget.max_retries, fitting - 1));
  return budget;
}

LlmTransport::LlmTransport(HttpOptions options, std::optional<SteadyTime> deadline,
                           std::vector<long> extra_retry_statuses, RetryHooks hooks)
    : m_options(std::move(options)), m_deadline(deadline),
      m_extra_retry_statuses(std::move(extra_retry_statuses)), m_hooks(std::move(hooks)) {}

std::optional<Millis> LlmTransport::remaining() const {
  if (!m_deadline) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<Millis>(*m_deadline - std::chrono::steady_clock::now());
}

void LlmTransport::sleep_within_deadline(Millis delay) const {
  if (const auto left = remaining()) {
    delay = std::min(delay, std::max(Millis{0}, *left));
  }
  if (m_hooks.sleep) {
    m_hooks.sleep(delay);
  } else if (delay.count() > 0) {
    std::this_thread::sleep_for(delay);
  }
}

HttpClient& LlmTransport::client_for(const AttemptBudget& budget) {
  // One HttpClient (one kept-alive connection) while the budget stays the same; near the deadline
  // the budget shrinks with every request and the client is rebuilt with it.
  if (!m_client || m_client_budget.total_timeout_ms != budget.total_timeout_ms ||
      m_client_budget.max_retries != budget.max_retries) {
    HttpOptions options = m_options;
    options.total_timeout_ms = budget.total_timeout_ms;
    options.max_retries = budget.max_retries;
    RetryHooks hooks = m_hooks;
    // HttpClient sleeps for backoff and Retry-After through this hook: never past the deadline.
    hooks.sleep = [this](Millis delay) { sleep_within_deadline(delay); };
    m_client.emplace(std::move(options), std::move(hooks));
    m_client_budget = budget;
  }
  return *m_client;
}

Result<HttpResponse> LlmTransport::post_json(const std::string& url, std::string body,
                                             HttpHeaders headers, std::string_view secret) {
  m_last_attempts = 0;
  HttpRequest request = HttpRequest::post_json(url, std::move(body), /*idempotent=*/true);
  for (auto& header : headers) {
    request.headers.push_back(std::move(header));
  }
  const auto deadline_error = [&] {
    return Error::timeout("POST " + mask_uri_credentials(url) +
                          ": not sent, the dataset generation deadline has passed");
  };

  for (int extra_attempt = 1;; ++extra_attempt) {
    const auto budget = attempt_budget(m_options, remaining());
    if (!budget) {
      return deadline_error();
    }
    HttpClient& client = client_for(*budget);
    auto sent = client.send(request);
    m_last_attempts += client.last_attempts();
    if (!sent) {
      Error error = std::move(sent).error();
      error.message = scrub_secret(std::move(error.message), secret);
      return error;
    }
    HttpResponse& response = sent.value();
    const bool extra_retryable =
        std::find(m_extra_retry_statuses.begin(), m_extra_retry_statuses.end(), response.status) !=
        m_extra_retry_statuses.end();
    if (!extra_retryable) {
      return std::move(response);
    }
    std::optional<Millis> retry_after;
    if (const auto header = response.retry_after()) {
      retry_after = parse_retry_after(*header, std::chrono::system_clock::now());
    }
    const double unit = m_hooks.random_unit
                            ? m_hooks.random_unit()
                            : std::uniform_real_distribution<double>(0.0, 1.0)(m_rng);
    // The same policy as HttpClient's own retries (retry_policy.hpp), so a 529 is retried like
    // a 503: exponential backoff with jitter, Retry-After honoured, max_retries bounded.
    const RetryDecision decision =
        decide_retry(AttemptOutcome::retryable_status, /*idempotent=*/true, extra_attempt,
                     retry_after, m_options, unit);
    const auto left = remaining();
    if (!decision.retry || (left && *left <= decision.delay)) {
      return std::move(response); // the caller turns the status into an error
    }
    sleep_within_deadline(decision.delay);
  }
}

} // namespace mm
