#include "app/config.hpp"

#include "core/redact.hpp"
#include "core/specialist.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <set>

namespace mm {

const char* to_string(LlmProvider p) noexcept {
  switch (p) {
  case LlmProvider::local:
    return "local";
  case LlmProvider::openai:
    return "openai";
  case LlmProvider::anthropic:
    return "anthropic";
  }
  return "local";
}

const char* to_string(ReportLang l) noexcept {
  return l == ReportLang::en ? "en" : "pt-BR";
}

namespace {

enum class Show { plain, secret, uri };

using Setter = std::function<Status(Config&, const std::string& raw)>;
using Getter = std::function<std::string(const Config&)>;

struct Key {
  const char* name;
  const char* description;
  Show show;
  Setter set;
  Getter get;
};

std::string trim(std::string_view s) {
  const auto* b = s.begin();
  const auto* e = s.end();
  while (b != e && std::isspace(static_cast<unsigned char>(*b))) {
    ++b;
  }
  while (e != b && std::isspace(static_cast<unsigned char>(*(e - 1)))) {
    --e;
  }
  return std::string(b, e);
}

std::string shown(const std::string& value, Show show) {
  if (show == Show::secret) {
    return value.empty() ? "" : "***";
  }
  if (show == Show::uri) {
    return mask_uri_credentials(value);
  }
  return value;
}

Error invalid(const char* name, const std::string& raw, Show show, const std::string& expected) {
  return Error::config(
      fmt::format("invalid {}='{}': expected {}", name, shown(raw, show), expected));
}

std::string format_double(double v) {
  std::string s = fmt::format("{}", v);
  return s;
}

std::string join(const std::vector<std::string>& items, const char* sep = ",") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += items[i];
  }
  return out;
}

std::vector<std::string> split_list(const std::string& raw) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t comma = raw.find(',', pos);
    if (comma == std::string::npos) {
      comma = raw.size();
    }
    std::string item = trim(std::string_view(raw).substr(pos, comma - pos));
    if (!item.empty()) {
      out.push_back(item);
    }
    pos = comma + 1;
  }
  return out;
}

std::optional<double> parse_double(const std::string& raw) {
  const std::string t = trim(raw);
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || t.empty() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<long long> parse_int(const std::string& raw) {
  const std::string t = trim(raw);
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || t.empty()) {
    return std::nullopt;
  }
  return v;
}

Setter unit_interval(double Config::*field) {
  return [field](Config& c, const std::string& raw) -> Status {
    auto v = parse_double(raw);
    if (!v || *v < 0.0 || *v > 1.0) {
      return Error::config("");
    }
    c.*field = *v;
    return ok_status();
  };
}

Setter threshold(double Thresholds::*field) {
  return [field](Config& c, const std::string& raw) -> Status {
    auto v = parse_double(raw);
    if (!v || *v < 0.0 || *v > 1.0) {
      return Error::config("");
    }
    c.thresholds.*field = *v;
    return ok_status();
  };
}

Setter bounded_int(int Config::*field, long long lo, long long hi) {
  return [field, lo, hi](Config& c, const std::string& raw) -> Status {
    auto v = parse_int(raw);
    if (!v || *v < lo || *v > hi) {
      return Error::config("");
    }
    c.*field = static_cast<int>(*v);
    return ok_status();
  };
}

Setter text(std::string Config::*field, bool allow_empty = true) {
  return [field, allow_empty](Config& c, const std::string& raw) -> Status {
    std::string t = trim(raw);
    if (!allow_empty && t.empty()) {
      return Error::config("");
    }
    c.*field = t;
    return ok_status();
  };
}

Setter http_url(std::string Config::*field, bool allow_empty) {
  return [field, allow_empty](Config& c, const std::string& raw) -> Status {
    std::string t = trim(raw);
    if (t.empty() && allow_empty) {
      c.*field = t;
      return ok_status();
    }
    if (!(t.starts_with("http://") || t.starts_with("https://")) || t.size() <= 8) {
      return Error::config("");
    }
    while (t.ends_with('/')) {
      t.pop_back();
    }
    if (t.find("://") == std::string::npos) { // "https:///" had no host (found by tests/fuzz)
      return Error::config("");
    }
    c.*field = t;
    return ok_status();
  };
}

