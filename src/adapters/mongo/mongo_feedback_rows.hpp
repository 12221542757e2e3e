#pragma once
// FeedbackRowSource over MongoDB (DESIGN §4): recent human feedback of a specialist joined with
// the features its rated opinion logged, as training rows. Read only: neither feedback nor
// opinions are modified. Queries and document reading: feedback_row_documents.hpp.

#include "adapters/mongo/mongo_pool.hpp"
#include "ports/feedback_rows.hpp"

#include <chrono>
#include <string>

namespace mm {

class MongoFeedbackRowSource : public FeedbackRowSource {
public:
  static constexpr const char* k_default_opinions_collection = "cognitive_ledger";
  // maxTimeMS of each find (see MongoFeedbackStore).
  static constexpr std::chrono::milliseconds k_default_query_timeout{20000};

  // `pool` must outlive the source. database: MONGODB_DATABASE; feedback_collection:
  // FEEDBACK_MONGODB_COLLECTION; opinions_collection: OPINIONS_MONGODB_COLLECTION.
  MongoFeedbackRowSource(MongoPool& pool, std::string database, std::string feedback_collection,
                         std::string opinions_collection = k_default_opinions_collection,
                         std::chrono::milliseconds query_timeout = k_default_query_timeout);

  // One find for the last `limit` feedback documents with a date submitted_at (newest first;
  // the rating is not needed, so documents with an invalid rating count too), then one find
  // per 500 distinct opinion ids. Rows keep the feedback's order. Each document read is either
  // a row or counted under exactly one reason, checked in this order: its
  // human_recommendation is not approve/reject/review_required (skipped_bad_label, its opinion
  // is not even fetched); no opinion has its opinion_id (skipped_no_opinion, also when the
  // opinion_id is missing or not a string); the opinion lacks any of the 26 finite numeric
  // features (skipped_bad_features). Should several opinions share an id, one with usable
  // features is taken. limit <= 0 reads nothing. Thread-safe (each call leases its own client).
  Result<FeedbackRows> recent_training_rows(const std::string& specialist_type, int limit) override;

private:
  MongoPool& m_pool;
  std::string m_database;
  std::string m_feedback_collection;
  std::string m_opinions_collection;
  std::chrono::milliseconds m_query_timeout;
};

} // namespace mm
