#pragma once

namespace mm {

// Degradation thresholds (spec "Thresholds"; defaults from DESIGN §2). A value strictly below
// its threshold is a breach; a value equal to it is healthy (the spec says "≥ 0.75" is OK).
struct Thresholds {
  double precision = 0.75;
  double recall = 0.70;
  double f1 = 0.72;
  double feedback_avg = 0.6;
  double aggregate = 0.65;
  // FEEDBACK_MIN_COUNT: the fewest valid ratings in the window for the feedback term to count.
  // Below it the average is noise (one unhappy rating would read as 0.0 and trigger a retrain):
  // the feedback term is then unknown, as with an empty window, and the aggregate is F1 alone.
  int feedback_min_count = 10;
};

// Weights of the aggregate score (spec: "MLflow 70% + Feedback 30%").
inline constexpr double k_f1_weight = 0.7;
inline constexpr double k_feedback_weight = 0.3;

} // namespace mm
