#pragma once
// Construction of concrete adapters from the configuration: the one place that knows which
// class implements which port.

#include "adapters/http/http_types.hpp"
#include "adapters/mongo/mongo_pool.hpp"
#include "app/config.hpp"
#include "ports/dataset_store.hpp"
#include "ports/tracker.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace mm {

// MLFLOW_HTTP_REQUEST_* applied to our HTTP client.
HttpOptions mlflow_http_options(const Config& config);

// MONGODB_QUERY_TIMEOUT: the server-side limit (maxTimeMS) of each of our MongoDB reads.
std::chrono::milliseconds mongo_query_timeout(const Config& config);

// The pool's options: its socket timeout stays above the reads' limit, so a slow read ends with
// the server's own "exceeded time limit" (a timeout naming the read), not a cut connection.
MongoPoolOptions mongo_pool_options(const Config& config);

// One per thread: the tracker owns an HTTP client.
std::unique_ptr<Tracker> make_tracker(const Config& config);

// Parquet datasets under DATA_DIR, from model-monitor-parquet.so, which this loads (once): only
// the commands that build a DatasetStore map Arrow. A missing or foreign module is a config error
// (exit 2) saying where it was looked for (adapters/parquet/parquet_module.hpp).
Result<std::unique_ptr<DatasetStore>>
make_dataset_store(const Config& config, std::function<void(const std::string&)> on_warning);

} // namespace mm
