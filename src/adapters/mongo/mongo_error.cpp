#include "adapters/mongo/mongo_error.hpp"

#include <string>

namespace mm::mongo {
namespace {

constexpr std::string_view k_check_server = "check MONGODB_URI / that MongoDB is running";
constexpr std::string_view k_check_credentials =
    "check the user, password and authSource in MONGODB_URI";

// Server error codes (https://www.mongodb.com/docs/manual/reference/error-codes/).
constexpr std::uint32_t k_code_unauthorized = 13;
constexpr std::uint32_t k_code_authentication_failed = 18;
constexpr std::uint32_t k_code_host_unreachable = 6;
constexpr std::uint32_t k_code_host_not_found = 7;
constexpr std::uint32_t k_code_max_time_ms_expired = 50;
constexpr std::uint32_t k_code_network_timeout = 89;
constexpr std::uint32_t k_code_shutdown_in_progress = 91;
constexpr std::uint32_t k_code_primary_stepped_down = 189;
constexpr std::uint32_t k_code_exceeded_time_limit = 262;
constexpr std::uint32_t k_code_socket_exception = 9001;
constexpr std::uint32_t k_code_not_writable_primary = 10107;
constexpr std::uint32_t k_code_not_primary_no_secondary_ok = 13435;
constexpr std::uint32_t k_code_not_primary_or_secondary = 13436;
constexpr std::uint32_t k_code_interrupted_at_shutdown = 11600;
constexpr std::uint32_t k_code_interrupted_repl_change = 11602;

Error make(ErrorKind kind, const bson_error_t& error, const ErrorContext& context,
           std::string_view hint) {
  // mm_core does not give us fmt (STYLE.md: adapters link core plus their client library).
  std::string message = "MongoDB ";
  message.append(context.operation).append(" at ").append(context.masked_uri);
  message.append(" failed: ").append(error.message);
  message.append(" (libmongoc domain ").append(std::to_string(error.domain));
  message.append(", code ").append(std::to_string(error.code)).append(")");
  if (!hint.empty()) {
    message.append("; ").append(hint);
  }
  return Error{kind, std::move(message)};
}

Error from_server_code(const bson_error_t& error, const ErrorContext& context) {
  switch (error.code) {
  case k_code_max_time_ms_expired:
  case k_code_exceeded_time_limit:
  case k_code_network_timeout:
    return make(ErrorKind::timeout, error, context,
                "the server did not finish in time; check its load and the index "
                "{specialist_type: 1, submitted_at: -1}, or allow each read more time with "
                "MONGODB_QUERY_TIMEOUT (seconds)");
  case k_code_unauthorized:
  case k_code_authentication_failed:
    return make(ErrorKind::config, error, context, k_check_credentials);
  case k_code_host_unreachable:
  case k_code_host_not_found:
  case k_code_shutdown_in_progress:
  case k_code_primary_stepped_down:
  case k_code_socket_exception:
  case k_code_not_writable_primary:
  case k_code_not_primary_no_secondary_ok:
  case k_code_not_primary_or_secondary:
  case k_code_interrupted_at_shutdown:
  case k_code_interrupted_repl_change:
    return make(ErrorKind::unavailable, error, context, k_check_server);
  default:
    // The server understood the connection but refused or failed our command (e.g. an
    // operator it does not implement): its answer is not one we can use.
    return make(ErrorKind::bad_response, error, context, "");
  }
}

Error from_stream(const bson_error_t& error, const ErrorContext& context) {
  if (error.code == MONGOC_ERROR_STREAM_SOCKET && context.socket_deadline_passed) {
    return make(ErrorKind::timeout, error, context,
                "no answer within socketTimeoutMS; check the server's load");
  }
  return make(ErrorKind::unavailable, error, context, k_check_server);
}

} // namespace

Error error_from_mongoc(const bson_error_t& error, const ErrorContext& context) {
  switch (error.domain) {
  case MONGOC_ERROR_SERVER_SELECTION:
    return make(ErrorKind::unavailable, error, context, k_check_server);
  case MONGOC_ERROR_STREAM:
    return from_stream(error, context);
  case MONGOC_ERROR_CLIENT:
    if (error.code == MONGOC_ERROR_CLIENT_AUTHENTICATE) {
      return make(ErrorKind::config, error, context, k_check_credentials);
    }
    return make(ErrorKind::unavailable, error, context, k_check_server);
  case MONGOC_ERROR_SASL:
  case MONGOC_ERROR_SCRAM:
    return make(ErrorKind::config, error, context, k_check_credentials);
  case MONGOC_ERROR_SERVER:
  case MONGOC_ERROR_QUERY:
  case MONGOC_ERROR_WRITE_CONCERN:
    return from_server_code(error, context);
  case MONGOC_ERROR_PROTOCOL:
  case MONGOC_ERROR_BSON:
  case MONGOC_ERROR_CURSOR:
    return make(ErrorKind::bad_response, error, context, "");
  case MONGOC_ERROR_COMMAND:
  case MONGOC_ERROR_NAMESPACE:
  case MONGOC_ERROR_MATCHER:
    return make(ErrorKind::internal, error, context, "");
  default:
    return make(ErrorKind::unavailable, error, context, k_check_server);
  }
}

} // namespace mm::mongo
