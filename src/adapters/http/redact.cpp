#include "adapters/http/redact.hpp"

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

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string redact_userinfo(std::string_view authority) {
  const auto at = authority.rfind('@'); // a password may hold an unencoded '@'; the host cannot
  if (at == std::string_view::npos) {
    return std::string(authority);
  }
  const std::string_view userinfo = authority.substr(0, at);
  std::string out(k_mask);
  if (userinfo.find(':') != std::string_view::npos) {
    out += ':';
    out += k_mask;
  }
  out += authority.substr(at);
  return out;
}

std::string redact_query(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const auto amp = query.find('&', pos);
    const auto end = amp == std::string_view::npos ? query.size() : amp;
    const std::string_view pair = query.substr(pos, end - pos);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && eq + 1 < pair.size() &&
        is_secret_parameter(pair.substr(0, eq))) {
      out += pair.substr(0, eq + 1);
      out += k_mask;
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) {
      break;
    }
    out += '&';
    pos = amp + 1;
  }
  return out;
}

} // namespace

bool is_secret_parameter(std::string_view name) {
  const std::string n = normalise(name);
  // Substrings that name a secret wherever they appear (access_token, X-Amz-Security-Token,
  // client_secret, X-Amz-Credential, tlsCertificateKeyFilePassword, sharedaccesssignature...).
  static constexpr std::array<std::string_view, 7> k_contains = {
      "token", "password", "passwd", "pwd", "secret", "signature", "credential"};
  for (const auto word : k_contains) {
    if (n.find(word) != std::string::npos) {
      return true;
    }
  }
  // api_key, x-api-key, sharedKey, sig, x-goog-sig...; also the MongoDB option whose value may
  // carry AWS_SESSION_TOKEN. authSource/authMechanism only name a database or an algorithm.
  return ends_with(n, "key") || ends_with(n, "sig") || n == "auth" || n == "pass" ||
         n == "authorization" || n == "authmechanismproperties";
}

std::string redact_url(std::string_view url) {
  const auto scheme_sep = url.find("://");
  const std::size_t authority_begin = scheme_sep == std::string_view::npos ? 0 : scheme_sep + 3;
  auto authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) {
    authority_end = url.size();
  }

  std::string out(url.substr(0, authority_begin));
  out += redact_userinfo(url.substr(authority_begin, authority_end - authority_begin));

  const std::string_view rest = url.substr(authority_end);
  const auto q = rest.find('?');
  if (q == std::string_view::npos) {
    out += rest;
    return out;
  }
  const auto hash = rest.find('#', q);
  const auto query_end = hash == std::string_view::npos ? rest.size() : hash;
  out += rest.substr(0, q + 1);
  out += redact_query(rest.substr(q + 1, query_end - q - 1));
  out += rest.substr(query_end);
  return out;
}

} // namespace mm
