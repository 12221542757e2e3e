#include "adapters/mongo/feedback_pipelines.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <string>

namespace mm::mongo {
namespace {

constexpr double k_rating_min = 0.0; // DESIGN §4: human_rating is a double in [0, 1]
constexpr double k_rating_max = 1.0;
// Integral doubles are exact up to 2^53; a count beyond that is not a count we can trust.
constexpr double k_max_exact_double = 9007199254740992.0;

// {specialist_type: T, submitted_at: {$gte: start, $lte: end}}: the two fields of the index
// {specialist_type: 1, submitted_at: -1} (DESIGN §4), first, so the planner can use it.
// Documents dated after window_end (clock skew, bad writers) fall outside, as do documents whose
// submitted_at is missing or not a date (type bracketing again).
// `types` empty: the query's one type, by equality; otherwise the range of `types` (see
// grouped_count_pipeline in the header).
// For RatingBand::undated, submitted_at: {$not: {$type: "date"}} replaces the window: missing,
// null, strings, numbers... every document the window's range can never match.
void append_window(bson_t* match, const FeedbackQuery& query, std::span<const std::string> types,
                   bool undated = false) {
  if (types.empty()) {
    append_text(match, k_field_specialist_type, query.specialist_type);
  } else if (undated && types.size() <= k_max_undated_in) {
    // The few empty windows of a fleet may lie anywhere in the alphabet: their range could span
    // the whole index on MongoDB, while an $in of a few points reads only their keys.
    bson_t in;
    bson_t list;
    bson_append_document_begin(match, k_field_specialist_type, -1, &in);
    bson_append_array_begin(&in, "$in", -1, &list);
    for (std::size_t i = 0; i < types.size(); ++i) {
      const std::string key = std::to_string(i);
      append_text(&list, key.c_str(), types[i]);
    }
    bson_append_array_end(&in, &list);
    bson_append_document_end(match, &in);
  } else {
    // std::string orders by unsigned bytes, as BSON's simple collation orders UTF-8 strings.
    const auto [low, high] = std::minmax_element(types.begin(), types.end());
    bson_t range;
    bson_append_document_begin(match, k_field_specialist_type, -1, &range);
    append_text(&range, "$gte", *low);
    append_text(&range, "$lte", *high);
    bson_append_document_end(match, &range);
  }
  if (undated) {
    bson_t not_date;
    bson_t type;
    bson_append_document_begin(match, k_field_submitted_at, -1, &not_date);
    bson_append_document_begin(&not_date, "$not", -1, &type);
    bson_append_utf8(&type, "$type", -1, "date", -1);
    bson_append_document_end(&not_date, &type);
    bson_append_document_end(match, &not_date);
    return;
  }
  bson_t range;
  bson_append_document_begin(match, k_field_submitted_at, -1, &range);
  bson_append_date_time(&range, "$gte", -1, to_bson_date_ms(query.window_start));
  bson_append_date_time(&range, "$lte", -1, to_bson_date_ms(query.window_end));
  bson_append_document_end(match, &range);
}

// human_rating: {$gte: low, $lte|$lt: high, $not: {$type: "array"}}. See the header for why the
// numeric bounds alone already exclude strings, booleans, null, NaN and missing ratings.
void append_rating(bson_t* match, double low, const char* high_op, double high) {
  bson_t cond;
  bson_append_document_begin(match, k_field_human_rating, -1, &cond);
  bson_append_double(&cond, "$gte", -1, low);
  bson_append_double(&cond, high_op, -1, high);
  bson_t not_array;
  bson_append_document_begin(&cond, "$not", -1, &not_array);
  bson_append_utf8(&not_array, "$type", -1, "array", -1);
  bson_append_document_end(&cond, &not_array);
  bson_append_document_end(match, &cond);
}

// Stage "0" of every pipeline. `types` as append_window.
void append_match_stage(bson_t* pipeline, const FeedbackQuery& query, RatingBand band,
                        std::span<const std::string> types = {}) {
  bson_t stage;
  bson_t match;
  bson_append_document_begin(pipeline, "0", -1, &stage);
  bson_append_document_begin(&stage, "$match", -1, &match);
  append_window(&match, query, types, band == RatingBand::undated);
  switch (band) {
  case RatingBand::all:
  case RatingBand::undated:
    break;
  case RatingBand::valid:
    append_rating(&match, k_rating_min, "$lte", k_rating_max);
    break;
  case RatingBand::positive: // rating >= FEEDBACK_POSITIVE_MIN
    append_rating(&match, query.positive_min, "$lte", k_rating_max);
    break;
  case RatingBand::negative: // rating < FEEDBACK_NEGATIVE_MAX
    append_rating(&match, k_rating_min, "$lt", query.negative_max);
    break;
  }
  bson_append_document_end(&stage, &match);
  bson_append_document_end(pipeline, &stage);
}

// Reads a numeric field; decimal128 (which $sum returns when any input is decimal) via its
// string form, parsed locale-independently.
Result<double> number_of(const bson_iter_t& it_in, std::string_view field, const bson_t* doc) {
  bson_iter_t it = it_in;
  switch (bson_iter_type(&it)) {
  case BSON_TYPE_INT32:
    return static_cast<double>(bson_iter_int32(&it));
  case BSON_TYPE_INT64:
    return static_cast<double>(bson_iter_int64(&it));
  case BSON_TYPE_DOUBLE:
    return bson_iter_double(&it);
  case BSON_TYPE_DECIMAL128: {
    bson_decimal128_t dec;
    bson_iter_decimal128(&it, &dec);
    char text[BSON_DECIMAL128_STRING];
    bson_decimal128_to_string(&dec, text);
    const std::string_view sv(text);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), value);
    if (ec != std::errc() || end != sv.data() + sv.size()) {
      return Error::bad_response("field '" + std::string(field) + "' holds decimal " +
                                 std::string(sv) + ", not a usable number");
    }
    return value;
  }
  default:
    return Error::bad_response("field '" + std::string(field) + "' is not a number in reply " +
                               json_excerpt(doc));
  }
}

