#include "adapters/mongo/ledger_documents.hpp"

#include "adapters/mongo/feedback_pipelines.hpp" // to_bson_date_ms, from_bson_date_ms
#include "adapters/mongo/state_documents.hpp"

#include <cmath>
#include <fmt/format.h>

namespace mm::mongo {
namespace {

constexpr const char* k_field_kind = "kind";
constexpr const char* k_field_type = "specialist_type";

TimePoint from_bson_date(std::int64_t ms) {
  return from_bson_date_ms(ms); // clamped: a far date overflowed TimePoint (found by tests/fuzz)
}

std::optional<std::string> text_field(const bson_t* doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, key) || bson_iter_type(&it) != BSON_TYPE_UTF8) {
    return std::nullopt;
  }
  std::uint32_t length = 0;
  const char* text = bson_iter_utf8(&it, &length);
  return std::string(text, length);
}

std::optional<TimePoint> date_field(const bson_t* doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, key) || bson_iter_type(&it) != BSON_TYPE_DATE_TIME) {
    return std::nullopt;
  }
  return from_bson_date(bson_iter_date_time(&it));
}

std::optional<double> number_field(const bson_t* doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_NUMBER(&it)) {
    return std::nullopt;
  }
  const double v = bson_iter_as_double(&it);
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

std::optional<std::int64_t> integer_field(const bson_t* doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, key)) {
    return std::nullopt;
  }
  if (bson_iter_type(&it) == BSON_TYPE_INT64 || bson_iter_type(&it) == BSON_TYPE_INT32) {
    return bson_iter_as_int64(&it);
  }
  return std::nullopt;
}

std::optional<bool> bool_field(const bson_t* doc, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc, key) || bson_iter_type(&it) != BSON_TYPE_BOOL) {
    return std::nullopt;
  }
  return bson_iter_bool(&it);
}

} // namespace

std::string lease_id(const std::string& specialist_type, std::int64_t generation) {
  return fmt::format("lease|{}|{:012d}", specialist_type, generation);
}

BsonPtr lease_document(const Lease& lease) {
  BsonPtr doc = make_bson();
  bson_t* d = doc.get();
  append_text(d, "_id", lease_id(lease.specialist_type, lease.generation));
  append_text(d, k_field_kind, k_kind_lease);
  append_text(d, k_field_type, lease.specialist_type);
  bson_append_int64(d, "generation", -1, lease.generation);
  append_text(d, "owner", bson_safe_text(lease.owner));
  bson_append_date_time(d, "acquired_at", -1, to_bson_date_ms(lease.acquired_at));
  bson_append_date_time(d, "expires_at", -1, to_bson_date_ms(lease.expires_at));
  bson_append_bool(d, "released", -1, false);
  return doc;
}

BsonPtr lease_filter(const std::string& specialist_type) {
  BsonPtr filter = make_bson();
  append_text(filter.get(), k_field_kind, k_kind_lease);
  append_text(filter.get(), k_field_type, specialist_type);
  return filter;
}

BsonPtr newest_lease_options() {
  BsonPtr opts = make_bson();
  bson_t sort;
  bson_append_document_begin(opts.get(), "sort", -1, &sort);
  bson_append_int32(&sort, "generation", -1, -1);
  bson_append_document_end(opts.get(), &sort);
  bson_append_int64(opts.get(), "limit", -1, 1);
  return opts;
}

Result<StoredLease> lease_from_document(const bson_t* doc) {
  StoredLease out;
  auto type = text_field(doc, k_field_type);
  auto owner = text_field(doc, "owner");
  auto generation = integer_field(doc, "generation");
  auto acquired = date_field(doc, "acquired_at");
  auto expires = date_field(doc, "expires_at");
  if (!type || !owner || !generation || !acquired || !expires) {
    return Error::bad_response("lease document " + json_excerpt(doc) +
                               " lacks specialist_type, owner, generation, acquired_at or "
                               "expires_at; delete it from the state collection");
  }
  out.lease = Lease{*type, *owner, *generation, *acquired, *expires};
  out.released = bool_field(doc, "released").value_or(false);
  return out;
}

bool lease_is_active(const StoredLease& stored, TimePoint now) {
  return !stored.released && stored.lease.expires_at > now;
}

