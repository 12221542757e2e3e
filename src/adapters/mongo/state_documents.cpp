#include "adapters/mongo/state_documents.hpp"

#include "adapters/mongo/feedback_pipelines.hpp" // to_bson_date_ms

#include <cmath>

namespace mm::mongo {
namespace {

constexpr const char* k_field_kind = "kind";
constexpr const char* k_field_type = "specialist_type";
constexpr const char* k_field_started_at = "started_at";

bool is_key_text(std::string_view text) {
  return !text.empty() && bson_utf8_validate(text.data(), text.size(), false);
}

void append_optional_score(bson_t* doc, const char* key, const std::optional<double>& value) {
  if (value && std::isfinite(*value)) {
    bson_append_double(doc, key, -1, *value);
  } else {
    bson_append_null(doc, key, -1);
  }
}

bool is_alpha_or_underscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Prometheus data model (https://prometheus.io/docs/concepts/data_model/): metric names
// [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*.
bool is_prometheus_name(std::string_view name, bool colon_allowed) {
  if (name.empty() || is_digit(name.front())) {
    return false;
  }
  for (char c : name) {
    if (!is_alpha_or_underscore(c) && !is_digit(c) && !(colon_allowed && c == ':')) {
      return false;
    }
  }
  return true;
}

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '|' || c == ',' || c == '=') {
      out += '\\';
    }
    out += c;
  }
}

Error bad_counter(const bson_t* doc, std::string_view what) {
  return Error::bad_response("counter document " + json_excerpt(doc) + " " + std::string(what) +
                             "; fix or delete it in the state collection");
}

std::optional<std::string> utf8_of(const bson_iter_t& it) {
  if (bson_iter_type(&it) != BSON_TYPE_UTF8) {
    return std::nullopt;
  }
  std::uint32_t length = 0;
  const char* text = bson_iter_utf8(&it, &length);
  return std::string(text, length);
}

} // namespace

BsonPtr state_indexes_command(const std::string& collection) {
  BsonPtr command = make_bson();
  append_text(command.get(), "createIndexes", collection);
  bson_t indexes;
  bson_t index;
  bson_t key;
  bson_append_array_begin(command.get(), "indexes", -1, &indexes);
  bson_append_document_begin(&indexes, "0", -1, &index);
  bson_append_document_begin(&index, "key", -1, &key);
  bson_append_int32(&key, k_field_kind, -1, 1);
  bson_append_int32(&key, k_field_type, -1, 1);
  bson_append_int32(&key, k_field_started_at, -1, -1);
  bson_append_document_end(&index, &key);
  bson_append_utf8(&index, "name", -1, k_state_index_name, -1);
  bson_append_document_end(&indexes, &index);
  bson_append_array_end(command.get(), &indexes);
  return command;
}

std::string bson_safe_text(std::string_view text) {
  if (bson_utf8_validate(text.data(), text.size(), false)) {
    return std::string(text);
  }
  std::string out(text);
  for (char& c : out) {
    if (c == '\0' || static_cast<unsigned char>(c) >= 0x80) {
      c = '?';
    }
  }
  return out;
}

// --- retrain records ---------------------------------------------------------------------------

Status validate(const RetrainRecord& record) {
  if (!is_key_text(record.id) || !is_key_text(record.specialist_type) ||
      !is_key_text(record.state)) {
    return Error::internal("retrain record needs a non-empty UTF-8 id, specialist_type and "
                           "state (id '" +
                           bson_safe_text(record.id) + "')");
  }
  return ok_status();
}

BsonPtr retrain_selector(const RetrainRecord& record) {
  BsonPtr selector = make_bson();
  append_text(selector.get(), "_id", record.id);
  return selector;
}

BsonPtr retrain_document(const RetrainRecord& record) {
  BsonPtr doc = make_bson();
  bson_t* d = doc.get();
  append_text(d, "_id", record.id);
  append_text(d, k_field_kind, k_kind_retrain);
  append_text(d, k_field_type, record.specialist_type);
  append_text(d, "trigger", bson_safe_text(record.trigger));
  append_text(d, "state", record.state);
  bson_append_date_time(d, k_field_started_at, -1, to_bson_date_ms(record.started_at));
  if (record.finished_at) {
    bson_append_date_time(d, "finished_at", -1, to_bson_date_ms(*record.finished_at));
  } else {
    bson_append_null(d, "finished_at", -1);
  }
  append_text(d, "run_id", bson_safe_text(record.run_id));
  append_text(d, "dataset_path", bson_safe_text(record.dataset_path));
  append_text(d, "error", bson_safe_text(record.error));
  append_optional_score(d, "baseline_f1", record.baseline_f1);
  append_optional_score(d, "candidate_f1", record.candidate_f1);
  append_text(d, "owner", bson_safe_text(record.owner));
  append_text(d, "host", bson_safe_text(record.host));
  bson_append_int64(d, "training_pid", -1, record.training_pid);
  append_text(d, "baseline_run_id", bson_safe_text(record.baseline_run_id));
  append_text(d, "baseline_version", bson_safe_text(record.baseline_version));
  append_optional_score(d, "baseline_precision", record.baseline_precision);
  append_optional_score(d, "baseline_recall", record.baseline_recall);
  append_text(d, "promoted_version", bson_safe_text(record.promoted_version));
  bson_append_bool(d, "notified", -1, record.notified);
  return doc;
}

