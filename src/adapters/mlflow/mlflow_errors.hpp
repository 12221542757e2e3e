#pragma once
// MLflow's error answers → mm::Error. MLflow answers a failed call with a non-2xx status and
// {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."} (REST API docs, "Error codes";
// mlflow/protos/databricks.proto ErrorCode). A proxy in front of it may answer HTML instead.

#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

#include <string>
#include <string_view>

namespace mm {

inline constexpr std::string_view k_resource_does_not_exist = "RESOURCE_DOES_NOT_EXIST";
inline constexpr std::string_view k_invalid_parameter_value = "INVALID_PARAMETER_VALUE";

struct MlflowApiError {
  long http_status = 0;
  std::string error_code; // empty when the body is not an MLflow error
  std::string message;    // MLflow's message, or the start of a foreign body
};

// Never fails: a body that is not an MLflow error keeps an empty error_code.
MlflowApiError parse_mlflow_error(const HttpResponse& response);

// The error for a call that answered `api` (`what` is "GET <redacted url>"):
//   3xx → config (the tracking URI redirects: name the Location to use instead),
//   401/403 → config (credentials: MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD),
//   404 RESOURCE_DOES_NOT_EXIST → not_found, other 404 → config (no MLflow API at that URL),
//   429, 5xx → unavailable, other statuses → bad_response.
// The message carries the status, the error_code and MLflow's message.
Error to_error(const MlflowApiError& api, std::string_view what, std::string_view location = {});

} // namespace mm
