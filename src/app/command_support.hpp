#pragma once
// What `check` and `retrain` set up the same way: the check settings from the configuration and
// libmongoc's log routed to ours.

#include "app/config.hpp"
#include "app/logger.hpp"
#include "pipeline/check_pipeline.hpp"

namespace mm {

// Thresholds, feedback window and bands, production alias, model names, runs limit.
CheckSettings check_settings_from(const Config& config);

// While alive, libmongoc's warnings and errors become `mongodb_driver` events of `log` (never
// raw lines on stdout/stderr, which would break JSON logs and the JSON report). Reset on
// destruction, before `log` can go away.
class MongoDriverLogScope {
public:
  explicit MongoDriverLogScope(Logger& log);
  ~MongoDriverLogScope();
  MongoDriverLogScope(const MongoDriverLogScope&) = delete;
  MongoDriverLogScope& operator=(const MongoDriverLogScope&) = delete;
};

} // namespace mm
