#include "adapters/mongo/mongo_state_store.hpp"

#include "adapters/mongo/mongo_collection.hpp"
#include "adapters/mongo/mongo_handles.hpp"
#include "adapters/mongo/state_documents.hpp"

namespace mm {
namespace {

using mongo::BsonPtr;

constexpr std::uint32_t k_code_duplicate_key = 11000;

BsonPtr upsert_options() {
  BsonPtr opts = mongo::make_bson();
  bson_append_bool(opts.get(), "upsert", -1, true);
  return opts;
}

bool is_duplicate_key(const bson_error_t& error) {
  return error.code == k_code_duplicate_key &&
         (error.domain == MONGOC_ERROR_SERVER || error.domain == MONGOC_ERROR_COLLECTION ||
          error.domain == MONGOC_ERROR_QUERY);
}

} // namespace

MongoStateStore::MongoStateStore(MongoPool& pool, std::string database, std::string collection,
                                 std::chrono::milliseconds query_timeout)
    : m_pool(pool), m_database(std::move(database)), m_collection(std::move(collection)),
      m_query_timeout(query_timeout) {}

Status MongoStateStore::ensure_indexes() {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const BsonPtr command = mongo::state_indexes_command(m_collection);
  mongo::ReplyBson reply;
  bson_error_t error{};
  const auto started = std::chrono::steady_clock::now();
  if (!mongoc_collection_write_command_with_opts(target->collection.get(), command.get(), nullptr,
                                                 reply.get(), &error)) {
    return mongo::driver_error(error, std::string("createIndexes ") + mongo::k_state_index_name,
                               *target, started);
  }
  return ok_status();
}

Status MongoStateStore::ensure_indexes_once() {
  // Once per store, not per write; a failure leaves the flag unset so the next write retries.
  const std::lock_guard<std::mutex> lock(m_index_mutex);
  if (m_indexes_ready) {
    return ok_status();
  }
  Status created = ensure_indexes();
  if (created) {
    m_indexes_ready = true;
  }
  return created;
}

Result<std::optional<TimePoint>> MongoStateStore::last_retrain(const std::string& specialist_type) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const std::string operation = "find (last retrain, specialist_type '" + specialist_type + "')";
  const BsonPtr filter = mongo::last_retrain_filter(specialist_type);
  const BsonPtr opts = mongo::last_retrain_options();
  auto docs = mongo::find(*target, filter.get(), opts.get(), operation);
  if (!docs) {
    return std::move(docs).error();
  }
  auto last = mongo::last_retrain_from_reply(*docs);
  if (!last) {
    return mongo::in_context(std::move(last).error(), operation, *target);
  }
  return last;
}

Status MongoStateStore::save_retrain(const RetrainRecord& record) {
  if (auto valid = mongo::validate(record); !valid) {
    return valid;
  }
  if (auto indexed = ensure_indexes_once(); !indexed) {
    return indexed;
  }
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const BsonPtr selector = mongo::retrain_selector(record);
  const BsonPtr document = mongo::retrain_document(record);
  const BsonPtr opts = upsert_options();
  mongo::ReplyBson reply;
  bson_error_t error{};
  const auto started = std::chrono::steady_clock::now();
  if (!mongoc_collection_replace_one(target->collection.get(), selector.get(), document.get(),
                                     opts.get(), reply.get(), &error)) {
    return mongo::driver_error(error, "replace (retrain record '" + record.id + "')", *target,
                               started);
  }
  return ok_status();
}

Status MongoStateStore::increment_counter(const std::string& specialist_type,
                                          const std::string& name,
                                          const std::map<std::string, std::string>& labels,
                                          double delta) {
  if (auto valid = mongo::validate_counter(specialist_type, name, labels, delta); !valid) {
    return valid;
  }
  if (auto indexed = ensure_indexes_once(); !indexed) {
    return indexed;
  }
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const std::string id = mongo::counter_id(specialist_type, name, labels);
  const BsonPtr selector = mongo::counter_selector(id);
  const BsonPtr update = mongo::counter_update(specialist_type, name, labels, delta);
  const BsonPtr opts = upsert_options();
  const std::string operation = "update (counter '" + id + "')";

  const std::lock_guard<std::mutex> lock(m_increment_mutex); // see the header
  bson_error_t error{};
  auto started = std::chrono::steady_clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    mongo::ReplyBson reply;
    started = std::chrono::steady_clock::now();
    if (mongoc_collection_update_one(target->collection.get(), selector.get(), update.get(),
                                     opts.get(), reply.get(), &error)) {
      return ok_status();
    }
    // Another writer inserted the counter between our lookup and our insert: it exists now,
    // so the same upsert becomes a plain $inc. (MongoDB retries this itself since 4.2.)
    if (!is_duplicate_key(error)) {
      break;
    }
  }
  return mongo::driver_error(error, operation, *target, started);
}

Result<std::vector<StateStore::Counter>>
MongoStateStore::counters(const std::string& specialist_type) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const std::string operation = "find (counters, specialist_type '" + specialist_type + "')";
  const BsonPtr filter = mongo::counters_filter(specialist_type);
  const BsonPtr opts = mongo::counters_options();
  auto docs = mongo::find(*target, filter.get(), opts.get(), operation);
  if (!docs) {
    return std::move(docs).error();
  }
  std::vector<Counter> out;
  out.reserve(docs->size());
  for (const auto& doc : *docs) {
    auto counter = mongo::counter_from_document(doc.get());
    if (!counter) {
      return mongo::in_context(std::move(counter).error(), operation, *target);
    }
    out.push_back(std::move(counter).value());
  }
  return out;
}

Result<std::map<std::string, double>> MongoStateStore::counter_by_type(const std::string& name) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const std::string operation = "find (counter '" + name + "' of every specialist)";
  BsonPtr filter = mongo::make_bson();
  BSON_APPEND_UTF8(filter.get(), "kind", mongo::k_kind_counter);
  BSON_APPEND_UTF8(filter.get(), "name", name.c_str());
  BsonPtr opts = mongo::make_bson();
  bson_t projection;
  bson_append_document_begin(opts.get(), "projection", -1, &projection);
  bson_append_int32(&projection, "specialist_type", -1, 1);
  bson_append_int32(&projection, "value", -1, 1);
  bson_append_document_end(opts.get(), &projection);
  auto docs = mongo::find(*target, filter.get(), opts.get(), operation);
  if (!docs) {
    return std::move(docs).error();
  }
  std::map<std::string, double> out;
  for (const auto& doc : *docs) {
    bson_iter_t it;
    std::string type;
    double value = 0.0;
    if (bson_iter_init_find(&it, doc.get(), "specialist_type") && BSON_ITER_HOLDS_UTF8(&it)) {
      type = bson_iter_utf8(&it, nullptr);
    }
    if (bson_iter_init_find(&it, doc.get(), "value") && BSON_ITER_HOLDS_NUMBER(&it)) {
      value = bson_iter_as_double(&it);
    }
    if (!type.empty()) {
      out[type] += value;
    }
  }
  return out;
}

} // namespace mm
