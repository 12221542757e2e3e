#pragma once
// Where one request ends in a byte stream, and what to call it, for the fault proxy
// (fault_proxy.hpp): HTTP/1.1 requests (RFC 9112 §6: Content-Length or chunked bodies, enough for
// libcurl's and Python requests' requests) and MongoDB wire protocol messages (int32 length
// prefix; https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mm::test::wire {

struct Framed {
  std::size_t size = 0; // bytes of the request at the start of the buffer
  std::string label;    // "METHOD /target", or the MongoDB command ("find specialist_feedback")
};

// nullopt while the buffer does not hold a whole request yet; throws std::runtime_error (or
// std::invalid_argument from a number that is not one) when it is not the protocol expected.
std::optional<Framed> http_request(std::string_view buffer);
std::optional<Framed> mongo_message(std::string_view buffer);

// A complete HTTP/1.1 response with a JSON content type and a Content-Length.
std::string http_response(int status,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& body);

} // namespace mm::test::wire
