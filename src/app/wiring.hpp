#pragma once
// Construction of concrete adapters from the configuration: the one place that knows which
// class implements which port.

#include "adapters/http/http_types.hpp"
#include "app/config.hpp"
#include "ports/tracker.hpp"

#include <memory>

namespace mm {

// MLFLOW_HTTP_REQUEST_* applied to our HTTP client.
HttpOptions mlflow_http_options(const Config& config);

// One per thread: the tracker owns an HTTP client.
std::unique_ptr<Tracker> make_tracker(const Config& config);

} // namespace mm
