#pragma once
// Wires the real adapters (MLflow, MongoDB, Pushgateway) into the check pipeline.

#include "app/config.hpp"
#include "app/logger.hpp"
#include "pipeline/check_pipeline.hpp"

#include <string>
#include <vector>

namespace mm {

struct CheckRequest {
  std::string specialist_type; // a type, or "all"
  bool discover = false;       // with "all": the registry's models instead of SPECIALIST_TYPES
  std::string export_url;      // empty: PROMETHEUS_PUSHGATEWAY_URL (may be empty: no push)
  int concurrency = 0;         // 0: MONITOR_CONCURRENCY
};

struct CheckRun {
  std::vector<CheckOutcome> outcomes;
  bool single = true; // one specialist asked for (not "all")
  int exit_code = 0;
};

// Runs check; a start-up failure (bad MONGODB_URI, discovery failing) is an Error.
Result<CheckRun> run_check(const Config& config, const CheckRequest& request, Logger& log);

} // namespace mm