// The value of `field` in one reply document: a finite, non-negative number.
Result<double> value_of(const bson_t* doc, const char* field) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, field)) {
    return Error::bad_response("no field '" + std::string(field) + "' in reply " +
                               json_excerpt(doc));
  }
  auto value = number_of(it, field, doc);
  if (!value) {
    return std::move(value).error();
  }
  if (!std::isfinite(*value) || *value < 0.0) {
    return Error::bad_response("field '" + std::string(field) +
                               "' is negative or not finite in reply " + json_excerpt(doc));
  }
  return value;
}

// The single value a one-number pipeline returns, or nullopt when it returned no document.
Result<std::optional<double>> single_value(const std::vector<BsonPtr>& docs, const char* field) {
  if (docs.empty()) {
    return std::optional<double>{};
  }
  if (docs.size() > 1) {
    return Error::bad_response("expected at most one document with '" + std::string(field) +
                               "', got " + std::to_string(docs.size()) +
                               "; first: " + json_excerpt(docs.front().get()));
  }
  auto value = value_of(docs.front().get(), field);
  if (!value) {
    return std::move(value).error();
  }
  return std::optional<double>{*value};
}

Result<std::int64_t> whole_count(double n) {
  if (n != std::floor(n) || n > k_max_exact_double) {
    return Error::bad_response("field 'count' is not a whole number: " + std::to_string(n));
  }
  return static_cast<std::int64_t>(n);
}

// Appends {$sum: <operand>} to the accumulator document it is given.
using AppendOperand = void (*)(bson_t* sum);

// {$group: {_id: <group_by or null>, <field>: {$sum: <operand>}}} as stage "1". The only
// accumulator of its $group: FerretDB v1 fills just the first one (see header).
void append_sum_stage(bson_t* pipeline, const char* group_by, const char* field,
                      AppendOperand append_operand) {
  bson_t stage;
  bson_t group;
  bson_t sum;
  bson_append_document_begin(pipeline, "1", -1, &stage);
  bson_append_document_begin(&stage, "$group", -1, &group);
  if (group_by == nullptr) {
    bson_append_null(&group, "_id", -1);
  } else {
    bson_append_utf8(&group, "_id", -1, group_by, -1);
  }
  bson_append_document_begin(&group, field, -1, &sum);
  append_operand(&sum);
  bson_append_document_end(&group, &sum);
  bson_append_document_end(&stage, &group);
  bson_append_document_end(pipeline, &stage);
}

