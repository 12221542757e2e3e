#pragma once
// Masking of MongoDB connection strings before they appear in any message or log (DESIGN §7).
// Pure string work, no driver: an invalid URI must be masked too, since that is exactly when
// it gets printed.

#include <string>
#include <string_view>

namespace mm {

// "mongodb://user:pass@host/db?authSource=admin" → "mongodb://user:***@host/db?authSource=admin".
// Also masks the values of URI options that can carry secrets (any option whose name contains
// "password", "secret" or "token", and authMechanismProperties, which holds AWS session tokens).
// Works for mongodb:// and mongodb+srv://; a string without "://" is returned unchanged.
// Errs on the side of masking: a malformed authority with a raw '@' in the password is still
// masked up to the last '@'.
std::string mask_mongo_uri(std::string_view uri);

// `text` with every occurrence of the password of `uri` replaced by "***": for messages of the
// driver, which may quote parts of the URI it could not parse.
std::string redact_uri_password(std::string_view text, std::string_view uri);

} // namespace mm
