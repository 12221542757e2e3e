#include "core/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace mm {

namespace {

constexpr std::string_view k_mask = "***";

// Lower-case letters and digits only, so "X-Amz-Signature", "api_key" and "apiKey" compare alike.
std::string normalise(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      out.push_back(static_cast<char>(std::tolower(u)));
    }
  }
  return out;
}

// A URI cut where its credentials may be: [scheme "://"] authority rest, with the userinfo the
// part of the authority before its last '@'.
struct UriParts {
  std::string_view prefix;   // the scheme and "://", or nothing
  std::string_view userinfo; // meaningful when has_userinfo
  bool has_userinfo = false;
  std::string_view host_part; // the authority after the '@' (from the '@' on), or all of it
  std::string_view rest;      // path, query, fragment
};

UriParts split(std::string_view uri) {
  UriParts parts;
  const auto scheme_sep = uri.find("://");
  const std::size_t authority_begin = scheme_sep == std::string_view::npos ? 0 : scheme_sep + 3;
  parts.prefix = uri.substr(0, authority_begin);
  const bool mongodb = parts.prefix == "mongodb://" || parts.prefix == "mongodb+srv://";
  auto authority_end = uri.find_first_of(mongodb ? "?#" : "/?#", authority_begin);
  if (authority_end == std::string_view::npos) {
    authority_end = uri.size();
  }
  std::string_view authority = uri.substr(authority_begin, authority_end - authority_begin);
  parts.rest = uri.substr(authority_end);
  const auto at = authority.rfind('@'); // a password may hold an unencoded '@'; a host cannot
  if (mongodb) {
    // The authority ran to the options, to catch a '/' in a password: the database name after
    // the hosts' '/' belongs to the rest again.
    const auto slash = authority.find('/', at == std::string_view::npos ? 0 : at);
    if (slash != std::string_view::npos) {
      parts.rest = uri.substr(authority_begin + slash);
      authority = authority.substr(0, slash);
    }
  }
  if (at == std::string_view::npos) {
    parts.host_part = authority;
  } else {
    parts.has_userinfo = true;
    parts.userinfo = authority.substr(0, at);
    parts.host_part = authority.substr(at);
  }
  return parts;
}

// "a=1&token=t;b=2" → "a=1&token=***;b=2": a secret parameter's non-empty value is masked.
std::string mask_query(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  std::size_t pos = 0;
  while (true) {
    const auto sep = query.find_first_of("&;", pos);
    const auto end = sep == std::string_view::npos ? query.size() : sep;
    const std::string_view pair = query.substr(pos, end - pos);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && eq + 1 < pair.size() &&
        is_secret_parameter(pair.substr(0, eq))) {
      out += pair.substr(0, eq + 1);
      out += k_mask;
    } else {
      out += pair;
    }
    if (sep == std::string_view::npos) {
      return out;
    }
    out += query[sep];
    pos = sep + 1;
  }
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

} // namespace

bool is_secret_parameter(std::string_view name) {
  const std::string n = normalise(name);
  // Substrings that name a secret wherever they appear (access_token, X-Amz-Security-Token,
  // client_secret, X-Amz-Credential, tlsCertificateKeyFilePassword, sharedaccesssignature...).
  static constexpr std::array<std::string_view, 7> k_contains = {
      "token", "password", "passwd", "pwd", "secret", "signature", "credential"};
  if (std::any_of(k_contains.begin(), k_contains.end(),
                  [&](std::string_view word) { return n.find(word) != std::string::npos; })) {
    return true;
  }
  // api_key, x-api-key, sharedKey, sig, x-goog-sig...; also the MongoDB option whose value may
  // carry AWS_SESSION_TOKEN. authSource/authMechanism only name a database or an algorithm.
  return ends_with(n, "key") || ends_with(n, "sig") || n == "auth" || n == "pass" ||
         n == "authorization" || n == "authmechanismproperties";
}

std::string mask_uri_credentials(std::string_view uri) {
  const UriParts parts = split(uri);
  std::string out(parts.prefix);
  if (parts.has_userinfo) {
    out += k_mask;
    if (parts.userinfo.find(':') != std::string_view::npos) {
      out += ':';
      out += k_mask;
    }
  }
  out += parts.host_part;
  const auto q = parts.rest.find('?');
  if (q == std::string_view::npos) {
    out += parts.rest;
    return out;
  }
  const auto hash = parts.rest.find('#', q);
  const auto query_end = hash == std::string_view::npos ? parts.rest.size() : hash;
  out += parts.rest.substr(0, q + 1);
  out += mask_query(parts.rest.substr(q + 1, query_end - q - 1));
  out += parts.rest.substr(query_end);
  return out;
}

std::string uri_without_credentials(std::string_view uri) {
  std::string masked = mask_uri_credentials(uri);
  const size_t scheme_end = masked.find("://");
  if (scheme_end == std::string::npos) {
    return masked;
  }
  const size_t auth_start = scheme_end + 3;
  for (const std::string_view userinfo : {"***:***@", "***@"}) {
    if (masked.compare(auth_start, userinfo.size(), userinfo) == 0) {
      masked.erase(auth_start, userinfo.size());
      break;
    }
  }
  return masked;
}

std::string redact_uri_password(std::string_view text, std::string_view uri) {
  std::string out(text);
  const UriParts parts = split(uri);
  const auto colon = parts.userinfo.find(':');
  if (!parts.has_userinfo || colon == std::string_view::npos) {
    return out; // no password (an X.509 or Kerberos user name alone)
  }
  const std::string_view password = parts.userinfo.substr(colon + 1);
  if (password.empty()) {
    return out;
  }
  std::size_t pos = 0;
  while ((pos = out.find(password, pos)) != std::string::npos) {
    out.replace(pos, password.size(), k_mask);
    pos += k_mask.size();
  }
  return out;
}

} // namespace mm
