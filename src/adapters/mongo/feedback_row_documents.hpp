#pragma once
// The queries behind MongoFeedbackRowSource and the reading of their documents (DESIGN §4:
// feedback → training row): pure functions, testable without a server.
// Internal to mm_mongo and its tests (includes the driver's headers).
//
// Two finds, no aggregation: the last `limit` feedback documents of the type (newest first),
// then their opinions in batches of at most k_opinion_batch_size ids with {opinion_id: {$in}}.
// Field names are the platform's (scripts/seed_demo.py writes the same): feedback opinion_id,
// human_recommendation, submitted_at; opinions (cognitive_ledger) opinion_id and features, an
// object holding the 26 inputs of k_feature_names by name.

#include "adapters/mongo/mongo_handles.hpp"
#include "core/dataset.hpp"
#include "core/metrics.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mm::mongo {

// Ids per {$in} of the opinion lookup: a command of ~25 KB (ids are UUIDs in the platform) and
// a reply of ~500 small documents; the port's default limit (FEEDBACK_MERGE_LIMIT 1000) takes
// two lookups.
inline constexpr std::size_t k_opinion_batch_size = 500;

// {specialist_type: T, submitted_at: {$type: "date"}}: a document without a date cannot be
// placed among the last ones, nor give the row its created_at, so it is not one of them.
BsonPtr recent_feedback_filter(const std::string& specialist_type);

// {projection: {_id: 0, opinion_id: 1, human_recommendation: 1, submitted_at: 1},
//  sort: {submitted_at: -1}, limit: limit}; the sort follows the index
// {specialist_type: 1, submitted_at: -1} (DESIGN §4). `limit` must be positive (0 would mean
// "no limit" to the server).
BsonPtr recent_feedback_options(std::int64_t limit);

// {opinion_id: {$in: ids}}
BsonPtr opinions_filter(std::span<const std::string> ids);
// {projection: {_id: 0, opinion_id: 1, features: 1}}; no sort, so MongoDB can use the index
// on opinion_id alone.
BsonPtr opinions_options();

// approve 1, reject 0, review_required 2 (DESIGN §4); anything else (including "conditional",
// which a human recommendation never is) → nullopt.
std::optional<std::int64_t> label_of(std::string_view human_recommendation);

// What a feedback document contributes. opinion_id: nullopt when missing or not a string;
// label: nullopt when human_recommendation is not a known recommendation.
struct FeedbackRef {
  std::optional<std::string> opinion_id;
  std::optional<std::int64_t> label;
  TimePoint submitted_at;
};
FeedbackRef feedback_ref_of(const bson_t* feedback);

// The opinion_id of an opinion document (nullopt when missing or not a string).
std::optional<std::string> opinion_id_of(const bson_t* opinion);

// The opinion's features in k_feature_names order, or nullopt unless `features` is an object
// holding every one of the 26 names as a finite int32, int64 or double (extra fields are
// ignored). Strings, booleans, null, decimal128, NaN and infinities make the row unusable.
std::optional<std::array<double, k_feature_count>> features_of(const bson_t* opinion);

} // namespace mm::mongo
