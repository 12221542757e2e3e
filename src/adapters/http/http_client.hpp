#pragma once
// A small HTTP client over libcurl: timeouts, retries with backoff (retry_policy.hpp), TLS, a
// bounded response size, and errors that name the URL with its credentials masked.

#include "adapters/http/http_types.hpp"
#include "adapters/http/retry_policy.hpp"
#include "core/result.hpp"

#include <functional>
#include <memory>

namespace mm {

// Injected so the retry loop can be tested without sleeping or randomness.
struct RetryHooks {
  std::function<void(Millis)> sleep;   // default: std::this_thread::sleep_for
  std::function<double()> random_unit; // default: uniform [0, 1) from a seeded std::mt19937_64
};

// Owns one CURL easy handle, reused across requests so that connections are kept alive
// (libcurl keeps its connection cache in the easy handle; curl_easy_reset keeps it).
// Not thread-safe: use one HttpClient per thread (libcurl forbids sharing an easy handle between
// threads, https://curl.se/libcurl/c/threadsafe.html).
//
// send() results:
//   - any final HTTP status, 2xx or not, is a HttpResponse: the caller decides what it means;
//   - except a retryable status (408/429/5xx) still failing when no retry is left: an Error
//     (unavailable; timeout for 408), saying how many attempts were made;
//   - transport failures: DNS/connect refused/connection lost → unavailable, a timeout →
//     timeout, TLS → unavailable with a hint, a body over max_body_bytes or a malformed reply →
//     bad_response, a malformed URL → config.
// Redirects are not followed: a 3xx is returned as is (the caller can tell the user the right
// URL instead of silently re-sending credentials elsewhere).
class HttpClient {
public:
  explicit HttpClient(HttpOptions options = {}, RetryHooks hooks = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> send(const HttpRequest& request);

  const HttpOptions& options() const noexcept;

  // Attempts made by the last send() (1 + retries): for tests and for counting connection
  // errors (neural_hive_mlflow_connection_errors_total).
  int last_attempts() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace mm
