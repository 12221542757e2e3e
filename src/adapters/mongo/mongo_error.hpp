#pragma once
// libmongoc errors → mm::Error (DESIGN §7: what failed, where, what to check).
// Internal to mm_mongo and its tests (includes the driver's headers).

#include "core/result.hpp"

#include <mongoc/mongoc.h>

#include <string_view>

namespace mm::mongo {

// What was being done, against which server, for the message.
struct ErrorContext {
  std::string_view operation;  // e.g. "ping", "feedback_stats aggregate (positive count)"
  std::string_view masked_uri; // already passed through mask_uri_credentials
  // The socket timeout had elapsed when the error came: libmongoc reports a read that timed out
  // and one that failed the same way ("socket error or timeout"), so the caller's clock decides.
  bool socket_deadline_passed = false;
};

// Classifies an error reported with error API version 2 (server errors in domain
// MONGOC_ERROR_SERVER with the server's own code; the legacy MONGOC_ERROR_QUERY domain is
// accepted too):
//   server selection, connect, name resolution, TLS, node shutting down/stepping down → unavailable
//   MaxTimeMSExpired (50), ExceededTimeLimit (262), NetworkTimeout (89), socket timeout → timeout
//   authentication (client, SASL, SCRAM, server 18/13) → config (the credentials in MONGODB_URI)
//   malformed reply, protocol, BSON, cursor, other server command errors → bad_response
//   invalid arguments we built → internal
Error error_from_mongoc(const bson_error_t& error, const ErrorContext& context);

} // namespace mm::mongo
