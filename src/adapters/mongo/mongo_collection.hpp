#pragma once
// One collection on a client leased from the pool, and the reads every store of this module
// does on it (aggregate, find), with the error mapping and the context of messages in one
// place (DESIGN §7: what failed, where, credentials masked).
// Internal to mm_mongo and its tests (includes the driver's headers).

#include "adapters/mongo/mongo_handles.hpp"
#include "adapters/mongo/mongo_pool.hpp"
#include "core/result.hpp"

#include <chrono>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace mm::mongo {

// Use from one thread at a time (libmongoc's rule for a client and its collections).
struct LeasedCollection {
  // Declared before the collection, so destroyed after it: a collection handle must not
  // outlive its client (libmongoc manual, mongoc_client_get_collection).
  PooledClient client;
  CollectionPtr collection;
  std::string namespace_name; // "database.collection", for messages
  std::string masked_uri;
  std::chrono::milliseconds socket_timeout;
  std::chrono::milliseconds query_timeout; // maxTimeMS of every read
};

Result<LeasedCollection> lease_collection(MongoPool& pool, const std::string& database,
                                          const std::string& collection,
                                          std::chrono::milliseconds query_timeout);

// A driver error of `operation` (e.g. "aggregate (valid count, ...)") on `target`, classified
// by error_from_mongoc; `started` tells a socket timeout from a failed read.
Error driver_error(const bson_error_t& error, std::string_view operation,
                   const LeasedCollection& target, std::chrono::steady_clock::time_point started);

// Prefixes the message of an error found in a reply (e.g. a malformed count) with the
// operation, the namespace and the server.
Error in_context(Error error, std::string_view operation, const LeasedCollection& target);

inline constexpr std::size_t k_all_docs = std::numeric_limits<std::size_t>::max();

// Runs `pipeline` ({"pipeline": [...]}) with maxTimeMS = query_timeout and returns at most
// `max_docs` documents of the reply (owned copies).
Result<std::vector<BsonPtr>> aggregate(const LeasedCollection& target, const bson_t* pipeline,
                                       std::string_view operation,
                                       std::size_t max_docs = k_all_docs);

// find with `opts` (projection, sort, limit...) plus maxTimeMS = query_timeout; every document
// of the reply.
Result<std::vector<BsonPtr>> find(const LeasedCollection& target, const bson_t* filter,
                                  const bson_t* opts, std::string_view operation);

} // namespace mm::mongo
