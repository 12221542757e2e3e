#pragma once
// A pool of MongoDB connections (libmongoc's mongoc_client_pool_t) shared by every thread of a
// run: fleet runs check several specialists concurrently, each thread leases a client.

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// libmongoc's handle types, declared exactly as the driver declares them, so that users of this
// header need not see the driver's headers (mm_mongo links libmongoc privately).
typedef struct _mongoc_client_pool_t mongoc_client_pool_t; // NOLINT(modernize-use-using)
typedef struct _mongoc_client_t mongoc_client_t;           // NOLINT(modernize-use-using)
typedef struct _mongoc_uri_t mongoc_uri_t;                 // NOLINT(modernize-use-using)

namespace mm {

struct MongoPoolOptions {
  // Each default applies only when the URI does not set the option itself: the operator's
  // MONGODB_URI has the last word. libmongoc's own defaults (30 s selection, 10 s connect,
  // 5 min socket) would stall a CronJob for minutes when MongoDB is down.
  std::chrono::milliseconds server_selection_timeout{5000}; // serverSelectionTimeoutMS
  std::chrono::milliseconds connect_timeout{3000};          // connectTimeoutMS
  std::chrono::milliseconds socket_timeout{60000};          // socketTimeoutMS
  // maxPoolSize: the most clients leased at once; acquire() waits beyond that. Unset keeps
  // libmongoc's default (100). Fleet runs set it to their concurrency.
  std::optional<std::uint32_t> max_pool_size;
  // appname, shown in the server's logs and currentOp (unless the URI sets one).
  std::string app_name = "model-monitor";
};

namespace mongo {
struct UriDeleter {
  void operator()(mongoc_uri_t* uri) const noexcept;
};
struct ClientPoolDeleter {
  void operator()(mongoc_client_pool_t* pool) const noexcept;
};
// Returns a leased client to its pool.
struct PushToPool {
  mongoc_client_pool_t* pool = nullptr;
  void operator()(mongoc_client_t* client) const noexcept;
};
class Library; // mongoc_init/mongoc_cleanup, once per process
} // namespace mongo

// A client leased from a MongoPool, returned on destruction. Use it from one thread at a time
// (libmongoc's rule for a mongoc_client_t). The pool must outlive the lease.
class PooledClient {
public:
  mongoc_client_t* get() const noexcept { return m_client.get(); }

private:
  friend class MongoPool;
  explicit PooledClient(std::unique_ptr<mongoc_client_t, mongo::PushToPool> client)
      : m_client(std::move(client)) {}

  std::unique_ptr<mongoc_client_t, mongo::PushToPool> m_client;
};

// Thread-safe: acquire() and ping() may be called from any number of threads at once.
class MongoPool {
  struct Key {}; // only create() constructs (no new/delete: STYLE.md), yet make_unique works

public:
  // Parses and validates `uri` (MONGODB_URI) without connecting. An invalid URI is a config
  // error naming MONGODB_URI, with credentials masked.
  static Result<std::unique_ptr<MongoPool>> create(std::string_view uri,
                                                   const MongoPoolOptions& options = {});

  MongoPool(Key, std::shared_ptr<mongo::Library> library,
            std::unique_ptr<mongoc_uri_t, mongo::UriDeleter> uri,
            std::unique_ptr<mongoc_client_pool_t, mongo::ClientPoolDeleter> pool,
            std::string masked_uri, std::chrono::milliseconds socket_timeout);
  ~MongoPool();
  MongoPool(const MongoPool&) = delete;
  MongoPool& operator=(const MongoPool&) = delete;
  MongoPool(MongoPool&&) = delete;
  MongoPool& operator=(MongoPool&&) = delete;

  // Leases a client, waiting while max_pool_size clients are out. Fails (timeout) only when the
  // URI sets waitQueueTimeoutMS and it expires.
  Result<PooledClient> acquire();

  // Round trip to the server ({ping: 1} on admin): unavailable when it cannot be reached within
  // serverSelectionTimeoutMS, config when the credentials are refused.
  Status ping();

  // The URI with credentials masked, for messages.
  const std::string& masked_uri() const noexcept { return m_masked_uri; }
  // The effective socketTimeoutMS, to tell a timed-out read from a failed one.
  std::chrono::milliseconds socket_timeout() const noexcept { return m_socket_timeout; }

private:
  // Declared first, destroyed last: mongoc_cleanup only after the pool and URI are gone.
  std::shared_ptr<mongo::Library> m_library;
  std::unique_ptr<mongoc_uri_t, mongo::UriDeleter> m_uri;
  std::unique_ptr<mongoc_client_pool_t, mongo::ClientPoolDeleter> m_pool;
  std::string m_masked_uri;
  std::chrono::milliseconds m_socket_timeout;
};

} // namespace mm
