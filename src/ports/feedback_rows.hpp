#pragma once
// Port: recent human feedback turned into training rows (DESIGN §4): the rated opinion's logged
// features (collection cognitive_ledger) with the human recommendation as label.

#include "core/dataset.hpp"
#include "core/result.hpp"

#include <string>
#include <vector>

namespace mm {

struct FeedbackRows {
  std::vector<TrainingRow> rows; // source = feedback, created_at = the feedback's submitted_at
  int feedback_read = 0;         // documents considered (at most the limit)
  int skipped_no_opinion = 0;    // opinion_id not found in the opinions collection
  int skipped_bad_features = 0;  // opinion without the 26 numeric features
  int skipped_bad_label = 0;     // human_recommendation not approve/reject/review_required
};

class FeedbackRowSource {
public:
  virtual ~FeedbackRowSource() = default;
  // The last `limit` feedback documents of the specialist (newest first by submitted_at),
  // joined with their opinions in batches ($in), never one query per document.
  // Labels: approve 1, reject 0, review_required 2.
  virtual Result<FeedbackRows> recent_training_rows(const std::string& specialist_type,
                                                    int limit) = 0;
};

} // namespace mm
