#include "app/wiring.hpp"

#include "adapters/mlflow/mlflow_tracker.hpp"

namespace mm {

HttpOptions mlflow_http_options(const Config& config) {
  HttpOptions o;
  o.max_retries = config.mlflow_http_max_retries;
  o.backoff_factor = config.mlflow_http_backoff_factor;
  o.total_timeout_ms = static_cast<long>(config.mlflow_http_timeout_s) * 1000L;
  return o;
}

std::unique_ptr<Tracker> make_tracker(const Config& config) {
  return std::make_unique<MlflowTracker>(config.mlflow_tracking_uri, mlflow_http_options(config),
                                         MlflowAuth{config.mlflow_tracking_token,
                                                    config.mlflow_tracking_username,
                                                    config.mlflow_tracking_password});
}

} // namespace mm
