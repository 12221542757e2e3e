#pragma once
// Port: human feedback (MongoDB collection specialist_feedback, DESIGN §4). Read only.

#include "core/metrics.hpp"
#include "core/result.hpp"

#include <map>
#include <string>
#include <vector>

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

  // The same for many specialists at once (query.specialist_type is ignored). A fleet check
  // uses this so the work on the database is a fixed number of grouped aggregations, not a
  // few per specialist. Types without feedback map to empty statistics. The default asks one
  // by one; adapters override it.
  virtual Result<std::map<std::string, FeedbackStats>>
  feedback_stats_many(const std::vector<std::string>& types, const FeedbackQuery& query) {
    std::map<std::string, FeedbackStats> out;
    for (const auto& t : types) {
      FeedbackQuery q = query;
      q.specialist_type = t;
      Result<FeedbackStats> s = feedback_stats(q);
      if (!s) {
        return std::move(s).error();
      }
      out.emplace(t, std::move(s).value());
    }
    return out;
  }
};

} // namespace mm