void append_sum_of_ratings(bson_t* sum) {
  bson_append_utf8(sum, "$sum", -1, "$human_rating", -1);
}

void append_sum_of_ones(bson_t* sum) {
  bson_append_int32(sum, "$sum", -1, 1);
}

constexpr const char* k_group_by_type = "$specialist_type";

// type → value of `field` from the groups of a grouped pipeline (see the header).
Result<std::map<std::string, double>> grouped_values(const std::vector<BsonPtr>& docs,
                                                     const char* field,
                                                     std::span<const std::string> types) {
  const std::set<std::string_view> requested(types.begin(), types.end());
  std::map<std::string, double> out;
  for (const auto& doc : docs) {
    bson_iter_t it;
    if (!bson_iter_init_find(&it, doc.get(), "_id")) {
      return Error::bad_response("a group without _id in reply " + json_excerpt(doc.get()));
    }
    if (bson_iter_type(&it) != BSON_TYPE_UTF8) {
      continue; // an array-valued specialist_type: no single type's document
    }
    std::uint32_t length = 0;
    const char* id = bson_iter_utf8(&it, &length);
    std::string type(id, length);
    if (requested.count(type) == 0) {
      continue; // inside the range of the $match, but not one of ours
    }
    auto value = value_of(doc.get(), field);
    if (!value) {
      return std::move(value).error();
    }
    if (!out.emplace(std::move(type), *value).second) {
      return Error::bad_response("two groups for one specialist type in reply " +
                                 json_excerpt(doc.get()));
    }
  }
  return out;
}

// The whole pipeline command of a grouped read.
BsonPtr grouped_pipeline(std::span<const std::string> types, const FeedbackQuery& query,
                         RatingBand band, const char* field, AppendOperand append_operand) {
  BsonPtr command = make_bson();
  bson_t pipeline;
  bson_append_array_begin(command.get(), "pipeline", -1, &pipeline);
  append_match_stage(&pipeline, query, band, types);
  append_sum_stage(&pipeline, k_group_by_type, field, append_operand);
  bson_append_array_end(command.get(), &pipeline);
  return command;
}

// Thresholds and window of a query, whatever its types.
Status validate_bands_and_window(const FeedbackQuery& query) {
  const bool finite = std::isfinite(query.positive_min) && std::isfinite(query.negative_max);
  if (!finite || query.negative_max < k_rating_min || query.positive_min > k_rating_max ||
      query.negative_max > query.positive_min) {
    return Error::config("feedback bands need 0 <= FEEDBACK_NEGATIVE_MAX (" +
                         std::to_string(query.negative_max) + ") <= FEEDBACK_POSITIVE_MIN (" +
                         std::to_string(query.positive_min) + ") <= 1");
  }
  if (query.window_start > query.window_end) {
    return Error::internal("feedback window starts after it ends");
  }
  return ok_status();
}

bool valid_type(const std::string& type) {
  return !type.empty() && bson_utf8_validate(type.data(), type.size(), false);
}

} // namespace

const char* to_string(RatingBand band) noexcept {
  switch (band) {
  case RatingBand::all:
    return "all";
  case RatingBand::valid:
    return "valid";
  case RatingBand::positive:
    return "positive";
  case RatingBand::negative:
    return "negative";
  case RatingBand::undated:
    return "undated";
  }
  return "all";
}

std::int64_t to_bson_date_ms(TimePoint t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_bson_date_ms(std::int64_t ms) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  constexpr auto k_min = duration_cast<milliseconds>(TimePoint::min().time_since_epoch());
  constexpr auto k_max = duration_cast<milliseconds>(TimePoint::max().time_since_epoch());
  return TimePoint(std::clamp(milliseconds(ms), k_min, k_max));
}

Status validate(const FeedbackQuery& query) {
  if (!valid_type(query.specialist_type)) {
    return Error::internal("feedback query without a valid specialist type");
  }
  return validate_bands_and_window(query);
}

