#include "adapters/pushgateway/text_format.hpp"

#include <cmath>
#include <fmt/format.h>

namespace mm {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '"':
      out += "\\\"";
      break;
    case '\n':
      out += "\\n";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  return fmt::format("{}", value);
}

namespace {

const char* type_name(MetricType t) {
  switch (t) {
  case MetricType::gauge:
    return "gauge";
  case MetricType::counter:
    return "counter";
  case MetricType::histogram:
    return "histogram";
  }
  return "untyped";
}

bool is_plain_segment(std::string_view v) {
  if (v.empty()) {
    return false;
  }
  for (char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string base64_url(std::string_view in) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16U) |
                       (static_cast<unsigned char>(in[i + 1]) << 8U) |
                       static_cast<unsigned char>(in[i + 2]);
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += k_alphabet[(n >> 6U) & 63U];
    out += k_alphabet[n & 63U];
    i += 3;
  }
  const size_t rest = in.size() - i;
  if (rest == 1) {
    const unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U;
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += "==";
  } else if (rest == 2) {
    const unsigned n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                       (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U);
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += k_alphabet[(n >> 6U) & 63U];
    out += '=';
  }
  return out;
}

} // namespace

std::string encode_text(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, escape_help(f.help), f.name,
                       type_name(f.type));
    for (const auto& s : f.samples) {
      out += f.name;
      out += s.suffix;
      if (!s.labels.empty()) {
        out += '{';
        bool first = true;
        for (const auto& [k, v] : s.labels) {
          if (!first) {
            out += ',';
          }
          first = false;
          out += fmt::format("{}=\"{}\"", k, escape_label_value(v));
        }
        out += '}';
      }
      out += ' ';
      out += format_sample_value(s.value);
      out += '\n';
    }
  }
  return out;
}

std::string push_group_path(std::string_view job, std::string_view label_name,
                            std::string_view label_value) {
  auto segment = [](std::string_view name, std::string_view value) {
    if (is_plain_segment(value)) {
      return fmt::format("{}/{}", name, value);
    }
    // Empty values are encoded as "=" by the Pushgateway's convention.
    return fmt::format("{}@base64/{}", name, value.empty() ? "=" : base64_url(value));
  };
  return fmt::format("/metrics/{}/{}", segment("job", job), segment(label_name, label_value));
}

} // namespace mm
