#pragma once
// Plain values of the HTTP adapter: what to send, what came back, and how to send it.
// No libcurl here (mm_http links it privately, STYLE.md "the link graph is the architecture").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mm {

enum class HttpMethod { get, head, post, put, patch, delete_ };

const char* to_string(HttpMethod method) noexcept;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  HttpMethod method = HttpMethod::get;
  std::string url;
  std::string body;
  HttpHeaders headers; // e.g. {"Content-Type", "application/json"}; never logged
  // May the request be sent twice with the same effect? Decides whether a failure after the
  // request may have reached the server (a read timeout, a 503) is retried. A request that is
  // not idempotent is retried only when it certainly never left (connect/DNS failure).
  // MLflow's read-only POSTs (runs/search, get-latest-versions) are idempotent.
  bool idempotent = false;

  static HttpRequest get(std::string url) {
    return {HttpMethod::get, std::move(url), {}, {}, true};
  }
  static HttpRequest post_json(std::string url, std::string json, bool idempotent) {
    return {HttpMethod::post,
            std::move(url),
            std::move(json),
            {{"Content-Type", "application/json"}},
            idempotent};
  }
};

struct HttpResponse {
  long status = 0;
  std::string body;
  HttpHeaders headers; // names lower-cased, in the order received (final response only)

  // The first header of that name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
  std::optional<std::string> content_type() const { return header("content-type"); }
  std::optional<std::string> retry_after() const { return header("retry-after"); }
  bool is_success() const noexcept { return status >= 200 && status < 300; }
};

// Defaults: timeouts are ours (a CronJob must finish); the retry numbers are MLflow 3.x's own
// Python client defaults, so we retry exactly as `mlflow` would against the same server:
//   MLFLOW_HTTP_REQUEST_MAX_RETRIES = 7, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR = 2,
//   MLFLOW_HTTP_REQUEST_BACKOFF_JITTER = 1.0   (mlflow/environment_variables.py, mlflow 3.17)
//   backoff cap 120 s = urllib3 Retry.DEFAULT_BACKOFF_MAX (urllib3/util/retry.py), which
//   mlflow/utils/request_utils.py uses for its Retry.
// MLflow's MLFLOW_HTTP_REQUEST_TIMEOUT = 120 s is a per-socket-read timeout of `requests`; we use a
// shorter whole-attempt timeout instead (total_timeout_ms).
struct HttpOptions {
  long connect_timeout_ms = 5000; // CURLOPT_CONNECTTIMEOUT_MS
  long total_timeout_ms = 30000;  // CURLOPT_TIMEOUT_MS: one whole attempt, not all retries
  int max_retries = 7;            // retries after the first attempt (so 8 attempts at most)
  double backoff_factor = 2.0;    // seconds; delay = factor * 2^(n-1) from the 2nd retry on
  double backoff_jitter = 1.0;    // seconds; uniform [0, jitter) added to each backoff
  long max_backoff_ms = 120000;   // cap of one backoff, and of one Retry-After wait
  bool verify_tls = true;
  std::string ca_bundle;                            // PEM file; empty: the system's CA store
  std::size_t max_body_bytes = 64U * 1024U * 1024U; // a larger response is refused
  std::string user_agent = "model-monitor";
};

} // namespace mm
