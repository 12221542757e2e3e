#pragma once
// The promotion gate (DESIGN §3): the platform's policy, stricter than the spec's bare
// `new_f1 > baseline_f1`. Pure.

#include "core/thresholds.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mm {

struct ModelScores {
  std::string run_id;
  std::string model_version; // "" when unknown
  std::optional<double> precision;
  std::optional<double> recall;
  std::optional<double> f1_score;
};

struct PromotionPolicy {
  Thresholds thresholds;           // the candidate must pass precision/recall/F1 thresholds
  double improvement = 0.02;       // MODEL_IMPROVEMENT_THRESHOLD; 0 means strictly greater F1
  double regression_margin = 0.01; // precision and recall may drop at most this much
};

// One rule the candidate was held to, and whether it passed.
struct GateCheck {
  std::string rule;   // e.g. "f1_score >= baseline + 0.02"
  double value = 0.0; // candidate's value
  double bound = 0.0; // what it had to reach
  bool passed = false;
};

struct PromotionDecision {
  bool promote = false;
  std::string decided_by; // the first failing rule, or "all rules passed"
  std::vector<GateCheck> checks;
  ModelScores candidate;
  std::optional<ModelScores> baseline;
};

PromotionDecision decide_promotion(const ModelScores& candidate,
                                   const std::optional<ModelScores>& baseline,
                                   const PromotionPolicy& policy);

} // namespace mm
