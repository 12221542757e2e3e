#include "adapters/mongo/mongo_feedback_store.hpp"

#include "adapters/mongo/feedback_pipelines.hpp"
#include "adapters/mongo/mongo_error.hpp"
#include "adapters/mongo/mongo_handles.hpp"

#include <vector>

namespace mm {
namespace {

using mongo::BsonPtr;

// A one-number pipeline returns at most one document; reading a few more only serves to report
// a malformed reply, never to pull documents to the client (DESIGN §4).
constexpr std::size_t k_max_reply_docs = 2;

struct Target {
  mongoc_collection_t* collection;
  std::string_view masked_uri;
  std::chrono::milliseconds socket_timeout;
  std::chrono::milliseconds query_timeout;
  std::string_view namespace_name; // "database.collection", for messages
};

Error with_context(Error error, const std::string& operation, const Target& target) {
  error.message = "MongoDB " + operation + " on " + std::string(target.namespace_name) + " at " +
                  std::string(target.masked_uri) + ": " + error.message;
  return error;
}

Result<std::vector<BsonPtr>> run_pipeline(const Target& target, const bson_t* pipeline,
                                          const std::string& operation) {
  BsonPtr opts = mongo::make_bson();
  bson_append_int64(opts.get(), "maxTimeMS", -1, target.query_timeout.count());
  const auto started = std::chrono::steady_clock::now();
  mongo::CursorPtr cursor(mongoc_collection_aggregate(target.collection, MONGOC_QUERY_NONE,
                                                      pipeline, opts.get(), nullptr));
  std::vector<BsonPtr> docs;
  const bson_t* doc = nullptr;
  while (docs.size() < k_max_reply_docs && mongoc_cursor_next(cursor.get(), &doc)) {
    docs.push_back(mongo::copy_bson(doc));
  }
  bson_error_t error{};
  if (mongoc_cursor_error(cursor.get(), &error)) {
    const std::string full = operation + " on " + std::string(target.namespace_name);
    const bool deadline_passed =
        std::chrono::steady_clock::now() - started >= target.socket_timeout;
    return mongo::error_from_mongoc(error, {full, target.masked_uri, deadline_passed});
  }
  return docs;
}

Result<std::int64_t> run_count(const Target& target, const FeedbackQuery& query,
                               mongo::RatingBand band) {
  const std::string operation = std::string("aggregate (") + mongo::to_string(band) +
                                " count, specialist_type '" + query.specialist_type + "')";
  const BsonPtr pipeline = mongo::count_pipeline(query, band);
  auto docs = run_pipeline(target, pipeline.get(), operation);
  if (!docs) {
    return std::move(docs).error();
  }
  auto count = mongo::count_from_reply(*docs);
  if (!count) {
    return with_context(std::move(count).error(), operation, target);
  }
  return count;
}

Result<double> run_sum(const Target& target, const FeedbackQuery& query) {
  const std::string operation =
      "aggregate (rating sum, specialist_type '" + query.specialist_type + "')";
  const BsonPtr pipeline = mongo::rating_sum_pipeline(query);
  auto docs = run_pipeline(target, pipeline.get(), operation);
  if (!docs) {
    return std::move(docs).error();
  }
  auto sum = mongo::sum_from_reply(*docs);
  if (!sum) {
    return with_context(std::move(sum).error(), operation, target);
  }
  return sum;
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
  auto client = m_pool.acquire();
  if (!client) {
    return std::move(client).error();
  }
  mongo::CollectionPtr collection(
      mongoc_client_get_collection(client->get(), m_database.c_str(), m_collection.c_str()));
  const std::string namespace_name = m_database + "." + m_collection;
  const Target target{collection.get(), m_pool.masked_uri(), m_pool.socket_timeout(),
                      m_query_timeout, namespace_name};

  // Five separate reads (see feedback_pipelines.hpp), ordered so that documents inserted
  // meanwhile keep the numbers consistent: each band is read before the set containing it
  // (positive, negative before valid; valid before all), and the sum before the valid count,
  // so that sum <= count and the average stays within [0, 1].
  mongo::WindowCounts counts;
  const auto count_into = [&](mongo::RatingBand band, std::int64_t& out) -> Status {
    auto n = run_count(target, query, band);
    if (!n) {
      return std::move(n).error();
    }
    out = *n;
    return ok_status();
  };
  if (auto s = count_into(mongo::RatingBand::positive, counts.positive); !s) {
    return std::move(s).error();
  }
  if (auto s = count_into(mongo::RatingBand::negative, counts.negative); !s) {
    return std::move(s).error();
  }
  auto sum = run_sum(target, query);
  if (!sum) {
    return std::move(sum).error();
  }
  counts.rating_sum = *sum;
  if (auto s = count_into(mongo::RatingBand::valid, counts.valid); !s) {
    return std::move(s).error();
  }
  if (auto s = count_into(mongo::RatingBand::all, counts.all); !s) {
    return std::move(s).error();
  }
  return mongo::stats_from_counts(counts, query.window_days);
}

} // namespace mm
