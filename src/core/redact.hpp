#pragma once
// Masking of credentials before anything is printed, logged or sent (DESIGN §2, §7): the one
// masker of every URI we show, whether MLflow's, the Pushgateway's, an LLM's, Slack's or
// MongoDB's, in --print-config, logs and error messages alike.

#include <string>
#include <string_view>

namespace mm {

// The userinfo and the values of secret query parameters masked:
//   "http://user:pass@host/x?token=t"  → "http://***:***@host/x?token=***"
//   "http://user@host/"                → "http://***@host/" (a user name may be a token)
//   "mongodb://u:p@h1,h2/db?replicaSet=rs0;authMechanismProperties=AWS_SESSION_TOKEN:x"
//                                      → "mongodb://***:***@h1,h2/db?replicaSet=rs0;
//                                          authMechanismProperties=***"
//   "user:pass@host:27017/db"          → "***:***@host:27017/db" (no scheme)
// Query parameters are separated by '&' or ';' (MongoDB accepts both); a parameter is secret as
// is_secret_parameter says. Errs on the side of masking: the userinfo ends at the *last* '@' of
// the authority, so an unencoded '@' in a password stays masked; in a mongodb:// or
// mongodb+srv:// URI, whose path is only a database name, the authority runs to the options,
// so an unencoded '/' in a password does too. In other URIs an '@' in the path
// ("/@scope/pkg") is not userinfo. Text without userinfo or query is returned unchanged.
std::string mask_uri_credentials(std::string_view uri);

// For a link a person will click (notifications): the URI without its userinfo at all
// ("scheme://host/..."; a "***:***@" would not open), secret query values masked as above.
std::string uri_without_credentials(std::string_view uri);

// `text` with every occurrence of the password of `uri` replaced by "***": for messages of a
// client library (libmongoc) that may quote parts of a URI it could not parse.
std::string redact_uri_password(std::string_view text, std::string_view uri);

// Whether a query parameter of that name carries a secret (case- and punctuation-insensitive:
// "api_key", "X-Amz-Signature", "access_token", "tlsCertificateKeyFilePassword",
// "authMechanismProperties" do; "authSource", "authMechanism", "name" do not).
bool is_secret_parameter(std::string_view name);

} // namespace mm
