#include "core/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace mm {

namespace {

bool looks_secret(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  constexpr std::array<std::string_view, 9> k_markers = {
      "token", "key", "password", "passwd", "secret", "sig", "auth", "credential", "pwd"};
  return std::any_of(k_markers.begin(), k_markers.end(),
                     [&](std::string_view m) { return lower.find(m) != std::string::npos; });
}

std::string mask_query(std::string_view query) {
  std::string out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) {
      amp = query.size();
    }
    std::string_view pair = query.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && looks_secret(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq)).append("=***");
    } else {
      out.append(pair);
    }
    if (amp < query.size()) {
      out.push_back('&');
    }
    pos = amp + 1;
  }
  return out;
}

} // namespace

std::string mask_uri_credentials(std::string_view uri) {
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(uri);
  }
  const size_t auth_start = scheme_end + 3;
  // The authority ends at the first '/', '?' or '#'; userinfo is before its last '@'.
  size_t auth_end = uri.find_first_of("/?#", auth_start);
  if (auth_end == std::string_view::npos) {
    auth_end = uri.size();
  }
  std::string out(uri.substr(0, auth_start));
  std::string_view authority = uri.substr(auth_start, auth_end - auth_start);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    out += userinfo.find(':') != std::string_view::npos ? "***:***" : "***";
    out += authority.substr(at);
  } else {
    out += authority;
  }
  std::string_view rest = uri.substr(auth_end);
  const size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    out += rest;
    return out;
  }
  out += rest.substr(0, q + 1);
  std::string_view query = rest.substr(q + 1);
  const size_t hash = query.find('#');
  out += mask_query(query.substr(0, hash));
  if (hash != std::string_view::npos) {
    out += query.substr(hash);
  }
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

} // namespace mm
