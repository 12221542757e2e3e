#include "app/logger.hpp"

#include "core/time_format.hpp"

#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mm {

namespace {

const char* level_name(LogLevel l) {
  switch (l) {
  case LogLevel::debug:
    return "debug";
  case LogLevel::info:
    return "info";
  case LogLevel::warning:
    return "warning";
  case LogLevel::error:
    return "error";
  }
  return "info";
}

} // namespace

Logger::Logger(std::FILE* sink, bool json, LogLevel min_level)
    : m_sink(sink), m_json(json), m_min(min_level) {}

void Logger::log(LogLevel level, const char* event, std::initializer_list<LogField> fields) {
  std::vector<std::pair<std::string, LogValue>> f;
  for (const auto& [k, v] : fields) {
    f.emplace_back(k, v);
  }
  write(level, event, f);
}

void Logger::log_text(LogLevel level, const char* event,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::pair<std::string, LogValue>> f;
  for (const auto& [k, v] : fields) {
    f.emplace_back(k, v);
  }
  write(level, event, f);
}

void Logger::write(LogLevel level, const char* event,
                   const std::vector<std::pair<std::string, LogValue>>& fields) {
  if (level < m_min) {
    return;
  }
  const std::string ts = format_iso8601_utc(std::chrono::system_clock::now());
  std::string line;
  if (m_json) {
    nlohmann::json j;
    j["timestamp"] = ts;
    j["level"] = level_name(level);
    j["event"] = event;
    for (const auto& [k, v] : fields) {
      std::visit([&, key = k](const auto& x) { j[key] = x; }, v);
    }
    // Invalid UTF-8 from a remote error body must not abort logging.
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = fmt::format("{} {:<7} {}", ts, level_name(level), event);
    for (const auto& [k, v] : fields) {
      std::visit(
          [&, key = k](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
              const bool quote = x.find(' ') != std::string::npos || x.empty();
              line += quote ? fmt::format(" {}=\"{}\"", key, x) : fmt::format(" {}={}", key, x);
            } else {
              line += fmt::format(" {}={}", key, x);
            }
          },
          v);
    }
  }
  line += '\n';
  std::lock_guard lock(m_mutex);
  std::fputs(line.c_str(), m_sink);
  std::fflush(m_sink);
}

} // namespace mm
