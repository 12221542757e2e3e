#pragma once
// Port: tells people how a retrain went (Slack incoming webhook, email over SMTP).

#include "core/metrics.hpp"
#include "core/result.hpp"

#include <optional>
#include <string>

namespace mm {

struct RetrainNotification {
  enum class Kind { success, failure };
  Kind kind = Kind::success;
  std::string specialist_type;
  TimePoint timestamp;
  std::string trigger; // "degradation" | "forced"
  // success
  std::string run_id;
  bool promoted = false;           // the candidate became production
  std::optional<double> f1_before; // production baseline's F1 (none: no baseline)
  std::optional<double> f1_after;  // candidate's F1
  std::string decision;            // the promotion gate's deciding rule
  std::string model_version;       // registered version of the candidate, if any
  // failure
  std::string failed_step; // "dataset_generation", "training", ...
  std::string error;       // what failed (already free of secrets)
  std::string what_to_do;  // the operator's next step
  std::string mlflow_url;  // link to the run, masked
};

class Notifier {
public:
  virtual ~Notifier() = default;
  virtual const char* channel() const noexcept = 0; // "slack" | "email"
  virtual Status notify(const RetrainNotification& notification) = 0;
};

} // namespace mm
