#pragma once
// Structured log events on stderr (DESIGN §7): one JSON object per line (LOG_FORMAT=json, the
// default off a TTY, i.e. in Kubernetes) or a readable line on a TTY. Every line has an `event`.
// Callers pass values that are already free of secrets (URIs go through mask_uri_credentials).

#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mm {

enum class LogLevel { debug, info, warning, error };

using LogValue = std::variant<std::string, double, long long, bool>;
using LogField = std::pair<const char*, LogValue>;

class Logger {
public:
  // json = false: readable text lines.
  Logger(std::FILE* sink, bool json, LogLevel min_level = LogLevel::info);

  void log(LogLevel level, const char* event, std::initializer_list<LogField> fields = {});
  // Fields whose values are already text (pipeline events).
  void log_text(LogLevel level, const char* event,
                const std::vector<std::pair<std::string, std::string>>& fields);

  void info(const char* event, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::info, event, fields);
  }
  void warn(const char* event, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::warning, event, fields);
  }
  void error(const char* event, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::error, event, fields);
  }

private:
  void write(LogLevel level, const char* event,
             const std::vector<std::pair<std::string, LogValue>>& fields);

  std::FILE* m_sink;
  bool m_json;
  LogLevel m_min;
  std::mutex m_mutex;
};

} // namespace mm
