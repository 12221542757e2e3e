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

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
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
  // Not of the window: every document of the specialist, of any age, whose submitted_at is
  // missing or not a date ({$not: {$type: "date"}}), which no window can hold
  // (FeedbackStats::undated_count). A date inside an array counts as a date, as $type says.
  undated,
};

const char* to_string(RatingBand band) noexcept;

// A BSON date is milliseconds since the epoch; a stored date d stands for [d, d + 1 ms).
// Flooring both window ends keeps a document whose millisecond overlaps the window.
std::int64_t to_bson_date_ms(TimePoint t);

// The inverse, for dates read from documents. A TimePoint counts nanoseconds in 64 bits (years
// 1677 to 2262), a BSON date milliseconds (±292 million years): a date beyond that range (a
// typo such as year 20240, or 0001-01-01 written for "unknown") is clamped to the nearest end
// instead of overflowing the conversion (undefined behaviour; found by tests/fuzz).
TimePoint from_bson_date_ms(std::int64_t ms);

// The query's own consistency (thresholds finite, 0 <= negative_max <= positive_min <= 1, start
// <= end, a specialist type). FerretDB drops the connection on a NaN anywhere in a command, so
// a NaN threshold must never reach the wire.
Status validate(const FeedbackQuery& query);

// [{$match: {specialist_type, submitted_at: {$gte: start, $lte: end}[, human_rating: band]}},
//  {$count: "count"}] as {"pipeline": [...]}, the form mongoc_collection_aggregate accepts;
// for RatingBand::undated, submitted_at: {$not: {$type: "date"}} instead of the window.
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

// total = valid, neutral = valid − positive − negative, invalid = all − valid, reconciled: the
// pipelines are separate reads that run concurrently, so a document written or deleted (e.g. by
// a TTL index) while they run may be seen by some only. Total is raised to positive + negative
// when it is below, differences never go negative, and the sum stays within [0, total].
FeedbackStats stats_from_counts(const WindowCounts& counts, int window_days);

// --- Many specialists at once (FeedbackStore::feedback_stats_many) ------------------------------
// The same five reads, each for a whole fleet: one range of types and a $group by
// specialist_type with its one accumulator. The number of aggregations does not grow with the
// fleet, which is what costs on FerretDB v1: it pushes no filter down, so every aggregation
// decodes every document of the collection (tens of µs each) however selective its $match.
//
// Why a range {$gte: first, $lte: last} of the sorted types and not {$in: types}: FerretDB v1
// tests $in by walking the list for every document (1,000 types: +0.35 s per aggregation over
// 20,000 documents, ~20% of it), while a range is two comparisons; on MongoDB a range on the
// index's first field is one interval of {specialist_type: 1, submitted_at: -1}, as good as the
// 1,000 points of an $in. The groups of types inside the range that were not asked for are
// dropped when the reply is read (their number is bounded by the distinct types in the window).
// Matching the window alone would spare even the range on FerretDB, but would leave MongoDB
// without a usable index (submitted_at is not a prefix of it): a scan of the whole history.

// validate() for a list of types (query.specialist_type is ignored): each type non-empty UTF-8,
// bands and window as validate().
Status validate_many(std::span<const std::string> types, const FeedbackQuery& query);

// [{$match: {specialist_type: {$gte: min(types), $lte: max(types)}, submitted_at: {...}
//             [, human_rating: band]}},
//  {$group: {_id: "$specialist_type", count: {$sum: 1}}}]
// ($count cannot group; {$sum: 1} is its grouped equivalent.) `types` must not be empty.
// For RatingBand::undated (asked only for the types whose window is empty, usually a few), up
// to k_max_undated_in types are matched by {$in: types} rather than by their range.
BsonPtr grouped_count_pipeline(std::span<const std::string> types, const FeedbackQuery& query,
                               RatingBand band);
inline constexpr std::size_t k_max_undated_in = 100;

// [{$match: {..., human_rating: valid}},
//  {$group: {_id: "$specialist_type", rating_sum: {$sum: "$human_rating"}}}]
BsonPtr grouped_rating_sum_pipeline(std::span<const std::string> types, const FeedbackQuery& query);

// The reply of a grouped pipeline as type → value; a type without documents has no group and
// so no entry. Values are read as count_from_reply / sum_from_reply read theirs (counts whole
// and non-negative, sums finite and non-negative). Groups of types not in `types` (inside the
// range, not asked for) are dropped. A group whose _id is not a string is skipped too: a
// document whose specialist_type is an array matches the range through its elements but groups
// under the whole array, so it belongs to no single type. (The single-type pipelines match such
// a document by equality with an element and count it for each listed type.)
// A type twice is a bad_response.
Result<std::map<std::string, std::int64_t>>
grouped_counts_from_reply(const std::vector<BsonPtr>& docs, std::span<const std::string> types);
Result<std::map<std::string, double>> grouped_sums_from_reply(const std::vector<BsonPtr>& docs,
                                                              std::span<const std::string> types);

} // namespace mm::mongo
