#include "adapters/mongo/mongo_pool.hpp"

#include "adapters/mongo/mongo_error.hpp"
#include "adapters/mongo/mongo_handles.hpp"
#include "adapters/mongo/mongo_log_handler.hpp"
#include "core/redact.hpp"

#include <limits>

namespace mm {
namespace mongo {

// libmongoc must be initialised once before any other call and cleaned up once after the last
// handle is gone (libmongoc manual, "Initialization and cleanup"); it cannot be re-initialised.
// A function-local static makes the first initialisation thread-safe; every pool holds a share,
// so a pool that outlives the static at exit still delays mongoc_cleanup until it is destroyed.
class Library {
public:
  Library() noexcept {
    install_mongo_log_handler();
    mongoc_init();
  }
  ~Library() { mongoc_cleanup(); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  Library(Library&&) = delete;
  Library& operator=(Library&&) = delete;

  static std::shared_ptr<Library> instance() {
    static const std::shared_ptr<Library> s_library = std::make_shared<Library>();
    return s_library;
  }
};

void UriDeleter::operator()(mongoc_uri_t* uri) const noexcept {
  mongoc_uri_destroy(uri);
}

void ClientPoolDeleter::operator()(mongoc_client_pool_t* pool) const noexcept {
  mongoc_client_pool_destroy(pool);
}

void PushToPool::operator()(mongoc_client_t* client) const noexcept {
  mongoc_client_pool_push(pool, client);
}

} // namespace mongo

namespace {

using UriPtr = std::unique_ptr<mongoc_uri_t, mongo::UriDeleter>;
using ClientPoolPtr = std::unique_ptr<mongoc_client_pool_t, mongo::ClientPoolDeleter>;

Result<std::int32_t> to_timeout_ms(std::chrono::milliseconds value, std::string_view name) {
  // 0 means "no timeout" to libmongoc for some options; we never want that implicitly.
  if (value.count() <= 0 || value.count() > std::numeric_limits<std::int32_t>::max()) {
    return Error::config("MongoDB option " + std::string(name) + " must be between 1 and " +
                         std::to_string(std::numeric_limits<std::int32_t>::max()) + " ms, got " +
                         std::to_string(value.count()));
  }
  return static_cast<std::int32_t>(value.count());
}

// Sets an int32 URI option unless MONGODB_URI already sets it (the operator has the last word).
Status default_option(mongoc_uri_t* uri, const char* key, std::chrono::milliseconds value,
                      std::string_view name) {
  auto ms = to_timeout_ms(value, name);
  if (!ms) {
    return std::move(ms).error();
  }
  if (mongoc_uri_has_option(uri, key)) {
    return ok_status();
  }
  if (!mongoc_uri_set_option_as_int32(uri, key, *ms)) {
    return Error::internal("libmongoc refused option " + std::string(name));
  }
  return ok_status();
}

Status apply_options(mongoc_uri_t* uri, const MongoPoolOptions& options) {
  const struct {
    const char* key;
    std::chrono::milliseconds value;
    std::string_view name;
  } timeouts[] = {
      {MONGOC_URI_SERVERSELECTIONTIMEOUTMS, options.server_selection_timeout,
       "serverSelectionTimeoutMS"},
      {MONGOC_URI_CONNECTTIMEOUTMS, options.connect_timeout, "connectTimeoutMS"},
      {MONGOC_URI_SOCKETTIMEOUTMS, options.socket_timeout, "socketTimeoutMS"},
  };
  for (const auto& t : timeouts) {
    if (auto s = default_option(uri, t.key, t.value, t.name); !s) {
      return s;
    }
  }
  if (mongoc_uri_get_appname(uri) == nullptr && !options.app_name.empty() &&
      !mongoc_uri_set_appname(uri, options.app_name.c_str())) {
    // libmongoc limits appname to 128 bytes (MONGOC_HANDSHAKE_APPNAME_MAX).
    return Error::config("MongoDB appname '" + options.app_name +
                         "' is invalid (at most 128 bytes)");
  }
  return ok_status();
}

} // namespace

Result<std::unique_ptr<MongoPool>> MongoPool::create(std::string_view uri,
                                                     const MongoPoolOptions& options) {
  auto library = mongo::Library::instance();
  const std::string masked = mask_uri_credentials(uri);
  if (uri.empty()) {
    return Error::config("MONGODB_URI is empty; set it to a connection string such as "
                         "mongodb://user:password@host:27017/");
  }

  const std::string uri_string(uri); // the driver wants a NUL-terminated string
  bson_error_t error{};
  UriPtr parsed(mongoc_uri_new_with_error(uri_string.c_str(), &error));
  if (!parsed) {
    return Error::config("invalid MONGODB_URI '" + masked +
                         "': " + redact_uri_password(error.message, uri) +
                         " (expected mongodb://[user:password@]host[:port][/database][?options])");
  }
  if (auto s = apply_options(parsed.get(), options); !s) {
    return std::move(s).error();
  }

  ClientPoolPtr pool(mongoc_client_pool_new_with_error(parsed.get(), &error));
  if (!pool) {
    // e.g. TLS options the driver cannot honour: the URI, not the server, is at fault.
    return Error::config("MONGODB_URI '" + masked +
                         "' cannot be used: " + redact_uri_password(error.message, uri));
  }
  // Version 2 reports server errors in domain MONGOC_ERROR_SERVER with the server's own code,
  // which error_from_mongoc relies on (e.g. 50 MaxTimeMSExpired → timeout).
  if (!mongoc_client_pool_set_error_api(pool.get(), MONGOC_ERROR_API_VERSION_2)) {
    return Error::internal("libmongoc refused error API version 2");
  }
  if (options.max_pool_size && !mongoc_uri_has_option(parsed.get(), MONGOC_URI_MAXPOOLSIZE)) {
    if (*options.max_pool_size == 0) {
      return Error::config("MongoDB max_pool_size must be at least 1");
    }
    mongoc_client_pool_max_size(pool.get(), *options.max_pool_size);
  }

  // socketTimeoutMS=0 in the URI means "wait forever": then no read ever counts as timed out.
  const std::int32_t socket_ms = mongoc_uri_get_option_as_int32(
      parsed.get(), MONGOC_URI_SOCKETTIMEOUTMS, MONGOC_DEFAULT_SOCKETTIMEOUTMS);
  const auto socket_timeout =
      socket_ms > 0 ? std::chrono::milliseconds{socket_ms} : std::chrono::milliseconds::max();
  return std::make_unique<MongoPool>(Key{}, std::move(library), std::move(parsed), std::move(pool),
                                     masked, socket_timeout);
}

MongoPool::MongoPool(Key, std::shared_ptr<mongo::Library> library,
                     std::unique_ptr<mongoc_uri_t, mongo::UriDeleter> uri,
                     std::unique_ptr<mongoc_client_pool_t, mongo::ClientPoolDeleter> pool,
                     std::string masked_uri, std::chrono::milliseconds socket_timeout)
    : m_library(std::move(library)), m_uri(std::move(uri)), m_pool(std::move(pool)),
      m_masked_uri(std::move(masked_uri)), m_socket_timeout(socket_timeout) {}

MongoPool::~MongoPool() = default;

Result<PooledClient> MongoPool::acquire() {
  mongoc_client_t* client = mongoc_client_pool_pop(m_pool.get());
  if (client == nullptr) {
    // pop returns null only when waitQueueTimeoutMS (set in the URI) expires.
    return Error::timeout("no MongoDB client free in the pool for " + m_masked_uri +
                          " within waitQueueTimeoutMS; raise maxPoolSize or lower the concurrency");
  }
  return PooledClient(
      std::unique_ptr<mongoc_client_t, mongo::PushToPool>(client, mongo::PushToPool{m_pool.get()}));
}

Status MongoPool::ping() {
  auto client = acquire();
  if (!client) {
    return std::move(client).error();
  }
  mongo::BsonPtr command = mongo::make_bson();
  BSON_APPEND_INT32(command.get(), "ping", 1);
  mongo::ReplyBson reply;
  bson_error_t error{};
  const auto started = std::chrono::steady_clock::now();
  if (!mongoc_client_command_simple(client->get(), "admin", command.get(), nullptr, reply.get(),
                                    &error)) {
    const bool deadline_passed = std::chrono::steady_clock::now() - started >= m_socket_timeout;
    return mongo::error_from_mongoc(error, {"ping", m_masked_uri, deadline_passed});
  }
  return ok_status();
}

} // namespace mm
