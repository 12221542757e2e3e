#pragma once
// The aggregation pipelines behind MongoFeedbackStore::feedback_stats and the reading of their
// replies: pure functions, testable without a server (DESIGN §4).
// Internal to mm_mongo and its tests (includes the driver's headers).
//
// Why five small pipelines instead of one: the statistics must be computed by the server with
// $match + $group/$count only, valid on MongoDB 6/7 and on FerretDB v1, which has no $facet,
// $cond or $avg, and which (v1.24) fills only the *first* accumulator of a $group (the others
// come back 0). So each pipeline yields exactly one number and C++ does the arithmetic.
//
// What counts as a valid rating: a number in [0, 1]. $gte/$lte compare only within the numeric
// type bracket (MongoDB manual, "Comparison/Sort Order" and "Type Bracketing"), so int, long,
// double and decimal ratings match and strings ("0.8"), booleans, null, dates, objects and a
// missing field do not; NaN sorts below every number, so it never matches $gte: 0. Arrays need
// excluding explicitly: a range on an array field matches when *some element* meets each bound
// (possibly different elements: [1.5, -1] matches {$gte: 0, $lte: 1}).

#include "adapters/mongo/mongo_handles.hpp"
#include "core/metrics.hpp"
#include "core/result.hpp"
#include "ports/feedback_store.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace mm::mongo {

// Field names of specialist_feedback (DESIGN §4).
inline constexpr const char* k_field_specialist_type = "specialist_type";
inline constexpr const char* k_field_submitted_at = "submitted_at";
inline constexpr const char* k_field_human_rating = "human_rating";

// Output field of our $count stages and of the $group of the rating sum.
inline constexpr const char* k_count_field = "count";
inline constexpr const char* k_sum_field = "rating_sum";

// Which documents of the window a count pipeline counts.
enum class RatingBand {
  all,      // every document of the specialist in the window, whatever its rating
  valid,    // rating is a number in [0, 1]
  positive, // valid and rating >= positive_min
  negative, // valid and rating <  negative_max
};

const char* to_string(RatingBand band) noexcept;

// A BSON date is milliseconds since the epoch; a stored date d stands for [d, d + 1 ms).
// Flooring both window ends keeps a document whose millisecond overlaps the window.
std::int64_t to_bson_date_ms(TimePoint t);

// The query's own consistency (thresholds finite, 0 <= negative_max <= positive_min <= 1, start
// <= end, a specialist type). FerretDB drops the connection on a NaN anywhere in a command, so
// a NaN threshold must never reach the wire.
Status validate(const FeedbackQuery& query);

// [{$match: {specialist_type, submitted_at: {$gte: start, $lte: end}[, human_rating: band]}},
//  {$count: "count"}] as {"pipeline": [...]}, the form mongoc_collection_aggregate accepts.
BsonPtr count_pipeline(const FeedbackQuery& query, RatingBand band);

// [{$match: {..., human_rating: valid}}, {$group: {_id: null, rating_sum: {$sum:
// "$human_rating"}}}]
BsonPtr rating_sum_pipeline(const FeedbackQuery& query);

// The reply of a count pipeline: no document (nothing matched) → 0; one {count: n} with n a
// non-negative integer (int32, int64, or an integral double) → n; anything else → bad_response.
Result<std::int64_t> count_from_reply(const std::vector<BsonPtr>& docs);

// The reply of the sum pipeline: no document → 0.0; one document with rating_sum a finite,
// non-negative number (int32, int64, double or decimal128; $sum keeps the widest input type)
// → its value; anything else → bad_response.
Result<double> sum_from_reply(const std::vector<BsonPtr>& docs);

// The five numbers the pipelines return.
struct WindowCounts {
  std::int64_t all = 0;
  std::int64_t valid = 0;
  std::int64_t positive = 0;
  std::int64_t negative = 0;
  double rating_sum = 0.0;
};

// neutral = valid − positive − negative, invalid = all − valid. The pipelines are separate
// reads, so a document deleted (e.g. by a TTL index) between two of them could make a
// difference negative: it is clamped at 0 rather than reported.
FeedbackStats stats_from_counts(const WindowCounts& counts, int window_days);

} // namespace mm::mongo
