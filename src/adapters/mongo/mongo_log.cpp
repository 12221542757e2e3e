#include "adapters/mongo/mongo_log.hpp"

#include "adapters/mongo/mongo_log_handler.hpp"

#include <mongoc/mongoc.h>

#include <cstdio>
#include <memory>
#include <mutex>

namespace mm {
namespace {

std::mutex& sink_mutex() {
  static std::mutex s_mutex;
  return s_mutex;
}

std::shared_ptr<const MongoLogSink>& current_sink() {
  static std::shared_ptr<const MongoLogSink> s_sink;
  return s_sink;
}

MongoLogLevel level_of(mongoc_log_level_t level) {
  switch (level) {
  case MONGOC_LOG_LEVEL_ERROR:
  case MONGOC_LOG_LEVEL_CRITICAL:
    return MongoLogLevel::error;
  case MONGOC_LOG_LEVEL_WARNING:
    return MongoLogLevel::warning;
  case MONGOC_LOG_LEVEL_MESSAGE:
  case MONGOC_LOG_LEVEL_INFO:
    return MongoLogLevel::info;
  case MONGOC_LOG_LEVEL_DEBUG:
  case MONGOC_LOG_LEVEL_TRACE:
    return MongoLogLevel::debug;
  }
  return MongoLogLevel::debug;
}

// FerretDB v1 advertises sessions but has no endSessions command, so the driver warns each time
// a client or pool is destroyed. Harmless (servers expire idle sessions on their own after
// logicalSessionTimeoutMinutes), so it is not worth a warning in every run's log.
bool is_benign(std::string_view message) {
  return message.find("Couldn't send \"endSessions\"") != std::string_view::npos;
}

void handle(mongoc_log_level_t level, const char* domain, const char* message, void* /*data*/) {
  std::shared_ptr<const MongoLogSink> sink;
  {
    const std::lock_guard lock(sink_mutex());
    sink = current_sink();
  }
  MongoLogLevel ours = level_of(level);
  if (message != nullptr && is_benign(message)) {
    ours = MongoLogLevel::debug;
  }
  if (sink) {
    (*sink)(ours, domain != nullptr ? domain : "", message != nullptr ? message : "");
    return;
  }
  if (ours == MongoLogLevel::error || ours == MongoLogLevel::warning) {
    std::fprintf(stderr, "%s: %s\n", domain != nullptr ? domain : "mongoc",
                 message != nullptr ? message : "");
  }
}

} // namespace

void set_mongo_log_sink(MongoLogSink sink) {
  install_mongo_log_handler();
  std::shared_ptr<const MongoLogSink> next;
  if (sink) {
    next = std::make_shared<const MongoLogSink>(std::move(sink));
  }
  const std::lock_guard lock(sink_mutex());
  current_sink() = std::move(next);
}

void install_mongo_log_handler() {
  // Idempotent and cheap: the driver only stores the function pointer.
  mongoc_log_set_handler(&handle, nullptr);
}

} // namespace mm
