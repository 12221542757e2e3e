#include "adapters/mongo/mongo_collection.hpp"

#include "adapters/mongo/mongo_error.hpp"

namespace mm::mongo {
namespace {

Result<std::vector<BsonPtr>> drain(const LeasedCollection& target, mongoc_cursor_t* cursor,
                                   std::string_view operation, std::size_t max_docs,
                                   std::chrono::steady_clock::time_point started) {
  std::vector<BsonPtr> docs;
  const bson_t* doc = nullptr;
  while (docs.size() < max_docs && mongoc_cursor_next(cursor, &doc)) {
    docs.push_back(copy_bson(doc)); // the driver's document is valid only until the next call
  }
  bson_error_t error{};
  if (mongoc_cursor_error(cursor, &error)) {
    return driver_error(error, operation, target, started);
  }
  return docs;
}

BsonPtr with_time_limit(const bson_t* opts, std::chrono::milliseconds limit) {
  BsonPtr out = opts != nullptr ? copy_bson(opts) : make_bson();
  bson_append_int64(out.get(), "maxTimeMS", -1, limit.count());
  return out;
}

} // namespace

Result<LeasedCollection> lease_collection(MongoPool& pool, const std::string& database,
                                          const std::string& collection,
                                          std::chrono::milliseconds query_timeout) {
  auto client = pool.acquire();
  if (!client) {
    return std::move(client).error();
  }
  CollectionPtr handle(
      mongoc_client_get_collection(client->get(), database.c_str(), collection.c_str()));
  return LeasedCollection{std::move(client).value(),   std::move(handle),
                          database + "." + collection, pool.masked_uri(),
                          pool.socket_timeout(),       query_timeout};
}

Error driver_error(const bson_error_t& error, std::string_view operation,
                   const LeasedCollection& target, std::chrono::steady_clock::time_point started) {
  const std::string full = std::string(operation) + " on " + target.namespace_name;
  const bool deadline_passed = std::chrono::steady_clock::now() - started >= target.socket_timeout;
  return error_from_mongoc(error, {full, target.masked_uri, deadline_passed});
}

Error in_context(Error error, std::string_view operation, const LeasedCollection& target) {
  error.message = "MongoDB " + std::string(operation) + " on " + target.namespace_name + " at " +
                  target.masked_uri + ": " + error.message;
  return error;
}

Result<std::vector<BsonPtr>> aggregate(const LeasedCollection& target, const bson_t* pipeline,
                                       std::string_view operation, std::size_t max_docs) {
  const BsonPtr opts = with_time_limit(nullptr, target.query_timeout);
  const auto started = std::chrono::steady_clock::now();
  CursorPtr cursor(mongoc_collection_aggregate(target.collection.get(), MONGOC_QUERY_NONE, pipeline,
                                               opts.get(), nullptr));
  return drain(target, cursor.get(), operation, max_docs, started);
}

Result<std::vector<BsonPtr>> find(const LeasedCollection& target, const bson_t* filter,
                                  const bson_t* opts, std::string_view operation) {
  const BsonPtr full_opts = with_time_limit(opts, target.query_timeout);
  const auto started = std::chrono::steady_clock::now();
  CursorPtr cursor(
      mongoc_collection_find_with_opts(target.collection.get(), filter, full_opts.get(), nullptr));
  return drain(target, cursor.get(), operation, k_all_docs, started);
}

} // namespace mm::mongo
