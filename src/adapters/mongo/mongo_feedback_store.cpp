#include "adapters/mongo/mongo_feedback_store.hpp"

#include "adapters/mongo/feedback_pipelines.hpp"
#include "adapters/mongo/mongo_collection.hpp"
#include "adapters/mongo/mongo_handles.hpp"

#include <algorithm>
#include <optional>
#include <span>
#include <vector>

namespace mm {
namespace {

using mongo::BsonPtr;
using mongo::LeasedCollection;
using mongo::RatingBand;

// A one-number pipeline returns at most one document; reading a few more only serves to report
// a malformed reply, never to pull documents to the client (DESIGN §4).
constexpr std::size_t k_max_reply_docs = 2;

// The order of the five reads, so that documents inserted meanwhile keep the numbers
// consistent: each band is read before the set containing it (positive, negative before valid;
// valid before all), and the sum before the valid count, so that sum <= count and the average
// stays within [0, 1]. nullopt stands for the rating sum.
constexpr std::optional<RatingBand> k_read_order[] = {
    RatingBand::positive, RatingBand::negative, std::nullopt, RatingBand::valid, RatingBand::all};

std::int64_t& count_of(mongo::WindowCounts& counts, RatingBand band) {
  switch (band) {
  case RatingBand::positive:
    return counts.positive;
  case RatingBand::negative:
    return counts.negative;
  case RatingBand::valid:
    return counts.valid;
  case RatingBand::all:
    break;
  }
  return counts.all;
}

Result<std::int64_t> run_count(const LeasedCollection& target, const FeedbackQuery& query,
                               RatingBand band) {
  const std::string operation = std::string("aggregate (") + mongo::to_string(band) +
                                " count, specialist_type '" + query.specialist_type + "')";
  const BsonPtr pipeline = mongo::count_pipeline(query, band);
  auto docs = mongo::aggregate(target, pipeline.get(), operation, k_max_reply_docs);
  if (!docs) {
    return std::move(docs).error();
  }
  auto count = mongo::count_from_reply(*docs);
  if (!count) {
    return mongo::in_context(std::move(count).error(), operation, target);
  }
  return count;
}

Result<double> run_sum(const LeasedCollection& target, const FeedbackQuery& query) {
  const std::string operation =
      "aggregate (rating sum, specialist_type '" + query.specialist_type + "')";
  const BsonPtr pipeline = mongo::rating_sum_pipeline(query);
  auto docs = mongo::aggregate(target, pipeline.get(), operation, k_max_reply_docs);
  if (!docs) {
    return std::move(docs).error();
  }
  auto sum = mongo::sum_from_reply(*docs);
  if (!sum) {
    return mongo::in_context(std::move(sum).error(), operation, target);
  }
  return sum;
}

// The five grouped reads of one chunk of types, added to `counts` (one entry per type with
// documents).
Status read_chunk(const LeasedCollection& target, std::span<const std::string> types,
                  const FeedbackQuery& query, std::map<std::string, mongo::WindowCounts>& counts) {
  const std::string which = std::to_string(types.size()) + " specialist types from '" +
                            types.front() + "' to '" + types.back() + "')";
  for (const auto& band : k_read_order) {
    const std::string operation =
        std::string("grouped aggregate (") +
        (band ? std::string(mongo::to_string(*band)) + " count, " : "rating sum, ") + which;
    const BsonPtr pipeline = band ? mongo::grouped_count_pipeline(types, query, *band)
                                  : mongo::grouped_rating_sum_pipeline(types, query);
    auto docs = mongo::aggregate(target, pipeline.get(), operation);
    if (!docs) {
      return std::move(docs).error();
    }
    if (band) {
      auto values = mongo::grouped_counts_from_reply(*docs, types);
      if (!values) {
        return mongo::in_context(std::move(values).error(), operation, target);
      }
      for (const auto& [type, n] : *values) {
        count_of(counts[type], *band) = n;
      }
    } else {
      auto values = mongo::grouped_sums_from_reply(*docs, types);
      if (!values) {
        return mongo::in_context(std::move(values).error(), operation, target);
      }
      for (const auto& [type, sum] : *values) {
        counts[type].rating_sum = sum;
      }
    }
  }
  return ok_status();
}

} // namespace

MongoFeedbackStore::MongoFeedbackStore(MongoPool& pool, std::string database,
                                       std::string collection,
                                       std::chrono::milliseconds query_timeout)
    : m_pool(pool), m_database(std::move(database)), m_collection(std::move(collection)),
      m_query_timeout(query_timeout) {}

Result<FeedbackStats> MongoFeedbackStore::feedback_stats(const FeedbackQuery& query) {
  if (auto valid = mongo::validate(query); !valid) {
    return std::move(valid).error();
  }
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }

  // Five separate reads (see feedback_pipelines.hpp), in k_read_order.
  mongo::WindowCounts counts;
  for (const auto& band : k_read_order) {
    if (band) {
      auto n = run_count(*target, query, *band);
      if (!n) {
        return std::move(n).error();
      }
      count_of(counts, *band) = *n;
    } else {
      auto sum = run_sum(*target, query);
      if (!sum) {
        return std::move(sum).error();
      }
      counts.rating_sum = *sum;
    }
  }
  return mongo::stats_from_counts(counts, query.window_days);
}

Result<std::map<std::string, FeedbackStats>>
MongoFeedbackStore::feedback_stats_many(const std::vector<std::string>& types,
                                        const FeedbackQuery& query) {
  if (auto valid = mongo::validate_many(types, query); !valid) {
    return std::move(valid).error();
  }
  std::vector<std::string> unique = types;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::map<std::string, FeedbackStats> out;
  if (unique.empty()) {
    return out;
  }
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }

  // Each type lies in exactly one chunk, whose five reads run in k_read_order: the
  // consistency argument of feedback_stats holds per type.
  std::map<std::string, mongo::WindowCounts> counts;
  const std::span<const std::string> all(unique);
  for (std::size_t start = 0; start < all.size(); start += mongo::k_max_types_per_pipeline) {
    const std::size_t n = std::min(mongo::k_max_types_per_pipeline, all.size() - start);
    if (auto s = read_chunk(*target, all.subspan(start, n), query, counts); !s) {
      return std::move(s).error();
    }
  }
  for (const auto& type : unique) {
    const auto it = counts.find(type);
    out.emplace(type,
                mongo::stats_from_counts(it == counts.end() ? mongo::WindowCounts{} : it->second,
                                         query.window_days));
  }
  return out;
}

} // namespace mm