BsonPtr last_retrain_filter(const std::string& specialist_type) {
  BsonPtr filter = make_bson();
  bson_t* f = filter.get();
  append_text(f, k_field_kind, k_kind_retrain);
  append_text(f, k_field_type, specialist_type);
  bson_t started;
  bson_append_document_begin(f, k_field_started_at, -1, &started);
  bson_append_utf8(&started, "$type", -1, "date", -1);
  bson_append_document_end(f, &started);

  bson_t any;
  bson_t trained;
  bson_t state;
  bson_t states;
  bson_append_array_begin(f, "$or", -1, &any);
  bson_append_document_begin(&any, "0", -1, &trained);
  bson_append_document_begin(&trained, "state", -1, &state);
  bson_append_array_begin(&state, "$in", -1, &states);
  for (std::size_t i = 0; i < k_trained_states.size(); ++i) {
    append_text(&states, std::to_string(i).c_str(), k_trained_states[i]);
  }
  bson_append_array_end(&state, &states);
  bson_append_document_end(&trained, &state);
  bson_append_document_end(&any, &trained);

  bson_t failed;
  bson_t run_id;
  bson_append_document_begin(&any, "1", -1, &failed);
  append_text(&failed, "state", k_failed_state);
  bson_append_document_begin(&failed, "run_id", -1, &run_id);
  bson_append_utf8(&run_id, "$type", -1, "string", -1);
  bson_append_utf8(&run_id, "$ne", -1, "", 0);
  bson_append_document_end(&failed, &run_id);
  bson_append_document_end(&any, &failed);
  bson_append_array_end(f, &any);
  return filter;
}

BsonPtr last_retrain_options() {
  BsonPtr opts = make_bson();
  bson_t projection;
  bson_t sort;
  bson_append_document_begin(opts.get(), "projection", -1, &projection);
  bson_append_int32(&projection, "_id", -1, 0);
  bson_append_int32(&projection, k_field_started_at, -1, 1);
  bson_append_document_end(opts.get(), &projection);
  bson_append_document_begin(opts.get(), "sort", -1, &sort);
  bson_append_int32(&sort, k_field_started_at, -1, -1);
  bson_append_document_end(opts.get(), &sort);
  bson_append_int64(opts.get(), "limit", -1, 1);
  return opts;
}

Result<std::optional<TimePoint>> last_retrain_from_reply(const std::vector<BsonPtr>& docs) {
  if (docs.empty()) {
    return std::optional<TimePoint>{};
  }
  if (docs.size() > 1) {
    return Error::bad_response("expected at most one retrain record, got " +
                               std::to_string(docs.size()));
  }
  bson_iter_t it;
  if (!bson_iter_init_find(&it, docs.front().get(), k_field_started_at) ||
      bson_iter_type(&it) != BSON_TYPE_DATE_TIME) {
    return Error::bad_response("retrain record without a date started_at: " +
                               json_excerpt(docs.front().get()));
  }
  return std::optional<TimePoint>{from_bson_date_ms(bson_iter_date_time(&it))};
}

// --- counters ----------------------------------------------------------------------------------

Status validate_counter(const std::string& specialist_type, const std::string& name,
                        const std::map<std::string, std::string>& labels, double delta) {
  if (!is_key_text(specialist_type)) {
    return Error::internal("counter without a valid specialist type");
  }
  if (!is_prometheus_name(name, true)) {
    return Error::internal("counter name '" + bson_safe_text(name) +
                           "' is not a Prometheus metric name");
  }
  for (const auto& [label, value] : labels) {
    if (!is_prometheus_name(label, false)) {
      return Error::internal("counter " + name + ": label '" + bson_safe_text(label) +
                             "' is not a Prometheus label name");
    }
    if (!bson_utf8_validate(value.data(), value.size(), false)) {
      return Error::internal("counter " + name + ": value of label '" + label +
                             "' is not UTF-8 text");
    }
  }
  if (!std::isfinite(delta) || delta < 0.0) {
    return Error::internal("counter " + name + ": increment " + std::to_string(delta) +
                           " is negative or not finite");
  }
  return ok_status();
}

