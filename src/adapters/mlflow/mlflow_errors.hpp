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
inline constexpr std::string_view k_resource_already_exists = "RESOURCE_ALREADY_EXISTS";

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

// to_error of a call's non-2xx answer, `what` being "<method> <url>" with the URL redacted.
Error call_error(const HttpResponse& response, std::string_view method, std::string_view url);

// `e` (a parse failure of a call's answer) prefixed with "<method> <redacted url>: ".
Error in_call(Error e, std::string_view method, std::string_view url);

// 404 RESOURCE_DOES_NOT_EXIST: the experiment, run, model or version asked for does not exist
// (a 404 without it means no MLflow API at that URL).
bool is_resource_not_found(const MlflowApiError& api);

// A failure after which a request may nonetheless have taken effect on the server (its answer
// was lost, or a gateway failed after forwarding it): timeout, unavailable.
bool may_have_been_applied(const Error& e);

// MLflow 2.x/3.x answer a missing alias with 400 INVALID_PARAMETER_VALUE
// "Registered model alias <alias> not found." (mlflow/store/model_registry/sqlalchemy_store.py
// _get_registered_model_alias; verified on 3.17.2), not 404; some servers send 404.
bool is_missing_alias(const MlflowApiError& api);

} // namespace mm