Status validate_many(std::span<const std::string> types, const FeedbackQuery& query) {
  for (const auto& type : types) {
    if (!valid_type(type)) {
      return Error::internal("feedback query with an empty or non-UTF-8 specialist type");
    }
  }
  return validate_bands_and_window(query);
}

BsonPtr count_pipeline(const FeedbackQuery& query, RatingBand band) {
  BsonPtr command = make_bson();
  bson_t pipeline;
  bson_append_array_begin(command.get(), "pipeline", -1, &pipeline);
  append_match_stage(&pipeline, query, band);
  bson_t count;
  bson_append_document_begin(&pipeline, "1", -1, &count);
  bson_append_utf8(&count, "$count", -1, k_count_field, -1);
  bson_append_document_end(&pipeline, &count);
  bson_append_array_end(command.get(), &pipeline);
  return command;
}

BsonPtr rating_sum_pipeline(const FeedbackQuery& query) {
  BsonPtr command = make_bson();
  bson_t pipeline;
  bson_append_array_begin(command.get(), "pipeline", -1, &pipeline);
  append_match_stage(&pipeline, query, RatingBand::valid);
  append_sum_stage(&pipeline, nullptr, k_sum_field, append_sum_of_ratings);
  bson_append_array_end(command.get(), &pipeline);
  return command;
}

Result<std::int64_t> count_from_reply(const std::vector<BsonPtr>& docs) {
  auto value = single_value(docs, k_count_field);
  if (!value) {
    return std::move(value).error();
  }
  if (!value->has_value()) {
    return std::int64_t{0}; // $count emits no document when nothing matched
  }
  return whole_count(**value);
}

Result<double> sum_from_reply(const std::vector<BsonPtr>& docs) {
  auto value = single_value(docs, k_sum_field);
  if (!value) {
    return std::move(value).error();
  }
  return value->value_or(0.0); // $group emits no document when nothing matched
}

FeedbackStats stats_from_counts(const WindowCounts& counts, int window_days) {
  // The five reads run at the same time (mongo_feedback_store.cpp), so a document written or
  // deleted meanwhile may be counted by some of them only: positive + negative may exceed valid,
  // valid may exceed all, the sum may exceed the count. Each read saw a real state of the
  // collection; take the largest count each set has been seen with, so that the statistics keep
  // their invariants: positive + negative <= total <= total + invalid, 0 <= sum <= total (the
  // average stays in [0, 1]). Without concurrent writers nothing changes.
  const std::int64_t valid =
      std::max({counts.valid, counts.positive + counts.negative, std::int64_t{0}});
  FeedbackStats stats;
  stats.window_days = window_days;
  stats.total_count = valid;
  stats.positive_count = counts.positive;
  stats.negative_count = counts.negative;
  stats.neutral_count = valid - counts.positive - counts.negative;
  stats.invalid_count = std::max<std::int64_t>(0, counts.all - valid);
  stats.rating_sum = std::clamp(counts.rating_sum, 0.0, static_cast<double>(valid));
  return stats;
}

BsonPtr grouped_count_pipeline(std::span<const std::string> types, const FeedbackQuery& query,
                               RatingBand band) {
  return grouped_pipeline(types, query, band, k_count_field, append_sum_of_ones);
}

BsonPtr grouped_rating_sum_pipeline(std::span<const std::string> types,
                                    const FeedbackQuery& query) {
  return grouped_pipeline(types, query, RatingBand::valid, k_sum_field, append_sum_of_ratings);
}

Result<std::map<std::string, std::int64_t>>
grouped_counts_from_reply(const std::vector<BsonPtr>& docs, std::span<const std::string> types) {
  auto values = grouped_values(docs, k_count_field, types);
  if (!values) {
    return std::move(values).error();
  }
  std::map<std::string, std::int64_t> out;
  for (const auto& [type, value] : *values) {
    auto n = whole_count(value);
    if (!n) {
      return std::move(n).error();
    }
    out.emplace(type, *n);
  }
  return out;
}

Result<std::map<std::string, double>> grouped_sums_from_reply(const std::vector<BsonPtr>& docs,
                                                              std::span<const std::string> types) {
  return grouped_values(docs, k_sum_field, types);
}

} // namespace mm::mongo