BsonPtr own_lease_selector(const Lease& lease) {
  BsonPtr selector = make_bson();
  append_text(selector.get(), "_id", lease_id(lease.specialist_type, lease.generation));
  append_text(selector.get(), "owner", bson_safe_text(lease.owner));
  return selector;
}

BsonPtr renew_update(TimePoint expires_at) {
  BsonPtr update = make_bson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  bson_append_date_time(&set, "expires_at", -1, to_bson_date_ms(expires_at));
  bson_append_document_end(update.get(), &set);
  return update;
}

BsonPtr release_update(TimePoint now) {
  BsonPtr update = make_bson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  bson_append_bool(&set, "released", -1, true);
  bson_append_date_time(&set, "expires_at", -1, to_bson_date_ms(now));
  bson_append_document_end(update.get(), &set);
  return update;
}

BsonPtr older_leases_filter(const std::string& specialist_type, std::int64_t generation) {
  BsonPtr filter = lease_filter(specialist_type);
  bson_t lt;
  bson_append_document_begin(filter.get(), "generation", -1, &lt);
  bson_append_int64(&lt, "$lt", -1, generation);
  bson_append_document_end(filter.get(), &lt);
  return filter;
}

BsonPtr open_retrains_filter(const std::string& specialist_type) {
  BsonPtr filter = make_bson();
  bson_t* f = filter.get();
  append_text(f, k_field_kind, k_kind_retrain);
  append_text(f, k_field_type, specialist_type);
  bson_t any;
  bson_t open;
  bson_t state;
  bson_t states;
  bson_t unnotified;
  bson_append_array_begin(f, "$or", -1, &any);
  bson_append_document_begin(&any, "0", -1, &open);
  bson_append_document_begin(&open, "state", -1, &state);
  bson_append_array_begin(&state, "$in", -1, &states);
  int i = 0;
  for (const char* s : k_open_states) {
    bson_append_utf8(&states, std::to_string(i++).c_str(), -1, s, -1);
  }
  bson_append_array_end(&state, &states);
  bson_append_document_end(&open, &state);
  bson_append_document_end(&any, &open);
  bson_append_document_begin(&any, "1", -1, &unnotified);
  bson_append_bool(&unnotified, "notified", -1, false);
  bson_append_document_end(&any, &unnotified);
  bson_append_array_end(f, &any);
  return filter;
}

BsonPtr open_retrains_options() {
  BsonPtr opts = make_bson();
  bson_t sort;
  bson_append_document_begin(opts.get(), "sort", -1, &sort);
  bson_append_int32(&sort, "started_at", -1, 1);
  bson_append_document_end(opts.get(), &sort);
  return opts;
}

Result<RetrainRecord> retrain_from_document(const bson_t* doc) {
  RetrainRecord r;
  auto id = text_field(doc, "_id");
  auto type = text_field(doc, k_field_type);
  auto state = text_field(doc, "state");
  auto started = date_field(doc, "started_at");
  if (!id || !type || !state || !started) {
    return Error::bad_response("retrain record " + json_excerpt(doc) +
                               " lacks _id, specialist_type, state or started_at; fix or delete "
                               "it in the state collection");
  }
  r.id = *id;
  r.specialist_type = *type;
  r.state = *state;
  r.started_at = *started;
  r.finished_at = date_field(doc, "finished_at");
  r.trigger = text_field(doc, "trigger").value_or("");
  r.run_id = text_field(doc, "run_id").value_or("");
  r.dataset_path = text_field(doc, "dataset_path").value_or("");
  r.error = text_field(doc, "error").value_or("");
  r.baseline_f1 = number_field(doc, "baseline_f1");
  r.candidate_f1 = number_field(doc, "candidate_f1");
  r.owner = text_field(doc, "owner").value_or("");
  r.host = text_field(doc, "host").value_or("");
  r.training_pid = integer_field(doc, "training_pid").value_or(0);
  r.baseline_run_id = text_field(doc, "baseline_run_id").value_or("");
  r.baseline_version = text_field(doc, "baseline_version").value_or("");
  r.baseline_precision = number_field(doc, "baseline_precision");
  r.baseline_recall = number_field(doc, "baseline_recall");
  r.promoted_version = text_field(doc, "promoted_version").value_or("");
  r.notified = bool_field(doc, "notified").value_or(true);
  return r;
}

} // namespace mm::mongo
