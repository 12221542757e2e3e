#include "adapters/mlflow/mlflow_errors.hpp"

#include "core/redact.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace mm {

namespace {

std::string one_line(std::string_view text, std::size_t max) {
  std::string out(text.substr(0, max));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  if (text.size() > max) {
    out += "...";
  }
  return out;
}

} // namespace

MlflowApiError parse_mlflow_error(const HttpResponse& response) {
  MlflowApiError api;
  api.http_status = response.status;
  const auto doc = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    const auto code = doc.find("error_code");
    const auto message = doc.find("message");
    if (code != doc.end() && code->is_string()) {
      api.error_code = code->get<std::string>();
    }
    if (message != doc.end() && message->is_string()) {
      api.message = one_line(message->get<std::string>(), 500);
    }
  }
  if (api.error_code.empty() && api.message.empty()) {
    api.message = one_line(response.body, 200);
  }
  return api;
}

Error to_error(const MlflowApiError& api, std::string_view what, std::string_view location) {
  std::string message = std::string(what) + ": HTTP " + std::to_string(api.http_status);
  if (!api.error_code.empty()) {
    message += " " + api.error_code;
  }
  if (!api.message.empty()) {
    message += ": " + api.message;
  }
  const long s = api.http_status;
  if (s >= 300 && s < 400) {
    return Error::config(
        message + "; the server redirects" +
        (location.empty() ? std::string() : " to " + mask_uri_credentials(location)) +
        ": set MLFLOW_TRACKING_URI to the final URL");
  }
  if (s == 401 || s == 403) {
    return Error::config(message + "; check MLFLOW_TRACKING_TOKEN or "
                                   "MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD");
  }
  if (s == 404) {
    if (api.error_code == k_resource_does_not_exist) {
      return Error::not_found(std::move(message));
    }
    return Error::config(message + "; no MLflow REST API at this URL: check MLFLOW_TRACKING_URI "
                                   "(scheme, host, port and any path prefix)");
  }
  if (s == 429 || s >= 500) {
    return Error::unavailable(message + "; the MLflow server is failing or overloaded");
  }
  return Error::bad_response(std::move(message));
}

Error call_error(const HttpResponse& response, std::string_view method, std::string_view url) {
  return to_error(parse_mlflow_error(response),
                  std::string(method) + " " + mask_uri_credentials(url),
                  response.header("location").value_or(""));
}

Error in_call(Error e, std::string_view method, std::string_view url) {
  e.message = std::string(method) + " " + mask_uri_credentials(url) + ": " + e.message;
  return e;
}

bool is_resource_not_found(const MlflowApiError& api) {
  return api.http_status == 404 && api.error_code == k_resource_does_not_exist;
}

bool may_have_been_applied(const Error& e) {
  return e.kind == ErrorKind::timeout || e.kind == ErrorKind::unavailable;
}

bool is_missing_alias(const MlflowApiError& api) {
  std::string m = api.message;
  std::transform(m.begin(), m.end(), m.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return (api.http_status == 400 || api.http_status == 404) &&
         m.find("alias") != std::string::npos && m.find("not found") != std::string::npos;
}

} // namespace mm
