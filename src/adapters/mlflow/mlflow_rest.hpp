#pragma once
// Internal to mm_mlflow: the HTTP plumbing that MlflowTracker and MlflowRunRegistry share — the
// tracking URI check, credentials, /api/2.0/mlflow/ URLs, and sending GETs and JSON POSTs
// (https://mlflow.org/docs/latest/api_reference/rest-api.html).

#include "adapters/http/http_client.hpp"
#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mm {

// Credentials as MLflow's own client takes them (mlflow/utils/rest_utils.py http_request):
// username + password → "Authorization: Basic", else token → "Authorization: Bearer".
// Filled from MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD / MLFLOW_TRACKING_TOKEN by the
// app; never logged, never put in a message.
struct MlflowAuth {
  std::string token;
  std::string username;
  std::string password;
};

// Not thread-safe (one HttpClient, one connection): its owner serialises calls.
class MlflowRest {
public:
  MlflowRest(std::string tracking_uri, HttpOptions http, MlflowAuth auth, RetryHooks hooks);

  // The tracking URI without trailing '/'.
  const std::string& base() const noexcept { return m_base; }
  // Set when the tracking URI is not an http(s) URL: every call of the owner returns it.
  const std::optional<Error>& config_error() const noexcept { return m_config_error; }

  // base + "/api/2.0/mlflow/" + endpoint ("runs/get").
  std::string api_url(std::string_view endpoint) const;

  // GET endpoint?query (query already encoded, see query_string). GETs are idempotent.
  Result<HttpResponse> get(std::string_view endpoint, std::string_view query);
  // POST of a JSON body (MLflow 3.x refuses a POST without Content-Type: application/json).
  // `idempotent`: may the request be resent after it may have reached the server? (http_types.hpp)
  Result<HttpResponse> post(std::string_view endpoint, std::string body, bool idempotent);

private:
  std::string m_base;
  std::optional<Error> m_config_error;
  std::string m_authorization; // header value, or empty
  HttpClient m_http;
};

} // namespace mm
