#include "adapters/mongo/feedback_row_documents.hpp"

#include "adapters/mongo/feedback_pipelines.hpp" // from_bson_date_ms, k_field_submitted_at

#include <cmath>

namespace mm::mongo {
namespace {

constexpr const char* k_field_opinion_id = "opinion_id";
constexpr const char* k_field_recommendation = "human_recommendation";
constexpr const char* k_field_features = "features";

std::optional<std::string> string_field(const bson_t* doc, const char* field) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, field) || bson_iter_type(&it) != BSON_TYPE_UTF8) {
    return std::nullopt;
  }
  std::uint32_t length = 0;
  const char* text = bson_iter_utf8(&it, &length);
  return std::string(text, length);
}

std::optional<double> finite_number(const bson_iter_t& it) {
  double value = 0.0;
  switch (bson_iter_type(&it)) {
  case BSON_TYPE_DOUBLE:
    value = bson_iter_double(&it);
    break;
  case BSON_TYPE_INT32:
    value = bson_iter_int32(&it);
    break;
  case BSON_TYPE_INT64:
    value = static_cast<double>(bson_iter_int64(&it));
    break;
  default:
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

} // namespace

BsonPtr recent_feedback_filter(const std::string& specialist_type) {
  BsonPtr filter = make_bson();
  append_text(filter.get(), "specialist_type", specialist_type);
  bson_t dated;
  bson_append_document_begin(filter.get(), k_field_submitted_at, -1, &dated);
  bson_append_utf8(&dated, "$type", -1, "date", -1);
  bson_append_document_end(filter.get(), &dated);
  return filter;
}

BsonPtr recent_feedback_options(std::int64_t limit) {
  BsonPtr opts = make_bson();
  bson_t projection;
  bson_t sort;
  bson_append_document_begin(opts.get(), "projection", -1, &projection);
  bson_append_int32(&projection, "_id", -1, 0);
  bson_append_int32(&projection, k_field_opinion_id, -1, 1);
  bson_append_int32(&projection, k_field_recommendation, -1, 1);
  bson_append_int32(&projection, k_field_submitted_at, -1, 1);
  bson_append_document_end(opts.get(), &projection);
  bson_append_document_begin(opts.get(), "sort", -1, &sort);
  bson_append_int32(&sort, k_field_submitted_at, -1, -1);
  bson_append_document_end(opts.get(), &sort);
  bson_append_int64(opts.get(), "limit", -1, limit);
  return opts;
}

BsonPtr opinions_filter(std::span<const std::string> ids) {
  BsonPtr filter = make_bson();
  bson_t in;
  bson_t list;
  bson_append_document_begin(filter.get(), k_field_opinion_id, -1, &in);
  bson_append_array_begin(&in, "$in", -1, &list);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string key = std::to_string(i);
    append_text(&list, key.c_str(), ids[i]);
  }
  bson_append_array_end(&in, &list);
  bson_append_document_end(filter.get(), &in);
  return filter;
}

BsonPtr opinions_options() {
  BsonPtr opts = make_bson();
  bson_t projection;
  bson_append_document_begin(opts.get(), "projection", -1, &projection);
  bson_append_int32(&projection, "_id", -1, 0);
  bson_append_int32(&projection, k_field_opinion_id, -1, 1);
  bson_append_int32(&projection, k_field_features, -1, 1);
  bson_append_document_end(opts.get(), &projection);
  return opts;
}

std::optional<std::int64_t> label_of(std::string_view human_recommendation) {
  if (human_recommendation == "approve") {
    return static_cast<std::int64_t>(Label::approve);
  }
  if (human_recommendation == "reject") {
    return static_cast<std::int64_t>(Label::reject);
  }
  if (human_recommendation == "review_required") {
    return static_cast<std::int64_t>(Label::review_required);
  }
  return std::nullopt;
}

FeedbackRef feedback_ref_of(const bson_t* feedback) {
  FeedbackRef ref;
  ref.opinion_id = string_field(feedback, k_field_opinion_id);
  if (auto recommendation = string_field(feedback, k_field_recommendation)) {
    ref.label = label_of(*recommendation);
  }
  bson_iter_t it;
  if (bson_iter_init_find(&it, feedback, k_field_submitted_at) &&
      bson_iter_type(&it) == BSON_TYPE_DATE_TIME) {
    ref.submitted_at = from_bson_date_ms(bson_iter_date_time(&it));
  }
  return ref;
}

std::optional<std::string> opinion_id_of(const bson_t* opinion) {
  return string_field(opinion, k_field_opinion_id);
}

std::optional<std::array<double, k_feature_count>> features_of(const bson_t* opinion) {
  bson_iter_t it;
  bson_iter_t features;
  if (!bson_iter_init_find(&it, opinion, k_field_features) || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
      !bson_iter_recurse(&it, &features)) {
    return std::nullopt;
  }
  std::array<double, k_feature_count> out{};
  for (std::size_t i = 0; i < k_feature_count; ++i) {
    // Each lookup restarts from the object's first field: the writer's field order is not
    // ours to rely on, and 26 × 26 key comparisons cost nothing next to the network.
    bson_iter_t field = features;
    const std::string name(k_feature_names[i]);
    if (!bson_iter_find(&field, name.c_str())) {
      return std::nullopt;
    }
    const std::optional<double> value = finite_number(field);
    if (!value) {
      return std::nullopt;
    }
    out[i] = *value;
  }
  return out;
}

} // namespace mm::mongo
