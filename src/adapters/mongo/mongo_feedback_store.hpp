#pragma once
// FeedbackStore over MongoDB: window statistics of specialist_feedback computed by the server
// (DESIGN §4). Read only: feedback is never modified.

#include "adapters/mongo/mongo_pool.hpp"
#include "ports/feedback_store.hpp"

#include <chrono>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace mm {

class MongoFeedbackStore : public FeedbackStore {
public:
  // Server-side limit of each aggregation (maxTimeMS), MONGODB_QUERY_TIMEOUT: on an indexed
  // 30-day window each takes milliseconds, so 20 s means the server is in trouble, reported as a
  // timeout. A fleet's grouped reads cover every specialist's window at once: a big fleet on a
  // big collection may need more.
  static constexpr std::chrono::milliseconds k_default_query_timeout{20000};

  // `pool` must outlive the store. database: MONGODB_DATABASE (neural_hive); collection:
  // FEEDBACK_MONGODB_COLLECTION (specialist_feedback).
  MongoFeedbackStore(MongoPool& pool, std::string database, std::string collection,
                     std::chrono::milliseconds query_timeout = k_default_query_timeout);

  // Five aggregations, k_max_parallel_reads (bounded_reads.hpp) at a time, each on its own
  // client leased from the pool (and never more than its max_pool_size). Thread-safe. Errors:
  // unavailable (server unreachable), timeout, config (credentials refused, inconsistent
  // bands), bad_response (a reply we cannot read, or a server that refuses the pipeline); the
  // first failed read's. When the window holds no valid rating, one more read counts the
  // specialist's documents without a date submitted_at (FeedbackStats::undated_count); its
  // failure leaves that count unread and the statistics stand.
  Result<FeedbackStats> feedback_stats(const FeedbackQuery& query) override;

  // The same five reads for every type at once, grouped by specialist_type: five aggregations
  // whatever the size of the fleet, not five per type. Every listed type is in the result
  // (empty statistics when it has no feedback); duplicates are read once; an empty list reads
  // nothing; one more grouped read for the types whose window holds no valid rating
  // (undated_count, as feedback_stats). Equal to feedback_stats per type, except for documents
  // whose specialist_type is an array, which this counts for no type (see feedback_pipelines.hpp).
  Result<std::map<std::string, FeedbackStats>>
  feedback_stats_many(const std::vector<std::string>& types, const FeedbackQuery& query) override;

private:
  // FeedbackStats::undated_count of `types` (sorted, each a key of `stats`), in one grouped
  // read. A failed read leaves them unread (nullopt): it only explains an empty window, and the
  // statistics themselves were read.
  void read_undated(std::span<const std::string> types, const FeedbackQuery& query,
                    std::map<std::string, FeedbackStats>& stats);

  MongoPool& m_pool;
  std::string m_database;
  std::string m_collection;
  std::chrono::milliseconds m_query_timeout;
};

} // namespace mm
