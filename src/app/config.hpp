#pragma once
// The effective configuration, filled from environment variables (DESIGN §2) through one key
// table. Loading is pure: the environment is passed in as a lookup function, so tests need no
// real environment.

#include "core/result.hpp"
#include "core/thresholds.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mm {

enum class LlmProvider { local, openai, anthropic };
enum class ReportLang { pt_br, en };
enum class LogFormat { automatic, json, text };

const char* to_string(LlmProvider p) noexcept;
const char* to_string(ReportLang l) noexcept;

struct Config {
  // Core services
  std::string mongodb_uri = "mongodb://localhost:27017/";
  std::string mlflow_tracking_uri = "http://mlflow.mlflow:5000";
  std::string pushgateway_url; // empty: no push
  std::string mlflow_tracking_token;
  std::string mlflow_tracking_username;
  std::string mlflow_tracking_password;
  int mlflow_http_max_retries = 7;
  double mlflow_http_backoff_factor = 2.0;
  int mlflow_http_timeout_s = 120;
  int mongodb_query_timeout_s = 20; // maxTimeMS of each MongoDB read

  // Thresholds and scoring
  Thresholds thresholds;
  double feedback_positive_min = 0.6;
  double feedback_negative_max = 0.4;
  int feedback_window_days = 30;
  double model_improvement_threshold = 0.02;

  // MLflow / MongoDB names
  std::vector<std::string> specialist_types = {"technical", "business", "behavior", "evolution",
                                               "architecture"};
  int mlflow_runs_limit = 100;
  std::string model_production_alias = "production";
  std::string model_name_template = "{type}-specialist";
  std::string mongodb_database = "neural_hive";
  std::string feedback_collection = "specialist_feedback";
  std::string opinions_collection = "cognitive_ledger";

  // Dataset generation
  int dataset_num_samples = 1000;
  int dataset_generation_timeout_s = 1800;
  LlmProvider llm_provider = LlmProvider::local;
  std::string llm_model = "llama2";
  std::string llm_base_url = "http://ollama.default:11434";
  bool llm_base_url_set = false; // unset: each provider's public endpoint
  double llm_temperature = 0.7;
  int llm_max_concurrency = 4;
  std::string openai_api_key;
  std::string anthropic_api_key;
  std::string dataset_generator_command;

  // Retraining
  int retraining_cooldown_hours = 24;
  int training_timeout_s = 3600;
  int feedback_merge_limit = 1000;
  int dataset_retention_days = 90;
  std::string data_dir = "/data/training";
  std::string retraining_mlflow_project_uri = "training/specialist";
  std::string mlflow_cli = "mlflow"; // the `mlflow` executable that runs the project
  std::string prompts_dir;           // empty: found next to the binary (see app/paths)

  // Notifications
  std::vector<std::string> notification_channels = {"slack"};
  std::string slack_webhook_url;
  std::string slack_channel = "#ml-alerts";
  std::string smtp_host;
  int smtp_port = 587;
  std::string smtp_user;
  std::string smtp_password;
  // STARTTLS: only when the server offers it (the spec's behaviour) or required, so that
  // SMTP_PASSWORD never crosses the network in clear text even if the offer is hidden.
  bool smtp_starttls_required = false;
  std::vector<std::string> email_recipients;

  // Presentation
  ReportLang report_lang = ReportLang::pt_br;
  LogFormat log_format = LogFormat::automatic;
  int monitor_concurrency = 4;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
EnvLookup process_env();

// Reads and validates every variable. The first invalid one is an ErrorKind::config error
// naming the variable, the value it got (masked when secret) and the accepted values.
Result<Config> load_config(const EnvLookup& env);

// One line per variable: NAME=value (secrets "***" when set, URIs with credentials masked),
// in the order of the key table.
struct ConfigEntry {
  std::string name;
  std::string value;
  std::string default_value;
  std::string description;
  std::string accepted; // what a valid value looks like
  bool secret = false;
};
std::vector<ConfigEntry> describe_config(const Config& config);

// docs/configuration.md's table, generated from the key table (a unit test keeps the file equal
// to this, so the documentation cannot drift from the code).
std::string configuration_reference_markdown();

} // namespace mm
