#pragma once
// Wires the real adapters into the retrain pipeline.

#include "app/config.hpp"
#include "app/logger.hpp"
#include "pipeline/retrain_pipeline.hpp"

#include <string>
#include <vector>

namespace mm {

struct RetrainRequest {
  std::string specialist_type; // a type or "all"
  bool discover = false;
  bool force = false;
  bool skip_dataset_generation = false;
  bool dry_run = false;
  std::vector<std::string> notification_channels; // empty: NOTIFICATION_CHANNELS
  bool channels_given = false;                    // --notification-channels was passed
  std::string export_url;
  bool progress_on_tty = false;
};

struct RetrainRun {
  std::vector<RetrainOutcome> outcomes;
  bool single = true;
  int exit_code = 0;
};

Result<RetrainRun> run_retrain(const Config& config, const RetrainRequest& request, Logger& log);

} // namespace mm