Getter get_text(std::string Config::*field) {
  return [field](const Config& c) { return c.*field; };
}
Getter get_int(int Config::*field) {
  return [field](const Config& c) { return std::to_string(c.*field); };
}
Getter get_double(double Config::*field) {
  return [field](const Config& c) { return format_double(c.*field); };
}
Getter get_threshold(double Thresholds::*field) {
  return [field](const Config& c) { return format_double(c.thresholds.*field); };
}

// MLflow alias names: letters, digits, '_' and '-', not "latest" nor "v<digits>" (reserved by
// MLflow's model registry).
bool is_valid_alias(const std::string& a) {
  if (a.empty() || a.size() > 255 || a == "latest") {
    return false;
  }
  if (a.size() > 1 && (a[0] == 'v' || a[0] == 'V') &&
      std::all_of(a.begin() + 1, a.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return false;
  }
  return std::all_of(a.begin(), a.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
  });
}

// The key table: the one place a variable is named, parsed, validated, shown and described.
// "expected" texts are what the error message tells the user to use.
struct KeyWithExpected {
  Key key;
  const char* expected;
};

const std::vector<KeyWithExpected>& key_table() {
  static const std::vector<KeyWithExpected> table = {
      {{"MONGODB_URI", "MongoDB connection string (feedback, opinions, our state)", Show::uri,
        [](Config& c, const std::string& raw) -> Status {
          std::string t = trim(raw);
          if (!(t.starts_with("mongodb://") || t.starts_with("mongodb+srv://")) || t.size() <= 12) {
            return Error::config("");
          }
          c.mongodb_uri = t;
          return ok_status();
        },
        get_text(&Config::mongodb_uri)},
       "a mongodb:// or mongodb+srv:// URI"},
      {{"MLFLOW_TRACKING_URI", "MLflow tracking server", Show::uri,
        http_url(&Config::mlflow_tracking_uri, false), get_text(&Config::mlflow_tracking_uri)},
       "an http:// or https:// URL"},
      {{"PROMETHEUS_PUSHGATEWAY_URL", "Pushgateway to push metrics to (empty: no push)", Show::uri,
        http_url(&Config::pushgateway_url, true), get_text(&Config::pushgateway_url)},
       "an http:// or https:// URL, or empty"},
      {{"MLFLOW_TRACKING_TOKEN", "bearer token for MLflow (as MLflow's client)", Show::secret,
        text(&Config::mlflow_tracking_token), get_text(&Config::mlflow_tracking_token)},
       "a token"},
      {{"MLFLOW_TRACKING_USERNAME", "basic-auth user for MLflow", Show::plain,
        text(&Config::mlflow_tracking_username), get_text(&Config::mlflow_tracking_username)},
       "a user name"},
      {{"MLFLOW_TRACKING_PASSWORD", "basic-auth password for MLflow", Show::secret,
        text(&Config::mlflow_tracking_password), get_text(&Config::mlflow_tracking_password)},
       "a password"},
      {{"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "retries of a failed MLflow request (as MLflow)",
        Show::plain, bounded_int(&Config::mlflow_http_max_retries, 0, 20),
        get_int(&Config::mlflow_http_max_retries)},
       "an integer in [0, 20]"},
      {{"MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "exponential backoff factor in seconds (as MLflow)",
        Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          auto v = parse_double(raw);
          if (!v || *v < 0.0 || *v > 120.0) {
            return Error::config("");
          }
          c.mlflow_http_backoff_factor = *v;
          return ok_status();
        },
        get_double(&Config::mlflow_http_backoff_factor)},
       "a number of seconds in [0, 120]"},
      {{"MLFLOW_HTTP_REQUEST_TIMEOUT", "total timeout of one MLflow request, seconds", Show::plain,
        bounded_int(&Config::mlflow_http_timeout_s, 1, 3600),
        get_int(&Config::mlflow_http_timeout_s)},
       "an integer number of seconds in [1, 3600]"},
      {{"MONGODB_QUERY_TIMEOUT", "server-side time limit (maxTimeMS) of each MongoDB read, seconds",
        Show::plain, bounded_int(&Config::mongodb_query_timeout_s, 1, 3600),
        get_int(&Config::mongodb_query_timeout_s)},
       "an integer number of seconds in [1, 3600]"},
      {{"PRECISION_THRESHOLD", "minimum healthy precision", Show::plain,
        threshold(&Thresholds::precision), get_threshold(&Thresholds::precision)},
       "a number in [0, 1]"},
      {{"RECALL_THRESHOLD", "minimum healthy recall", Show::plain, threshold(&Thresholds::recall),
        get_threshold(&Thresholds::recall)},
       "a number in [0, 1]"},
      {{"F1_THRESHOLD", "minimum healthy F1", Show::plain, threshold(&Thresholds::f1),
        get_threshold(&Thresholds::f1)},
       "a number in [0, 1]"},
      {{"FEEDBACK_AVG_THRESHOLD", "minimum healthy average human rating", Show::plain,
        threshold(&Thresholds::feedback_avg), get_threshold(&Thresholds::feedback_avg)},
       "a number in [0, 1]"},
      {{"FEEDBACK_MIN_COUNT",
        "the fewest valid ratings in the window for the feedback term to count (fewer: F1 alone)",
        Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          auto v = parse_int(raw);
          if (!v || *v < 1 || *v > 1000000) {
            return Error::config("");
          }
          c.thresholds.feedback_min_count = static_cast<int>(*v);
          return ok_status();
        },
        [](const Config& c) { return std::to_string(c.thresholds.feedback_min_count); }},
       "an integer in [1, 1000000]"},
      {{"AGGREGATE_THRESHOLD", "minimum healthy aggregate score (0.7·F1 + 0.3·feedback)",
        Show::plain, threshold(&Thresholds::aggregate), get_threshold(&Thresholds::aggregate)},
       "a number in [0, 1]"},
      {{"FEEDBACK_POSITIVE_MIN", "a rating at or above this is positive", Show::plain,
        unit_interval(&Config::feedback_positive_min), get_double(&Config::feedback_positive_min)},
       "a number in [0, 1]"},
      {{"FEEDBACK_NEGATIVE_MAX", "a rating below this is negative", Show::plain,
        unit_interval(&Config::feedback_negative_max), get_double(&Config::feedback_negative_max)},
       "a number in [0, 1]"},
      {{"FEEDBACK_WINDOW_DAYS", "days of feedback the statistics cover", Show::plain,
        bounded_int(&Config::feedback_window_days, 1, 3650),
        get_int(&Config::feedback_window_days)},
       "an integer number of days in [1, 3650]"},
      {{"MODEL_IMPROVEMENT_THRESHOLD", "F1 gain a candidate needs over production to be promoted",
        Show::plain, unit_interval(&Config::model_improvement_threshold),
        get_double(&Config::model_improvement_threshold)},
       "a number in [0, 1]"},
      {{"SPECIALIST_TYPES", "the specialists 'all' means, comma-separated", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          auto items = split_list(raw);
          if (items.empty()) {
            return Error::config("");
          }
          std::set<std::string> seen;
          std::vector<std::string> unique;
          for (const auto& t : items) {
            if (!is_valid_specialist_type(t)) {
              return Error::config("");
            }
            if (seen.insert(t).second) {
              unique.push_back(t);
            }
          }
          c.specialist_types = unique;
          return ok_status();
        },
        [](const Config& c) { return join(c.specialist_types); }},
       "a comma-separated list of names matching [a-z][a-z0-9_-]{0,62}"},
      {{"MLFLOW_RUNS_LIMIT", "recent runs looked at when there is no production model", Show::plain,
        bounded_int(&Config::mlflow_runs_limit, 1, 50000), get_int(&Config::mlflow_runs_limit)},
       "an integer in [1, 50000]"},
      {{"MODEL_PRODUCTION_ALIAS", "registered-model alias of the production version", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          std::string t = trim(raw);
          if (!is_valid_alias(t)) {
            return Error::config("");
          }
          c.model_production_alias = t;
          return ok_status();
        },
        get_text(&Config::model_production_alias)},
       "an MLflow alias: letters, digits, '_' or '-', not 'latest' nor 'v<number>'"},
      {{"MLFLOW_MODEL_NAME_TEMPLATE", "registered model name of a specialist", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          std::string t = trim(raw);
          const auto at = t.find("{type}");
          if (at == std::string::npos || t.find("{type}", at + 1) != std::string::npos ||
              t.size() > 200) {
            return Error::config("");
          }
          c.model_name_template = t;
          return ok_status();
        },
        get_text(&Config::model_name_template)},
       "a name containing {type} exactly once, e.g. {type}-specialist or {type}-evaluator"},
      {{"MONGODB_DATABASE", "database of feedback, opinions and our state", Show::plain,
        text(&Config::mongodb_database, false), get_text(&Config::mongodb_database)},
       "a database name"},
      {{"FEEDBACK_MONGODB_COLLECTION", "collection of human feedback", Show::plain,
        text(&Config::feedback_collection, false), get_text(&Config::feedback_collection)},
       "a collection name"},
      {{"OPINIONS_MONGODB_COLLECTION", "collection of specialists' opinions", Show::plain,
        text(&Config::opinions_collection, false), get_text(&Config::opinions_collection)},
       "a collection name"},
      {{"DATASET_NUM_SAMPLES", "rows the LLM generates per retrain", Show::plain,
        bounded_int(&Config::dataset_num_samples, 1, 1000000),
        get_int(&Config::dataset_num_samples)},
       "an integer in [1, 1000000]"},
      {{"DATASET_GENERATION_TIMEOUT", "seconds for the whole dataset generation step", Show::plain,
        bounded_int(&Config::dataset_generation_timeout_s, 1, 86400),
        get_int(&Config::dataset_generation_timeout_s)},
       "an integer number of seconds in [1, 86400]"},
      {{"LLM_PROVIDER", "dataset generator backend", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          std::string t = trim(raw);
          if (t == "local") {
            c.llm_provider = LlmProvider::local;
          } else if (t == "openai") {
            c.llm_provider = LlmProvider::openai;
          } else if (t == "anthropic") {
            c.llm_provider = LlmProvider::anthropic;
          } else {
            return Error::config("");
          }
          return ok_status();
        },
        [](const Config& c) { return std::string(to_string(c.llm_provider)); }},
       "one of local, openai, anthropic"},
      {{"LLM_MODEL", "model name for the provider", Show::plain, text(&Config::llm_model, false),
        get_text(&Config::llm_model)},
       "a model name"},
      {{"LLM_BASE_URL", "Ollama (or OpenAI-compatible server) base URL", Show::uri,
        http_url(&Config::llm_base_url, false), get_text(&Config::llm_base_url)},
       "an http:// or https:// URL"},
      {{"LLM_TEMPERATURE", "sampling temperature", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          auto v = parse_double(raw);
          if (!v || *v < 0.0 || *v > 2.0) {
            return Error::config("");
          }
          c.llm_temperature = *v;
          return ok_status();
        },
        get_double(&Config::llm_temperature)},
       "a number in [0, 2]"},
      {{"LLM_MAX_CONCURRENCY", "concurrent LLM requests", Show::plain,
        bounded_int(&Config::llm_max_concurrency, 1, 64), get_int(&Config::llm_max_concurrency)},
       "an integer in [1, 64]"},
      {{"OPENAI_API_KEY", "OpenAI API key", Show::secret, text(&Config::openai_api_key),
        get_text(&Config::openai_api_key)},
       "a key"},
      {{"ANTHROPIC_API_KEY", "Anthropic API key", Show::secret, text(&Config::anthropic_api_key),
        get_text(&Config::anthropic_api_key)},
       "a key"},
      {{"DATASET_GENERATOR_COMMAND", "own generator run instead of the built-in one", Show::plain,
        text(&Config::dataset_generator_command), get_text(&Config::dataset_generator_command)},
       "a command line"},
      {{"RETRAINING_COOLDOWN_HOURS", "hours between automatic retrains of a specialist",
        Show::plain, bounded_int(&Config::retraining_cooldown_hours, 0, 8760),
        get_int(&Config::retraining_cooldown_hours)},
       "an integer number of hours in [0, 8760]"},
      {{"TRAINING_TIMEOUT", "seconds a training run may take", Show::plain,
        bounded_int(&Config::training_timeout_s, 1, 604800), get_int(&Config::training_timeout_s)},
       "an integer number of seconds in [1, 604800]"},
      {{"FEEDBACK_MERGE_LIMIT", "recent feedback documents merged into a dataset", Show::plain,
        bounded_int(&Config::feedback_merge_limit, 0, 10000000),
        get_int(&Config::feedback_merge_limit)},
       "an integer in [0, 10000000]"},
      {{"DATASET_RETENTION_DAYS", "datasets older than this are removed", Show::plain,
        bounded_int(&Config::dataset_retention_days, 1, 36500),
        get_int(&Config::dataset_retention_days)},
       "an integer number of days in [1, 36500]"},
      {{"DATA_DIR", "where datasets are written", Show::plain, text(&Config::data_dir, false),
        get_text(&Config::data_dir)},
       "a directory path"},
      {{"RETRAINING_MLFLOW_PROJECT_URI", "MLflow Project that trains a specialist", Show::plain,
        text(&Config::retraining_mlflow_project_uri, false),
        get_text(&Config::retraining_mlflow_project_uri)},
       "a path or Git URI of an MLflow Project"},
      {{"MLFLOW_CLI", "the mlflow executable that runs the training project", Show::plain,
        text(&Config::mlflow_cli, false), get_text(&Config::mlflow_cli)},
       "a command name or path"},
      {{"PROMPTS_DIR", "folder of the LLM prompt templates (empty: prompts/ beside the binary)",
        Show::plain, text(&Config::prompts_dir), get_text(&Config::prompts_dir)},
       "a directory path"},
      {{"NOTIFICATION_CHANNELS", "where retrain outcomes are sent", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          auto items = split_list(raw);
          for (const auto& ch : items) {
            if (ch != "slack" && ch != "email") {
              return Error::config("");
            }
          }
          std::sort(items.begin(), items.end());
          items.erase(std::unique(items.begin(), items.end()), items.end());
          c.notification_channels = items;
          return ok_status();
        },
        [](const Config& c) { return join(c.notification_channels); }},
       "a comma-separated subset of slack, email (or empty)"},
      {{"SLACK_WEBHOOK_URL", "Slack incoming webhook", Show::secret,
        http_url(&Config::slack_webhook_url, true), get_text(&Config::slack_webhook_url)},
       "an https:// webhook URL"},
      {{"SLACK_CHANNEL", "Slack channel", Show::plain, text(&Config::slack_channel),
        get_text(&Config::slack_channel)},
       "a channel name"},
      {{"SMTP_HOST", "SMTP server", Show::plain, text(&Config::smtp_host),
        get_text(&Config::smtp_host)},
       "a host name"},
      {{"SMTP_PORT", "SMTP port", Show::plain, bounded_int(&Config::smtp_port, 1, 65535),
        get_int(&Config::smtp_port)},
       "an integer in [1, 65535]"},
      {{"SMTP_USER", "SMTP user (auth when set)", Show::plain, text(&Config::smtp_user),
        get_text(&Config::smtp_user)},
       "a user name"},
      {{"SMTP_PASSWORD", "SMTP password", Show::secret, text(&Config::smtp_password),
        get_text(&Config::smtp_password)},
       "a password"},
      {{"SMTP_STARTTLS", "STARTTLS on SMTP_PORT: when the server offers it, or required",
        Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          const std::string t = trim(raw);
          if (t == "when-offered" || t.empty()) {
            c.smtp_starttls_required = false;
          } else if (t == "required") {
            c.smtp_starttls_required = true;
          } else {
            return Error::config("");
          }
          return ok_status();
        },
        [](const Config& c) {
          return std::string(c.smtp_starttls_required ? "required" : "when-offered");
        }},
       "when-offered or required (port 465 is always TLS)"},
      {{"EMAIL_RECIPIENTS", "email recipients, comma-separated", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          auto items = split_list(raw);
          for (const auto& a : items) {
            const auto at = a.find('@');
            if (at == std::string::npos || at == 0 || at + 1 >= a.size() ||
                a.find_first_of(" <>\r\n") != std::string::npos) {
              return Error::config("");
            }
          }
          c.email_recipients = items;
          return ok_status();
        },
        [](const Config& c) { return join(c.email_recipients); }},
       "comma-separated addresses like ml-ops@example.com"},
      {{"REPORT_LANG", "language of the text report", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          std::string t = trim(raw);
          if (t == "pt-BR" || t == "pt_BR" || t == "pt") {
            c.report_lang = ReportLang::pt_br;
          } else if (t == "en" || t == "en-US" || t == "en_US") {
            c.report_lang = ReportLang::en;
          } else {
            return Error::config("");
          }
          return ok_status();
        },
        [](const Config& c) { return std::string(to_string(c.report_lang)); }},
       "pt-BR or en"},
      {{"LOG_FORMAT", "log lines: json (Kubernetes) or text; default text on a TTY", Show::plain,
        [](Config& c, const std::string& raw) -> Status {
          std::string t = trim(raw);
          if (t == "json") {
            c.log_format = LogFormat::json;
          } else if (t == "text") {
            c.log_format = LogFormat::text;
          } else if (t == "auto" || t.empty()) {
            c.log_format = LogFormat::automatic;
          } else {
            return Error::config("");
          }
          return ok_status();
        },
        [](const Config& c) {
          return std::string(c.log_format == LogFormat::json   ? "json"
                             : c.log_format == LogFormat::text ? "text"
                                                               : "auto");
        }},
       "json, text or auto"},
      {{"MONITOR_CONCURRENCY", "specialists checked at once by 'all'", Show::plain,
        bounded_int(&Config::monitor_concurrency, 1, 256), get_int(&Config::monitor_concurrency)},
       "an integer in [1, 256]"},
  };
  return table;
}

} // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str()); // NOLINT(concurrency-mt-unsafe): read at start-up
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

