#include "adapters/mongo/mongo_error.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace mm::mongo {
namespace {

bson_error_t make_error(std::uint32_t domain, std::uint32_t code, const char* message) {
  bson_error_t e{};
  e.domain = domain;
  e.code = code;
  std::strncpy(e.message, message, sizeof e.message - 1);
  return e;
}

constexpr std::string_view k_uri = "mongodb://***:***@db:27017/";

struct Case {
  std::uint32_t domain;
  std::uint32_t code;
  ErrorKind expected;
};

TEST(ErrorFromMongoc, ClassifiesByDomainAndCode) {
  const Case cases[] = {
      {MONGOC_ERROR_SERVER_SELECTION, MONGOC_ERROR_SERVER_SELECTION_FAILURE,
       ErrorKind::unavailable},
      {MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_CONNECT, ErrorKind::unavailable},
      {MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_NAME_RESOLUTION, ErrorKind::unavailable},
      {MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_SOCKET, ErrorKind::unavailable},
      {MONGOC_ERROR_CLIENT, MONGOC_ERROR_CLIENT_AUTHENTICATE, ErrorKind::config},
      {MONGOC_ERROR_SASL, 18, ErrorKind::config},
      {MONGOC_ERROR_SERVER, 18, ErrorKind::config},  // AuthenticationFailed
      {MONGOC_ERROR_SERVER, 13, ErrorKind::config},  // Unauthorized
      {MONGOC_ERROR_SERVER, 50, ErrorKind::timeout}, // MaxTimeMSExpired
      {MONGOC_ERROR_SERVER, 262, ErrorKind::timeout},
      {MONGOC_ERROR_SERVER, 91, ErrorKind::unavailable},    // ShutdownInProgress
      {MONGOC_ERROR_SERVER, 10107, ErrorKind::unavailable}, // NotWritablePrimary
      {MONGOC_ERROR_SERVER, 238, ErrorKind::bad_response},  // NotImplemented (FerretDB)
      {MONGOC_ERROR_SERVER, 2, ErrorKind::bad_response},    // BadValue
      {MONGOC_ERROR_QUERY, 50, ErrorKind::timeout},         // legacy error API
      {MONGOC_ERROR_PROTOCOL, MONGOC_ERROR_PROTOCOL_INVALID_REPLY, ErrorKind::bad_response},
      {MONGOC_ERROR_BSON, MONGOC_ERROR_BSON_INVALID, ErrorKind::bad_response},
      {MONGOC_ERROR_CURSOR, MONGOC_ERROR_CURSOR_INVALID_CURSOR, ErrorKind::bad_response},
      {MONGOC_ERROR_COMMAND, MONGOC_ERROR_COMMAND_INVALID_ARG, ErrorKind::internal},
  };
  for (const auto& c : cases) {
    const Error e = error_from_mongoc(make_error(c.domain, c.code, "boom"), {"ping", k_uri});
    EXPECT_EQ(e.kind, c.expected) << "domain " << c.domain << " code " << c.code << ": "
                                  << e.message;
  }
}

TEST(ErrorFromMongoc, SocketErrorAfterTheDeadlineIsATimeout) {
  const auto e = make_error(MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_SOCKET,
                            "Failed to read 4 bytes: socket error or timeout");
  EXPECT_EQ(error_from_mongoc(e, {"ping", k_uri, true}).kind, ErrorKind::timeout);
  EXPECT_EQ(error_from_mongoc(e, {"ping", k_uri, false}).kind, ErrorKind::unavailable);
}

TEST(ErrorFromMongoc, MessageSaysWhatWhereAndWhatToCheck) {
  const Error e = error_from_mongoc(make_error(MONGOC_ERROR_SERVER_SELECTION,
                                               MONGOC_ERROR_SERVER_SELECTION_FAILURE,
                                               "No suitable servers found"),
                                    {"ping", k_uri});
  EXPECT_NE(e.message.find("ping"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(k_uri), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("No suitable servers found"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("check MONGODB_URI / that MongoDB is running"), std::string::npos)
      << e.message;
}

} // namespace
} // namespace mm::mongo
