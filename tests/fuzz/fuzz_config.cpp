// libFuzzer target: the configuration (app/config.hpp), which comes from the environment of the
// CronJob: a ConfigMap and a Secret anyone on the team may edit. The input is an env file, one
// NAME=value per line (later lines win; names not in the key table are ignored, as the process
// environment's other variables are). It goes to load_config, then, when valid, to
// describe_config (what --print-config shows) and to the model-name template.
// Seeds: tests/fuzz/corpus/fuzz_config; dictionary: fuzz_config.dict (every variable name).
// See docs/fuzzing.md.

#include "app/config.hpp"
#include "core/specialist.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace mm {
namespace {

using Env = std::map<std::string, std::string>;

Env parse_env_file(std::string_view text) {
  Env env;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    const auto eq = line.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
  }
  return env;
}

bool is_http_url(const std::string& url) {
  return (url.starts_with("http://") || url.starts_with("https://")) && !url.ends_with('/');
}

void check_valid(const Config& c) {
  const Thresholds& t = c.thresholds;
  for (const double v :
       {t.precision, t.recall, t.f1, t.feedback_avg, t.aggregate, c.feedback_positive_min,
        c.feedback_negative_max, c.model_improvement_threshold}) {
    MM_FUZZ_CHECK(v >= 0.0 && v <= 1.0, std::to_string(v));
  }
  // The neutral band lies between them (DESIGN §4).
  MM_FUZZ_CHECK(c.feedback_negative_max <= c.feedback_positive_min, "negative_max > positive_min");
  MM_FUZZ_CHECK(c.llm_temperature >= 0.0 && c.llm_temperature <= 2.0, "LLM_TEMPERATURE");
  for (const int n :
       {c.feedback_window_days, c.mlflow_runs_limit, c.dataset_num_samples,
        c.dataset_generation_timeout_s, c.training_timeout_s, c.dataset_retention_days,
        c.llm_max_concurrency, c.monitor_concurrency, c.mlflow_http_timeout_s, c.smtp_port}) {
    MM_FUZZ_CHECK(n >= 1, std::to_string(n));
  }
  MM_FUZZ_CHECK(c.smtp_port <= 65535, std::to_string(c.smtp_port));
  MM_FUZZ_CHECK(c.retraining_cooldown_hours >= 0 && c.feedback_merge_limit >= 0 &&
                    c.mlflow_http_max_retries >= 0,
                "negative count");

  // A specialist type ends up in URLs, filters and file names (DESIGN §1).
  MM_FUZZ_CHECK(!c.specialist_types.empty(), "no specialist");
  const std::set<std::string> unique(c.specialist_types.begin(), c.specialist_types.end());
  MM_FUZZ_CHECK(unique.size() == c.specialist_types.size(), "a specialist twice");
  for (const auto& type : c.specialist_types) {
    MM_FUZZ_CHECK(is_valid_specialist_type(type), type);
    // Discovery maps registered model names back to types with the same template.
    const std::string model = model_name_for(c.model_name_template, type);
    MM_FUZZ_CHECK(type_from_model_name(c.model_name_template, model) == type, model);
  }

  MM_FUZZ_CHECK(is_http_url(c.mlflow_tracking_uri), c.mlflow_tracking_uri);
  MM_FUZZ_CHECK(is_http_url(c.llm_base_url), c.llm_base_url);
  MM_FUZZ_CHECK(c.pushgateway_url.empty() || is_http_url(c.pushgateway_url), c.pushgateway_url);
  MM_FUZZ_CHECK(c.slack_webhook_url.empty() || is_http_url(c.slack_webhook_url), "webhook");
  MM_FUZZ_CHECK(c.mongodb_uri.starts_with("mongodb://") ||
                    c.mongodb_uri.starts_with("mongodb+srv://"),
                "MONGODB_URI");
  MM_FUZZ_CHECK(!c.mongodb_database.empty() && !c.feedback_collection.empty() &&
                    !c.opinions_collection.empty() && !c.llm_model.empty() && !c.data_dir.empty() &&
                    !c.mlflow_cli.empty(),
                "an empty required name");
  MM_FUZZ_CHECK(c.mlflow_tracking_username.empty() || !c.mlflow_tracking_password.empty(),
                "basic auth user without password");
  for (const auto& ch : c.notification_channels) {
    MM_FUZZ_CHECK(ch == "slack" || ch == "email", ch);
  }
  for (const auto& address : c.email_recipients) {
    MM_FUZZ_CHECK(address.find('@') != std::string::npos, address);
  }

  // --print-config: a secret is shown as "***" (or empty when unset), never as itself.
  for (const ConfigEntry& e : describe_config(c)) {
    if (e.secret) {
      MM_FUZZ_CHECK(e.value.empty() || e.value == "***", e.name + "=" + e.value);
    }
  }
}

void check_invalid(const Error& e, const Env& env, const std::vector<ConfigEntry>& table) {
  MM_FUZZ_CHECK_ERROR(e, ErrorKind::config);
  // The message names the variable; a secret's value is never quoted.
  bool named = false;
  for (const ConfigEntry& entry : table) {
    if (e.message.find(entry.name) == std::string::npos) {
      continue;
    }
    named = true;
    if (entry.secret && env.count(entry.name) != 0 &&
        e.message.starts_with("invalid " + entry.name + "=")) {
      MM_FUZZ_CHECK(e.message.starts_with("invalid " + entry.name + "='***'"), e.message);
    }
  }
  MM_FUZZ_CHECK(named, e.message);
}

} // namespace
} // namespace mm

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mm;
  static const std::vector<ConfigEntry> k_table = describe_config(Config{});
  const Env env = parse_env_file(std::string_view(reinterpret_cast<const char*>(data), size));
  const EnvLookup lookup = [&env](const std::string& name) -> std::optional<std::string> {
    const auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto config = load_config(lookup);
  if (config) {
    check_valid(*config);
  } else {
    check_invalid(config.error(), env, k_table);
  }
  return 0;
}
