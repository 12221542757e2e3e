#include "adapters/mongo/mongo_feedback_store.hpp"

#include "adapters/mongo/bounded_reads.hpp"
#include "adapters/mongo/feedback_pipelines.hpp"
#include "adapters/mongo/mongo_collection.hpp"
#include "adapters/mongo/mongo_handles.hpp"

#include <algorithm>
#include <functional>
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

// The five reads; nullopt stands for the rating sum. They run k_max_parallel_reads at a time
// (bounded_reads.hpp says why). Documents written meanwhile may be seen by some reads only;
// stats_from_counts reconciles the numbers.
constexpr std::optional<RatingBand> k_reads[] = {
    RatingBand::all, RatingBand::valid, RatingBand::positive, RatingBand::negative, std::nullopt};
constexpr std::size_t k_read_count = std::size(k_reads);

// Each read leases its own client from the pool (libmongoc: one thread per client).
Status run_reads(const std::function<Status(std::size_t)>& read) {
  return mongo::run_bounded(k_read_count, mongo::k_max_parallel_reads, read);
}

std::int64_t& count_of(mongo::WindowCounts& counts, RatingBand band) {
  switch (band) {
  case RatingBand::undated: // never one of k_reads: read apart, see undated_reads
  case RatingBand::all:
    break;
  case RatingBand::positive:
    return counts.positive;
  case RatingBand::negative:
    return counts.negative;
  case RatingBand::valid:
    return counts.valid;
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

// One grouped read (a band count, or the sum when `band` is nullopt) for every type of the
// sorted, duplicate-free `types`, stored in that read's field of counts[type] (the map holds an
// entry for every type already, so concurrent reads only write, to distinct fields).
Status read_grouped(const LeasedCollection& target, std::span<const std::string> types,
                    const FeedbackQuery& query, std::optional<RatingBand> band,
                    std::map<std::string, mongo::WindowCounts>& counts) {
  const std::string operation =
      std::string("grouped aggregate (") +
      (band ? std::string(mongo::to_string(*band)) + " count, " : "rating sum, ") +
      std::to_string(types.size()) + " specialist types from '" + types.front() + "' to '" +
      types.back() + "')";
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
      count_of(counts.at(type), *band) = n;
    }
  } else {
    auto values = mongo::grouped_sums_from_reply(*docs, types);
    if (!values) {
      return mongo::in_context(std::move(values).error(), operation, target);
    }
    for (const auto& [type, sum] : *values) {
      counts.at(type).rating_sum = sum;
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
  // Five separate reads (see feedback_pipelines.hpp), each filling its own field of `counts`.
  mongo::WindowCounts counts;
  const Status read = run_reads([&](std::size_t i) -> Status {
    auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
    if (!target) {
      return std::move(target).error();
    }
    if (const auto band = k_reads[i]) {
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
    return ok_status();
  });
  if (!read) {
    return read.error();
  }
  FeedbackStats stats = mongo::stats_from_counts(counts, query.window_days);
  if (stats.total_count == 0) {
    // Why is the window empty? Documents without a date submitted_at could be the reason.
    // One more read, only now: a specialist with feedback never pays for it.
    auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
    if (target) {
      if (auto undated = run_count(*target, query, RatingBand::undated)) {
        stats.undated_count = *undated;
      }
    }
  }
  return stats;
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
  // The five grouped reads of the whole fleet (run_reads).
  std::map<std::string, mongo::WindowCounts> counts;
  for (const auto& type : unique) {
    counts.emplace(type, mongo::WindowCounts{});
  }
  const Status read = run_reads([&](std::size_t i) -> Status {
    auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
    if (!target) {
      return std::move(target).error();
    }
    return read_grouped(*target, unique, query, k_reads[i], counts);
  });
  if (!read) {
    return read.error();
  }
  std::vector<std::string> empty_windows; // sorted, as `unique`
  for (const auto& [type, c] : counts) {
    const auto& stats = out.emplace(type, mongo::stats_from_counts(c, query.window_days)).first;
    if (stats->second.total_count == 0) {
      empty_windows.push_back(type);
    }
  }
  if (!empty_windows.empty()) {
    read_undated(empty_windows, query, out);
  }
  return out;
}

void MongoFeedbackStore::read_undated(std::span<const std::string> types,
                                      const FeedbackQuery& query,
                                      std::map<std::string, FeedbackStats>& stats) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return;
  }
  const BsonPtr pipeline = mongo::grouped_count_pipeline(types, query, RatingBand::undated);
  const std::string operation =
      "grouped aggregate (undated count, " + std::to_string(types.size()) + " specialist types)";
  auto docs = mongo::aggregate(*target, pipeline.get(), operation);
  if (!docs) {
    return;
  }
  auto values = mongo::grouped_counts_from_reply(*docs, types);
  if (!values) {
    return;
  }
  for (const auto& type : types) {
    const auto it = values->find(type);
    stats.at(type).undated_count = it == values->end() ? 0 : it->second;
  }
}

} // namespace mm
