#pragma once
// Masking of credentials before anything is printed, logged or sent (DESIGN §2, §7).

#include <string>
#include <string_view>

namespace mm {

// "scheme://user:pass@host/..." → "scheme://***:***@host/..."; the values of query parameters
// whose name suggests a secret (token, key, password, secret, signature, ...) become "***".
// Works for http(s):// and mongodb(+srv):// URIs; anything else is returned unchanged.
std::string mask_uri_credentials(std::string_view uri);

// For a link a person will click (notifications): the URI without its userinfo at all
// ("scheme://host/..."; a "***:***@" would not open), secret query values masked as above.
std::string uri_without_credentials(std::string_view uri);

} // namespace mm
