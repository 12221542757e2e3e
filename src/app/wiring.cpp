#include "app/wiring.hpp"

#include "adapters/mlflow/mlflow_tracker.hpp"
#include "adapters/parquet/parquet_module.hpp"

#include <algorithm>

namespace mm {

HttpOptions mlflow_http_options(const Config& config) {
  HttpOptions o;
  o.max_retries = config.mlflow_http_max_retries;
  o.backoff_factor = config.mlflow_http_backoff_factor;
  o.total_timeout_ms = static_cast<long>(config.mlflow_http_timeout_s) * 1000L;
  return o;
}

std::chrono::milliseconds mongo_query_timeout(const Config& config) {
  return std::chrono::seconds(config.mongodb_query_timeout_s);
}

MongoPoolOptions mongo_pool_options(const Config& config) {
  MongoPoolOptions o;
  constexpr auto k_socket_margin = std::chrono::seconds(10);
  o.socket_timeout = std::max<std::chrono::milliseconds>(
      o.socket_timeout, mongo_query_timeout(config) + k_socket_margin);
  return o;
}

std::unique_ptr<Tracker> make_tracker(const Config& config) {
  return std::make_unique<MlflowTracker>(config.mlflow_tracking_uri, mlflow_http_options(config),
                                         MlflowAuth{config.mlflow_tracking_token,
                                                    config.mlflow_tracking_username,
                                                    config.mlflow_tracking_password});
}

Result<std::unique_ptr<DatasetStore>>
make_dataset_store(const Config& config, std::function<void(const std::string&)> on_warning) {
  return make_parquet_dataset_store(config.data_dir, std::move(on_warning));
}

} // namespace mm