std::string counter_id(const std::string& specialist_type, const std::string& name,
                       const std::map<std::string, std::string>& labels) {
  // The type ([a-z][a-z0-9_-]*, DESIGN §1), the name and the label names (Prometheus syntax,
  // validate_counter) hold none of the separators; only label values need escaping.
  std::string id = specialist_type + "|" + name + "|";
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) {
      id += ',';
    }
    first = false;
    id += label;
    id += '=';
    append_escaped(id, value);
  }
  return id;
}

BsonPtr counter_selector(const std::string& id) {
  BsonPtr selector = make_bson();
  append_text(selector.get(), "_id", id);
  return selector;
}

BsonPtr counter_update(const std::string& specialist_type, const std::string& name,
                       const std::map<std::string, std::string>& labels, double delta) {
  BsonPtr update = make_bson();
  bson_t inc;
  bson_append_document_begin(update.get(), "$inc", -1, &inc);
  bson_append_double(&inc, "value", -1, delta);
  bson_append_document_end(update.get(), &inc);

  bson_t on_insert;
  bson_t label_doc;
  bson_append_document_begin(update.get(), "$setOnInsert", -1, &on_insert);
  append_text(&on_insert, k_field_kind, k_kind_counter);
  append_text(&on_insert, k_field_type, specialist_type);
  append_text(&on_insert, "name", name);
  bson_append_document_begin(&on_insert, "labels", -1, &label_doc);
  for (const auto& [label, value] : labels) {
    append_text(&label_doc, label.c_str(), value);
  }
  bson_append_document_end(&on_insert, &label_doc);
  bson_append_document_end(update.get(), &on_insert);
  return update;
}

BsonPtr counters_filter(const std::string& specialist_type) {
  BsonPtr filter = make_bson();
  append_text(filter.get(), k_field_kind, k_kind_counter);
  append_text(filter.get(), k_field_type, specialist_type);
  return filter;
}

BsonPtr counters_options() {
  BsonPtr opts = make_bson();
  bson_t projection;
  bson_t sort;
  bson_append_document_begin(opts.get(), "projection", -1, &projection);
  bson_append_int32(&projection, "_id", -1, 1);
  bson_append_int32(&projection, "name", -1, 1);
  bson_append_int32(&projection, "labels", -1, 1);
  bson_append_int32(&projection, "value", -1, 1);
  bson_append_document_end(opts.get(), &projection);
  bson_append_document_begin(opts.get(), "sort", -1, &sort);
  bson_append_int32(&sort, "_id", -1, 1);
  bson_append_document_end(opts.get(), &sort);
  return opts;
}

Result<StateStore::Counter> counter_from_document(const bson_t* doc) {
  StateStore::Counter counter;
  bson_iter_t it;
  std::optional<std::string> name;
  if (bson_iter_init_find(&it, doc, "name")) {
    name = utf8_of(it);
  }
  if (!name) {
    return bad_counter(doc, "has no string 'name'");
  }
  counter.name = std::move(*name);

  bson_iter_t labels;
  if (!bson_iter_init_find(&it, doc, "labels") || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
      !bson_iter_recurse(&it, &labels)) {
    return bad_counter(doc, "has no 'labels' object");
  }
  while (bson_iter_next(&labels)) {
    std::optional<std::string> value = utf8_of(labels);
    if (!value) {
      return bad_counter(doc, "has a label whose value is not a string");
    }
    counter.labels.emplace(bson_iter_key(&labels), std::move(*value));
  }

  if (!bson_iter_init_find(&it, doc, "value")) {
    return bad_counter(doc, "has no 'value'");
  }
  switch (bson_iter_type(&it)) {
  case BSON_TYPE_DOUBLE:
    counter.value = bson_iter_double(&it);
    break;
  case BSON_TYPE_INT32:
    counter.value = bson_iter_int32(&it);
    break;
  case BSON_TYPE_INT64:
    counter.value = static_cast<double>(bson_iter_int64(&it));
    break;
  default:
    return bad_counter(doc, "has a 'value' that is not a number");
  }
  if (!std::isfinite(counter.value)) {
    return bad_counter(doc, "has a 'value' that is not finite");
  }
  return counter;
}

} // namespace mm::mongo