Result<Config> load_config(const EnvLookup& env) {
  Config c;
  for (const auto& [key, expected] : key_table()) {
    std::optional<std::string> raw = env(key.name);
    if (!raw) {
      continue;
    }
    Status s = key.set(c, *raw);
    if (!s) {
      return invalid(key.name, *raw, key.show, expected);
    }
  }
  // The Ollama default of LLM_BASE_URL means nothing to hosted providers: without an explicit
  // LLM_BASE_URL they use their public endpoints (OpenAI-compatible servers set it).
  c.llm_base_url_set = env("LLM_BASE_URL").has_value();
  if (!c.llm_base_url_set && c.llm_provider == LlmProvider::openai) {
    c.llm_base_url = "https://api.openai.com/v1";
  } else if (!c.llm_base_url_set && c.llm_provider == LlmProvider::anthropic) {
    c.llm_base_url = "https://api.anthropic.com";
  }
  // Relations between variables.
  if (c.feedback_negative_max > c.feedback_positive_min) {
    return Error::config(fmt::format(
        "invalid FEEDBACK_NEGATIVE_MAX={} with FEEDBACK_POSITIVE_MIN={}: expected "
        "FEEDBACK_NEGATIVE_MAX <= FEEDBACK_POSITIVE_MIN (the neutral band lies between them)",
        c.feedback_negative_max, c.feedback_positive_min));
  }
  if (!c.mlflow_tracking_username.empty() && c.mlflow_tracking_password.empty()) {
    return Error::config("invalid MLFLOW_TRACKING_USERNAME: set MLFLOW_TRACKING_PASSWORD too "
                         "(basic auth needs both)");
  }
  return c;
}

std::vector<ConfigEntry> describe_config(const Config& config) {
  const Config defaults;
  std::vector<ConfigEntry> out;
  for (const auto& [key, expected] : key_table()) {
    out.push_back({key.name, shown(key.get(config), key.show), shown(key.get(defaults), key.show),
                   key.description, expected, key.show == Show::secret});
  }
  return out;
}

std::string configuration_reference_markdown() {
  std::string out = "| variable | default | accepted values | what it is |\n|---|---|---|---|\n";
  for (const auto& e : describe_config(Config{})) {
    const std::string def = e.default_value.empty() ? "(empty)" : "`" + e.default_value + "`";
    out += fmt::format("| `{}` | {} | {} | {}{} |\n", e.name, def, e.accepted, e.description,
                       e.secret ? " (secret: never printed)" : "");
  }
  return out;
}

} // namespace mm
