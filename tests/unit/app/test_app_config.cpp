#include "app/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace mm {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

TEST(Config, DefaultsAreTheSpecs) {
  auto c = load_config(env_of({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->mlflow_tracking_uri, "http://mlflow.mlflow:5000");
  EXPECT_DOUBLE_EQ(c->thresholds.precision, 0.75);
  EXPECT_DOUBLE_EQ(c->thresholds.recall, 0.70);
  EXPECT_DOUBLE_EQ(c->thresholds.f1, 0.72);
  EXPECT_DOUBLE_EQ(c->thresholds.feedback_avg, 0.6);
  EXPECT_DOUBLE_EQ(c->thresholds.aggregate, 0.65);
  EXPECT_EQ(c->thresholds.feedback_min_count, 10);
  EXPECT_EQ(c->dataset_num_samples, 1000);
  EXPECT_EQ(c->dataset_generation_timeout_s, 1800);
  EXPECT_EQ(c->llm_provider, LlmProvider::local);
  EXPECT_EQ(c->llm_model, "llama2");
  EXPECT_EQ(c->llm_base_url, "http://ollama.default:11434");
  EXPECT_DOUBLE_EQ(c->llm_temperature, 0.7);
  EXPECT_EQ(c->notification_channels, std::vector<std::string>{"slack"});
  EXPECT_EQ(c->slack_channel, "#ml-alerts");
  EXPECT_EQ(c->smtp_port, 587);
  EXPECT_EQ(c->retraining_cooldown_hours, 24);
  EXPECT_EQ(c->specialist_types, (std::vector<std::string>{"technical", "business", "behavior",
                                                           "evolution", "architecture"}));
  EXPECT_EQ(c->feedback_window_days, 30);
  EXPECT_EQ(c->mongodb_query_timeout_s, 20);
  EXPECT_EQ(c->mlflow_runs_limit, 100);
  EXPECT_EQ(c->training_timeout_s, 3600);
  EXPECT_EQ(c->feedback_merge_limit, 1000);
  EXPECT_EQ(c->dataset_retention_days, 90);
  EXPECT_EQ(c->data_dir, "/data/training");
  EXPECT_EQ(c->model_production_alias, "production");
  EXPECT_DOUBLE_EQ(c->model_improvement_threshold, 0.02);
  EXPECT_EQ(c->mongodb_database, "neural_hive");
  EXPECT_EQ(c->feedback_collection, "specialist_feedback");
  EXPECT_EQ(c->opinions_collection, "cognitive_ledger");
  EXPECT_DOUBLE_EQ(c->feedback_positive_min, 0.6);
  EXPECT_DOUBLE_EQ(c->feedback_negative_max, 0.4);
  EXPECT_EQ(c->report_lang, ReportLang::pt_br);
  EXPECT_FALSE(c->smtp_starttls_required) << "the spec: STARTTLS when the server offers it";
  EXPECT_EQ(c->model_name_template, "{type}-specialist");
  EXPECT_EQ(c->retraining_mlflow_project_uri, "training/specialist");
}

TEST(Config, ValidValuesAreRead) {
  auto c = load_config(env_of({{"PRECISION_THRESHOLD", "0.8"},
                               {"RECALL_THRESHOLD", " 0.5 "},
                               {"F1_THRESHOLD", "1"},
                               {"FEEDBACK_AVG_THRESHOLD", "0"},
                               {"AGGREGATE_THRESHOLD", "0.65"},
                               {"SPECIALIST_TYPES", "a, b2 ,a,c_d"},
                               {"MLFLOW_TRACKING_URI", "http://127.0.0.1:5000/"},
                               {"LLM_PROVIDER", "anthropic"},
                               {"REPORT_LANG", "en"},
                               {"NOTIFICATION_CHANNELS", "email,slack"},
                               {"EMAIL_RECIPIENTS", "a@x.io,b@y.io"},
                               {"MLFLOW_MODEL_NAME_TEMPLATE", "{type}-evaluator"},
                               {"FEEDBACK_WINDOW_DAYS", "7"},
                               {"FEEDBACK_MIN_COUNT", "1"},
                               {"SMTP_STARTTLS", "required"},
                               {"MONGODB_QUERY_TIMEOUT", "3600"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->smtp_starttls_required);
  EXPECT_DOUBLE_EQ(c->thresholds.precision, 0.8);
  EXPECT_DOUBLE_EQ(c->thresholds.recall, 0.5);
  EXPECT_DOUBLE_EQ(c->thresholds.f1, 1.0);
  EXPECT_EQ(c->specialist_types, (std::vector<std::string>{"a", "b2", "c_d"}));
  EXPECT_EQ(c->mlflow_tracking_uri, "http://127.0.0.1:5000");
  EXPECT_EQ(c->llm_provider, LlmProvider::anthropic);
  EXPECT_EQ(c->report_lang, ReportLang::en);
  EXPECT_EQ(c->notification_channels, (std::vector<std::string>{"email", "slack"}));
  EXPECT_EQ(c->email_recipients, (std::vector<std::string>{"a@x.io", "b@y.io"}));
  EXPECT_EQ(c->model_name_template, "{type}-evaluator");
  EXPECT_EQ(c->feedback_window_days, 7);
  EXPECT_EQ(c->thresholds.feedback_min_count, 1);
  EXPECT_EQ(c->mongodb_query_timeout_s, 3600);
}

struct BadValue {
  const char* variable;
  const char* value;
};

class ConfigRejects : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigRejects, NamesTheVariableAndExitsTwo) {
  const BadValue& b = GetParam();
  auto c = load_config(env_of({{b.variable, b.value}}));
  ASSERT_FALSE(c.ok()) << b.variable << "=" << b.value;
  EXPECT_EQ(c.error().kind, ErrorKind::config);
  EXPECT_EQ(exit_code_for(c.error().kind), 2);
  EXPECT_NE(c.error().message.find(b.variable), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("expected"), std::string::npos) << c.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    EveryKindOfBadValue, ConfigRejects,
    ::testing::Values(
        BadValue{"PRECISION_THRESHOLD", "abc"}, BadValue{"PRECISION_THRESHOLD", "1.01"},
        BadValue{"PRECISION_THRESHOLD", "-0.1"}, BadValue{"PRECISION_THRESHOLD", ""},
        BadValue{"PRECISION_THRESHOLD", "nan"}, BadValue{"PRECISION_THRESHOLD", "0.7x"},
        BadValue{"RECALL_THRESHOLD", "inf"}, BadValue{"F1_THRESHOLD", "2"},
        BadValue{"FEEDBACK_AVG_THRESHOLD", "0,6"}, BadValue{"AGGREGATE_THRESHOLD", "high"},
        BadValue{"FEEDBACK_POSITIVE_MIN", "1.5"}, BadValue{"FEEDBACK_NEGATIVE_MAX", "-1"},
        BadValue{"FEEDBACK_WINDOW_DAYS", "0"}, BadValue{"FEEDBACK_WINDOW_DAYS", "3651"},
        BadValue{"FEEDBACK_WINDOW_DAYS", "7.5"}, BadValue{"FEEDBACK_MIN_COUNT", "0"},
        BadValue{"FEEDBACK_MIN_COUNT", "1000001"}, BadValue{"FEEDBACK_MIN_COUNT", "2.5"},
        BadValue{"FEEDBACK_MIN_COUNT", "ten"}, BadValue{"MLFLOW_RUNS_LIMIT", "0"},
        BadValue{"MLFLOW_RUNS_LIMIT", "99999999999999999999"},
        BadValue{"DATASET_NUM_SAMPLES", "-5"}, BadValue{"DATASET_GENERATION_TIMEOUT", "-1"},
        BadValue{"TRAINING_TIMEOUT", "0"}, BadValue{"RETRAINING_COOLDOWN_HOURS", "-1"},
        BadValue{"DATASET_RETENTION_DAYS", "0"}, BadValue{"FEEDBACK_MERGE_LIMIT", "x"},
        BadValue{"LLM_PROVIDER", "gpt"}, BadValue{"LLM_PROVIDER", "OpenAI"},
        BadValue{"LLM_TEMPERATURE", "3"}, BadValue{"LLM_MAX_CONCURRENCY", "0"},
        BadValue{"LLM_BASE_URL", "ollama:11434"}, BadValue{"MLFLOW_TRACKING_URI", "mlflow:5000"},
        BadValue{"MLFLOW_TRACKING_URI", ""}, BadValue{"PROMETHEUS_PUSHGATEWAY_URL", "ftp://x"},
        BadValue{"MONGODB_URI", "http://db"}, BadValue{"MONGODB_URI", ""},
        BadValue{"SPECIALIST_TYPES", ""}, BadValue{"SPECIALIST_TYPES", "ok,Bad"},
        BadValue{"SPECIALIST_TYPES", "a;rm -rf"}, BadValue{"MODEL_PRODUCTION_ALIAS", "latest"},
        BadValue{"MODEL_PRODUCTION_ALIAS", "v3"}, BadValue{"MODEL_PRODUCTION_ALIAS", "a b"},
        BadValue{"MLFLOW_MODEL_NAME_TEMPLATE", "fixed-name"},
        BadValue{"MLFLOW_MODEL_NAME_TEMPLATE", "{type}-{type}"},
        BadValue{"MODEL_IMPROVEMENT_THRESHOLD", "1.5"}, BadValue{"NOTIFICATION_CHANNELS", "sms"},
        BadValue{"SMTP_PORT", "0"}, BadValue{"SMTP_PORT", "70000"},
        BadValue{"EMAIL_RECIPIENTS", "not-an-address"}, BadValue{"REPORT_LANG", "fr"},
        BadValue{"LOG_FORMAT", "xml"}, BadValue{"SMTP_STARTTLS", "yes"},
        BadValue{"MONITOR_CONCURRENCY", "0"}, BadValue{"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "-1"},
        BadValue{"MLFLOW_HTTP_REQUEST_TIMEOUT", "0"}, BadValue{"MONGODB_DATABASE", " "},
        BadValue{"MONGODB_QUERY_TIMEOUT", "0"}, BadValue{"MONGODB_QUERY_TIMEOUT", "3601"},
        BadValue{"MONGODB_QUERY_TIMEOUT", "2.5"}, BadValue{"DATA_DIR", ""},
        BadValue{"SLACK_WEBHOOK_URL", "hooks.slack.com/x"}),
    [](const auto& param_info) {
      std::string n =
          std::string(param_info.param.variable) + "_" + std::to_string(param_info.index);
      return n;
    });

TEST(Config, NegativeMaxAbovePositiveMinIsRejected) {
  auto c =
      load_config(env_of({{"FEEDBACK_POSITIVE_MIN", "0.5"}, {"FEEDBACK_NEGATIVE_MAX", "0.7"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("FEEDBACK_NEGATIVE_MAX"), std::string::npos);
}

TEST(Config, SecretsAreMaskedInErrorsAndDescriptions) {
  auto c = load_config(env_of({{"MONGODB_URI", "http://admin:hunter2@db"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.find("hunter2"), std::string::npos) << c.error().message;

  auto ok = load_config(env_of({{"MONGODB_URI", "mongodb://admin:hunter2@db:27017/"},
                                {"OPENAI_API_KEY", "sk-secret-123"},
                                {"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/X"},
                                {"SMTP_PASSWORD", "pw-999"},
                                {"MLFLOW_TRACKING_URI", "https://u:tok@mlflow.example"}}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  for (const auto& e : describe_config(*ok)) {
    for (const char* secret : {"hunter2", "sk-secret-123", "services/T/B/X", "pw-999", "tok@"}) {
      EXPECT_EQ(e.value.find(secret), std::string::npos) << e.name << "=" << e.value;
    }
  }
}

TEST(Config, DescribeListsEveryVariableWithItsDefault) {
  auto c = load_config(env_of({}));
  ASSERT_TRUE(c.ok());
  auto entries = describe_config(*c);
  EXPECT_GE(entries.size(), 45U);
  bool found = false;
  for (const auto& e : entries) {
    EXPECT_FALSE(e.description.empty()) << e.name;
    if (e.name == "F1_THRESHOLD") {
      found = true;
      EXPECT_EQ(e.value, "0.72");
      EXPECT_EQ(e.default_value, "0.72");
    }
  }
  EXPECT_TRUE(found);
}

} // namespace
} // namespace mm

namespace mm {
namespace {

// docs/configuration.md embeds the generated table between two markers; regenerate it with
// `model-monitor config-reference` when a variable changes.
TEST(Config, DocumentationListsEveryVariableExactly) {
  std::ifstream in(std::string(MM_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string begin = "<!-- BEGIN GENERATED: model-monitor config-reference -->\n";
  const std::string end = "<!-- END GENERATED -->";
  const auto b = doc.find(begin);
  const auto e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), configuration_reference_markdown())
      << "docs/configuration.md is stale: run `model-monitor config-reference` and paste";
}

} // namespace
} // namespace mm
