#pragma once
// Wires the real adapters (MLflow, MongoDB, Pushgateway) into the check pipeline.

#include "app/config.hpp"
#include "app/logger.hpp"
#include "pipeline/check_pipeline.hpp"

#include <cstddef>
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

// Before a run pushes `groups` groups (one per specialist, DESIGN §6) to push_url: from
// k_costly_consistency_check_groups on, asks the Pushgateway (GET /api/v1/status) whether it
// checks each push against every group it holds, and if so logs the warning
// `pushgateway_consistency_check_costly` with what to do (its cost grows with the square of the
// fleet; the run waits for it). Below that size it sends nothing. An unreadable status is logged
// (`pushgateway_status_unreadable`, info) and changes nothing: the answer only decides a warning.
void warn_if_pushes_are_costly(const std::string& push_url, std::size_t groups, Logger& log);

// Runs check; a start-up failure (bad MONGODB_URI, discovery failing) is an Error.
Result<CheckRun> run_check(const Config& config, const CheckRequest& request, Logger& log);

} // namespace mm
