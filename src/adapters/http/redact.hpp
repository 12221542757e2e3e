#pragma once
// URLs fit to print: every error names the service it failed against, credentials masked
// (DESIGN §7; ccache redacts its remote storage URLs the same way before logging).

#include <string>
#include <string_view>

namespace mm {

// Masks the userinfo (`http://user:pass@host` → `http://***:***@host`, `http://user@host` →
// `http://***@host`) and the values of query parameters whose name looks like a secret (token,
// key, password, secret, sig, signature, credential, auth, ...). Works for http(s)://, mongodb://,
// mongodb+srv:// and any other `scheme://` URI, and for `user:pass@host` without a scheme.
// Everything else is returned unchanged.
std::string redact_url(std::string_view url);

// Whether a query parameter of that name carries a secret (case- and punctuation-insensitive:
// "api_key", "X-Amz-Signature", "access_token", "tlsCertificateKeyFilePassword",
// "authMechanismProperties" do; "authSource", "authMechanism", "name" do not).
bool is_secret_parameter(std::string_view name);

} // namespace mm
