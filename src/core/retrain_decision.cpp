#include "core/retrain_decision.hpp"

#include "core/time_format.hpp"

#include <fmt/format.h>

namespace mm {

const char* to_string(RetrainVerdict v) noexcept {
  switch (v) {
  case RetrainVerdict::retrain:
    return "retrain";
  case RetrainVerdict::healthy:
    return "healthy";
  case RetrainVerdict::cooldown:
    return "cooldown";
  case RetrainVerdict::incomplete_data:
    return "incomplete_data";
  case RetrainVerdict::in_progress:
    return "in_progress";
  }
  return "healthy";
}

RetrainDecision decide_retrain(const RetrainInputs& in) {
  RetrainDecision d;
  d.trigger = in.force ? "forced" : "degradation";
  const bool incomplete = in.check_failed || in.report == nullptr || !in.report->feedback_available;
  if (incomplete) {
    d.verdict = RetrainVerdict::incomplete_data;
    d.explanation = "a data source failed during the check: no retrain is started on incomplete "
                    "data; fix the source and run again";
    return d;
  }
  if (in.force) {
    d.verdict = RetrainVerdict::retrain;
    d.explanation = "--force: thresholds and cooldown ignored";
    return d;
  }
  if (!in.report->is_degraded) {
    d.verdict = RetrainVerdict::healthy;
    d.explanation = "performance within thresholds: nothing to do";
    return d;
  }
  if (in.last_retrain && in.cooldown_hours > 0) {
    const TimePoint until = *in.last_retrain + std::chrono::hours(in.cooldown_hours);
    if (in.now < until) {
      d.verdict = RetrainVerdict::cooldown;
      d.cooldown_until = until;
      d.explanation = fmt::format(
          "degraded, but last retrain was at {}; RETRAINING_COOLDOWN_HOURS={} keeps the next "
          "automatic one until {} (use --force to override)",
          format_iso8601_utc(*in.last_retrain), in.cooldown_hours, format_iso8601_utc(until));
      return d;
    }
  }
  d.verdict = RetrainVerdict::retrain;
  std::string metrics;
  for (const auto& r : in.report->reasons) {
    metrics += metrics.empty() ? "" : ",";
    metrics += to_string(r.metric);
  }
  d.explanation = fmt::format("degraded ({})", metrics);
  return d;
}

} // namespace mm
