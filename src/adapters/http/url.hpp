#pragma once
// Building URLs from parts: percent-encoding of query values (RFC 3986 §2.1, §2.3).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mm {

// Every byte but the unreserved ones (ALPHA / DIGIT / "-" / "." / "_" / "~") becomes %XX.
std::string percent_encode(std::string_view text);

// "name=value&..." with both sides percent-encoded, in the order given.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

// base without trailing '/' + path (which starts with '/'): "http://h:5000/" + "/api/x".
std::string join_url(std::string_view base, std::string_view path);

} // namespace mm
