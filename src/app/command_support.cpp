#include "app/command_support.hpp"

#include "adapters/mongo/mongo_log.hpp"

#include <string>
#include <string_view>

namespace mm {

CheckSettings check_settings_from(const Config& c) {
  CheckSettings s;
  s.thresholds = c.thresholds;
  s.feedback_window_days = c.feedback_window_days;
  s.feedback_positive_min = c.feedback_positive_min;
  s.feedback_negative_max = c.feedback_negative_max;
  s.production_alias = c.model_production_alias;
  s.model_name_template = c.model_name_template;
  s.runs_limit = c.mlflow_runs_limit;
  return s;
}

MongoDriverLogScope::MongoDriverLogScope(Logger& log) {
  set_mongo_log_sink([&log](MongoLogLevel level, std::string_view domain, std::string_view msg) {
    if (level == MongoLogLevel::error || level == MongoLogLevel::warning) {
      log.warn("mongodb_driver", {{"domain", std::string(domain)}, {"message", std::string(msg)}});
    }
  });
}

MongoDriverLogScope::~MongoDriverLogScope() {
  set_mongo_log_sink({});
}

} // namespace mm
