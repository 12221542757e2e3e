#include "integration/secrets/leak_scan.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

namespace mm::test {

namespace {

constexpr std::size_t k_min_needle = 8;
constexpr std::size_t k_context = 60;

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string to_lower_hex_escapes(std::string s) {
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '%') {
      s[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i + 1])));
      s[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i + 2])));
    }
  }
  return s;
}

std::string url_safe(std::string s) {
  std::replace(s.begin(), s.end(), '+', '-');
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

std::string printable(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7F) ? '.' : c;
  }
  return out;
}

} // namespace

std::string base64(std::string_view bytes) {
  static constexpr std::string_view k_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U) |
                   (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += k_alphabet[(n >> 6U) & 63U];
    out += k_alphabet[n & 63U];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U;
    if (rest == 2) {
      n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
    }
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += rest == 2 ? k_alphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::vector<std::string> base64_cores(std::string_view value) {
  std::vector<std::string> cores;
  for (std::size_t k = 0; k < 3; ++k) {
    // Output character i holds input bits [6i, 6i + 6); it depends on `value` alone when those
    // bits lie inside [8k, 8(k + n)).
    const std::string encoded = base64(std::string(k, '\0') + std::string(value));
    const std::size_t first = (8 * k + 5) / 6;
    const std::size_t end = (8 * (k + value.size())) / 6;
    if (end > first) {
      cores.push_back(encoded.substr(first, end - first));
    }
  }
  return cores;
}

std::string percent_encode(std::string_view value) {
  static constexpr std::string_view k_hex = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (is_unreserved(u)) {
      out += c;
    } else {
      out += '%';
      out += k_hex[u >> 4U];
      out += k_hex[u & 15U];
    }
  }
  return out;
}

std::string percent_decode(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size()) {
      const int hi = hex_value(value[i + 1]);
      const int lo = hex_value(value[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += value[i];
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> forms_of(const Secret& secret) {
  std::vector<std::pair<std::string, std::string>> forms;
  const auto add = [&forms](std::string form, std::string needle) {
    if (needle.size() < k_min_needle) {
      return;
    }
    for (const auto& f : forms) {
      if (f.second == needle) {
        return;
      }
    }
    forms.emplace_back(std::move(form), std::move(needle));
  };
  const std::string decoded = percent_decode(secret.value);
  const std::string encoded = percent_encode(decoded);
  add("as planted", secret.value);
  add("percent-decoded", decoded);
  add("percent-encoded", encoded);
  add("percent-encoded (lower-case hex)", to_lower_hex_escapes(encoded));
  for (const std::string& plain : {decoded, secret.value}) {
    for (const std::string& core : base64_cores(plain)) {
      add("base64", core);
      add("base64url", url_safe(core));
    }
  }
  return forms;
}

std::vector<Leak> find_leaks(const std::vector<Secret>& secrets,
                             const std::vector<Output>& outputs) {
  std::vector<Secret> all = secrets;
  all.push_back({"the marker every planted value contains", std::string(k_canary_marker)});
  std::vector<Leak> leaks;
  for (const Secret& secret : all) {
    for (const auto& [form, needle] : forms_of(secret)) {
      for (const Output& output : outputs) {
        for (auto pos = output.text.find(needle); pos != std::string::npos;
             pos = output.text.find(needle, pos + 1)) {
          const std::size_t from = pos > k_context ? pos - k_context : 0;
          leaks.push_back(
              {output.where, secret.name, form, pos,
               printable(
                   std::string_view(output.text).substr(from, needle.size() + 2 * k_context))});
        }
      }
    }
  }
  return leaks;
}

std::string describe(const std::vector<Leak>& leaks) {
  std::ostringstream out;
  for (const Leak& leak : leaks) {
    out << "LEAK: " << leak.secret << " (" << leak.form << ") in " << leak.where << " at byte "
        << leak.offset << ": ..." << leak.context << "...\n";
  }
  return out.str();
}

} // namespace mm::test
