#pragma once
// Port: human feedback (MongoDB collection specialist_feedback, DESIGN §4). Read only.

#include "core/metrics.hpp"
#include "core/result.hpp"

#include <string>

namespace mm {

struct FeedbackQuery {
  std::string specialist_type;
  TimePoint window_start;    // inclusive
  TimePoint window_end;      // inclusive ("now"); future-dated documents are outside
  double positive_min = 0.6; // rating >= positive_min is positive
  double negative_max = 0.4; // rating <  negative_max is negative
  int window_days = 30;
};

class FeedbackStore {
public:
  virtual ~FeedbackStore() = default;

  // Window statistics computed by the server (never by pulling documents). Documents whose
  // human_rating is missing, not a number or outside [0,1] are excluded and counted in
  // invalid_count.
  virtual Result<FeedbackStats> feedback_stats(const FeedbackQuery& query) = 0;
};

} // namespace mm
