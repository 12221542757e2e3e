#include "adapters/mlflow/mlflow_rest.hpp"

#include "core/redact.hpp"

#include <algorithm>
#include <cctype>

namespace mm {

namespace {

constexpr std::string_view k_api_prefix = "/api/2.0/mlflow/";

// RFC 4648 §4, for "Authorization: Basic" (RFC 7617).
std::string base64(std::string_view in) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U) |
                   static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += k_alphabet[(n >> 6U) & 63U];
    out += k_alphabet[n & 63U];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                   (two ? static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U : 0U);
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += two ? k_alphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::string authorization_of(const MlflowAuth& auth) {
  if (!auth.username.empty() && !auth.password.empty()) {
    return "Basic " + base64(auth.username + ":" + auth.password);
  }
  if (!auth.token.empty()) {
    return "Bearer " + auth.token;
  }
  return {};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

} // namespace

MlflowRest::MlflowRest(std::string tracking_uri, HttpOptions http, MlflowAuth auth,
                       RetryHooks hooks)
    : m_base(std::move(tracking_uri)), m_authorization(authorization_of(auth)),
      m_http(std::move(http), std::move(hooks)) {
  while (!m_base.empty() && m_base.back() == '/') {
    m_base.pop_back();
  }
  const std::string scheme = lower(m_base.substr(0, m_base.find("://")));
  if (m_base.find("://") == std::string::npos || (scheme != "http" && scheme != "https")) {
    m_config_error = Error::config("MLFLOW_TRACKING_URI '" + mask_uri_credentials(m_base) +
                                   "' is not an http:// or https:// URL of an MLflow tracking "
                                   "server (file, sqlite and databricks URIs are not supported)");
  }
}

std::string MlflowRest::api_url(std::string_view endpoint) const {
  return m_base + std::string(k_api_prefix) + std::string(endpoint);
}

Result<HttpResponse> MlflowRest::get(std::string_view endpoint, std::string_view query) {
  std::string url = api_url(endpoint);
  if (!query.empty()) {
    url += "?" + std::string(query);
  }
  HttpRequest request = HttpRequest::get(std::move(url));
  if (!m_authorization.empty()) {
    request.headers.emplace_back("Authorization", m_authorization);
  }
  return m_http.send(request);
}

Result<HttpResponse> MlflowRest::post(std::string_view endpoint, std::string body,
                                      bool idempotent) {
  HttpRequest request = HttpRequest::post_json(api_url(endpoint), std::move(body), idempotent);
  if (!m_authorization.empty()) {
    request.headers.emplace_back("Authorization", m_authorization);
  }
  return m_http.send(request);
}

} // namespace mm
