#include "adapters/mongo/mongo_uri.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace mm {
namespace {

constexpr std::string_view k_mask = "***";

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Option names that may carry a secret. The driver's own list (libmongoc mongoc-uri.h):
// tlsCertificateKeyFilePassword, sslClientCertificateKeyPassword, authMechanismProperties
// (AWS_SESSION_TOKEN:...); "secret" and "token" catch anything a proxy adds.
bool is_secret_option(std::string_view name) {
  const std::string lower = to_lower(name);
  constexpr std::array<std::string_view, 4> k_markers = {"password", "secret", "token",
                                                         "authmechanismproperties"};
  return std::any_of(k_markers.begin(), k_markers.end(), [&](std::string_view marker) {
    return lower.find(marker) != std::string::npos;
  });
}

// "a=1&tlsCertificateKeyFilePassword=x" → "a=1&tlsCertificateKeyFilePassword=***".
// MongoDB accepts both '&' and ';' as separators.
std::string mask_options(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = query.find_first_of("&;", pos);
    const std::size_t stop = end == std::string_view::npos ? query.size() : end;
    const std::string_view item = query.substr(pos, stop - pos);
    const std::size_t eq = item.find('=');
    if (eq != std::string_view::npos && is_secret_option(item.substr(0, eq))) {
      out.append(item.substr(0, eq + 1));
      out.append(k_mask);
    } else {
      out.append(item);
    }
    if (end == std::string_view::npos) {
      return out;
    }
    out.push_back(query[end]);
    pos = end + 1;
  }
}

// "scheme://" + body + optional "?" + options, where body = [userinfo "@"] hosts [/database].
struct UriParts {
  std::string_view scheme;   // up to and including "://"
  std::string_view userinfo; // before the last '@' of body; empty when there is none
  bool has_userinfo = false;
  std::string_view hosts_and_path; // from the '@' (included) or the start of body
  std::optional<std::string_view> options;
};

std::optional<UriParts> split(std::string_view uri) {
  const std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::nullopt;
  }
  UriParts parts;
  parts.scheme = uri.substr(0, scheme_end + 3);
  const std::string_view rest = uri.substr(scheme_end + 3);
  const std::size_t query_begin = rest.find('?');
  const std::string_view body = rest.substr(0, query_begin);
  if (query_begin != std::string_view::npos) {
    parts.options = rest.substr(query_begin + 1);
  }
  // The last '@' before the options ends the user info: a raw '@' or '/' in a password (invalid
  // but seen in practice) then stays inside the masked part instead of leaking.
  const std::size_t at = body.rfind('@');
  if (at == std::string_view::npos) {
    parts.hosts_and_path = body;
  } else {
    parts.has_userinfo = true;
    parts.userinfo = body.substr(0, at);
    parts.hosts_and_path = body.substr(at);
  }
  return parts;
}

// The password as written in the URI; empty when there is none (no ':' in the user info, as
// with X.509 or Kerberos user names).
std::string_view password_of(const UriParts& parts) {
  const std::size_t colon = parts.userinfo.find(':');
  return colon == std::string_view::npos ? std::string_view{} : parts.userinfo.substr(colon + 1);
}

} // namespace

std::string mask_mongo_uri(std::string_view uri) {
  const auto parts = split(uri);
  if (!parts) {
    return std::string(uri);
  }
  std::string out(parts->scheme);
  if (parts->has_userinfo) {
    const std::size_t colon = parts->userinfo.find(':');
    if (colon == std::string_view::npos) {
      out.append(parts->userinfo);
    } else {
      out.append(parts->userinfo.substr(0, colon + 1));
      out.append(k_mask);
    }
  }
  out.append(parts->hosts_and_path);
  if (parts->options) {
    out.push_back('?');
    out.append(mask_options(*parts->options));
  }
  return out;
}

std::string redact_uri_password(std::string_view text, std::string_view uri) {
  std::string out(text);
  const auto parts = split(uri);
  const std::string_view password = parts ? password_of(*parts) : std::string_view{};
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
