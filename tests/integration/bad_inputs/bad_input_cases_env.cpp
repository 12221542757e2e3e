// Environment values, flags and specialist types: refused before any I/O, exit 2 (DESIGN §1, §2),
// the message naming the variable or flag, the value (masked when secret) and what it accepts.
#include "integration/bad_inputs/bad_input_world.hpp"

namespace mm::test {

namespace {

BadInputCase env_case(std::string id, std::string variable, std::string value,
                      std::string message) {
  BadInputCase c;
  c.id = std::move(id);
  c.category = "environment";
  c.input = "`" + variable + "=" + value + "`";
  c.message = std::move(message);
  c.exit_code = 2;
  c.run = [variable, value](BadInputWorld& w) { return w.check({{variable, value}}); };
  return c;
}

BadInputCase flag_case(std::string id, std::string category, std::vector<std::string> args,
                       std::string message, std::string input = "") {
  BadInputCase c;
  c.id = std::move(id);
  c.category = std::move(category);
  if (input.empty()) {
    input = "`model-monitor";
    for (const auto& a : args) {
      input += " " + (a.empty() ? std::string("''") : a);
    }
    input += "`";
  }
  c.input = std::move(input);
  c.message = std::move(message);
  c.exit_code = 2;
  c.run = [args](BadInputWorld& w) { return w.run(args); };
  return c;
}

} // namespace

std::vector<BadInputCase> environment_cases() {
  std::vector<BadInputCase> cases = {
      env_case("env_threshold_not_a_number", "PRECISION_THRESHOLD", "high",
               "model-monitor: error: invalid PRECISION_THRESHOLD='high': expected a number in "
               "[0, 1]"),
      env_case("env_threshold_above_one", "RECALL_THRESHOLD", "1.7",
               "model-monitor: error: invalid RECALL_THRESHOLD='1.7': expected a number in [0, 1]"),
      env_case("env_threshold_nan", "F1_THRESHOLD", "nan",
               "model-monitor: error: invalid F1_THRESHOLD='nan': expected a number in [0, 1]"),
      env_case("env_threshold_decimal_comma", "FEEDBACK_AVG_THRESHOLD", "0,6",
               "model-monitor: error: invalid FEEDBACK_AVG_THRESHOLD='0,6': expected a number in "
               "[0, 1]"),
      env_case("env_days_with_a_fraction", "FEEDBACK_WINDOW_DAYS", "7.5",
               "model-monitor: error: invalid FEEDBACK_WINDOW_DAYS='7.5': expected an integer "
               "number of days in [1, 3650]"),
      env_case("env_integer_overflow", "DATASET_NUM_SAMPLES", "99999999999999999999",
               "model-monitor: error: invalid DATASET_NUM_SAMPLES='99999999999999999999': "
               "expected an integer in [1, 1000000]"),
      env_case("env_negative_timeout", "TRAINING_TIMEOUT", "-5",
               "model-monitor: error: invalid TRAINING_TIMEOUT='-5': expected an integer number "
               "of seconds in [1, 604800]"),
      env_case("env_mlflow_uri_not_http", "MLFLOW_TRACKING_URI", "file:///tmp/mlruns",
               "model-monitor: error: invalid MLFLOW_TRACKING_URI='file:///tmp/mlruns': expected "
               "an http:// or https:// URL"),
      env_case("env_mongodb_uri_wrong_scheme", "MONGODB_URI", "postgres://db:5432/feedback",
               "model-monitor: error: invalid MONGODB_URI='postgres://db:5432/feedback': "
               "expected a mongodb:// or mongodb+srv:// URI"),
      env_case("env_llm_provider_unknown", "LLM_PROVIDER", "gemini",
               "model-monitor: error: invalid LLM_PROVIDER='gemini': expected one of local, "
               "openai, anthropic"),
      env_case("env_alias_reserved", "MODEL_PRODUCTION_ALIAS", "latest",
               "model-monitor: error: invalid MODEL_PRODUCTION_ALIAS='latest': expected an "
               "MLflow alias: letters, digits, '_' or '-', not 'latest' nor 'v<number>'"),
      env_case("env_model_template_without_type", "MLFLOW_MODEL_NAME_TEMPLATE", "specialist",
               "model-monitor: error: invalid MLFLOW_MODEL_NAME_TEMPLATE='specialist': expected a "
               "name containing {type} exactly once, e.g. {type}-specialist or {type}-evaluator"),
      env_case("env_report_lang_unknown", "REPORT_LANG", "fr",
               "model-monitor: error: invalid REPORT_LANG='fr': expected pt-BR or en"),
  };

  {
    BadInputCase c;
    c.id = "env_mongodb_uri_unparsable";
    c.category = "environment";
    c.input = "`MONGODB_URI=mongodb://admin:s3cret@db:notaport/` (password never echoed)";
    c.message = "model-monitor: error: invalid MONGODB_URI 'mongodb://***:***@db:notaport/': "
                "Invalid host string in URI (expected "
                "mongodb://[user:password@]host[:port][/database][?options])";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      auto r = w.check({{"MONGODB_URI", "mongodb://admin:s3cret@db:notaport/"}});
      EXPECT_EQ((r.out + r.err).find("s3cret"), std::string::npos) << r.err;
      return r;
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "env_secret_never_echoed";
    c.category = "environment";
    c.input = "`SLACK_WEBHOOK_URL=hooks.slack.com/services/T000/B000/XXXXSECRET` (no scheme)";
    c.message = "model-monitor: error: invalid SLACK_WEBHOOK_URL='***': expected an https:// "
                "webhook URL";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      auto r = w.check({{"SLACK_WEBHOOK_URL", "hooks.slack.com/services/T000/B000/XXXXSECRET"}});
      EXPECT_EQ((r.out + r.err).find("XXXXSECRET"), std::string::npos) << r.err;
      return r;
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "env_specialist_types_invalid";
    c.category = "environment";
    c.input = "`SPECIALIST_TYPES=technical,Bad Name` with `--specialist-type all`";
    c.message = "model-monitor: error: invalid SPECIALIST_TYPES='technical,Bad Name': expected a "
                "comma-separated list of names matching [a-z][a-z0-9_-]{0,62}";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      return w.run({"check", "--specialist-type", "all"},
                   {{"SPECIALIST_TYPES", "technical,Bad Name"}});
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "env_feedback_bands_crossed";
    c.category = "environment";
    c.input = "`FEEDBACK_NEGATIVE_MAX=0.7` above `FEEDBACK_POSITIVE_MIN=0.5`";
    c.message = "model-monitor: error: invalid FEEDBACK_NEGATIVE_MAX=0.7 with "
                "FEEDBACK_POSITIVE_MIN=0.5: expected FEEDBACK_NEGATIVE_MAX <= "
                "FEEDBACK_POSITIVE_MIN (the neutral band lies between them)";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      return w.check({{"FEEDBACK_NEGATIVE_MAX", "0.7"}, {"FEEDBACK_POSITIVE_MIN", "0.5"}});
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "env_username_without_password";
    c.category = "environment";
    c.input = "`MLFLOW_TRACKING_USERNAME=ci` without `MLFLOW_TRACKING_PASSWORD`";
    c.message = "model-monitor: error: invalid MLFLOW_TRACKING_USERNAME: set "
                "MLFLOW_TRACKING_PASSWORD too (basic auth needs both)";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      return w.check({{"MLFLOW_TRACKING_USERNAME", "ci"}, {"MLFLOW_TRACKING_PASSWORD", ""}});
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "env_slack_channel_without_webhook";
    c.category = "environment";
    c.input = "`retrain` with `NOTIFICATION_CHANNELS=slack` and no `SLACK_WEBHOOK_URL`";
    c.message = "model-monitor: error: the slack notification channel needs SLACK_WEBHOOK_URL "
                "(or drop slack from NOTIFICATION_CHANNELS / --notification-channels)";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      auto r = w.retrain({}, {{"NOTIFICATION_CHANNELS", "slack"}});
      EXPECT_EQ(w.ollama().requests(), 0) << "refused before any specialist is touched";
      return r;
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "env_hosted_llm_without_key";
    c.category = "environment";
    c.input = "`retrain` with `LLM_PROVIDER=anthropic` and no `ANTHROPIC_API_KEY`";
    c.message = "model-monitor: error: LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) { return w.retrain({}, {{"LLM_PROVIDER", "anthropic"}}); };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "env_prompts_dir_missing";
    c.category = "environment";
    c.input = "`retrain` with `PROMPTS_DIR=/nonexistent/prompts`";
    c.message = "model-monitor: error: PROMPTS_DIR='/nonexistent/prompts' is not a directory";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      return w.retrain({}, {{"PROMPTS_DIR", "/nonexistent/prompts"}});
    };
    cases.push_back(c);
  }
  return cases;
}

std::vector<BadInputCase> flag_and_type_cases() {
  const std::string long_type(64, 'a');
  std::vector<BadInputCase> cases = {
      flag_case("flag_no_command", "flag", {},
                "model-monitor: usage error: A subcommand is required",
                "`model-monitor` (no command)"),
      flag_case("flag_unknown_command", "flag", {"frobnicate"},
                "model-monitor: usage error: unknown command 'frobnicate': expected check, "
                "retrain, version or config-reference"),
      flag_case("flag_specialist_type_missing", "flag", {"check"},
                "model-monitor: usage error: --specialist-type is required (a type or 'all')"),
      flag_case("flag_output_format_unknown", "flag",
                {"check", "--specialist-type", "technical", "--output-format", "yaml"},
                "model-monitor: usage error: --output-format: yaml not in {text,json}"),
      flag_case("flag_option_value_missing", "flag",
                {"check", "--specialist-type", "technical", "--output-format"},
                "model-monitor: usage error: --output-format: 1 required TEXT:{text,json} missing"),
      flag_case("flag_lang_unknown", "flag",
                {"check", "--specialist-type", "technical", "--lang", "fr"},
                "model-monitor: usage error: --lang: fr not in {pt-BR,en}"),
      flag_case("flag_concurrency_zero", "flag",
                {"check", "--specialist-type", "technical", "--concurrency", "0"},
                "model-monitor: usage error: --concurrency: Value 0 not in range 1 to 256"),
      flag_case("flag_export_metrics_not_http", "flag",
                {"check", "--specialist-type", "technical", "--export-metrics",
                 "ftp://ops:pw@pushgateway:9091"},
                "model-monitor: error: invalid --export-metrics 'ftp://***:***@pushgateway:9091': "
                "expected an http:// or https:// URL of a Pushgateway"),
      flag_case("flag_unknown_option", "flag",
                {"check", "--specialist-type", "technical", "--bogus"},
                "model-monitor: usage error: The following argument was not expected: --bogus"),
      flag_case("flag_notification_channel_unknown", "flag",
                {"retrain", "--specialist-type", "technical", "--notification-channels", "teams"},
                "model-monitor: error: invalid --notification-channels 'teams': expected slack, "
                "email"),
      flag_case("type_path_traversal", "specialist type",
                {"check", "--specialist-type", "../etc/passwd"},
                "model-monitor: error: invalid --specialist-type '../etc/passwd': expected 'all' "
                "or a name matching [a-z][a-z0-9_-]{0,62}"),
      flag_case("type_upper_case", "specialist type", {"check", "--specialist-type", "Technical"},
                "model-monitor: error: invalid --specialist-type 'Technical': expected 'all' or a "
                "name matching [a-z][a-z0-9_-]{0,62}"),
      flag_case("type_too_long", "specialist type", {"check", "--specialist-type", long_type},
                "model-monitor: error: invalid --specialist-type '" + long_type +
                    "': expected 'all' or a name matching [a-z][a-z0-9_-]{0,62}",
                "`--specialist-type` of 64 letters"),
      flag_case("type_non_ascii", "specialist type", {"check", "--specialist-type", "téchnical"},
                "model-monitor: error: invalid --specialist-type 'téchnical': expected 'all' or a "
                "name matching [a-z][a-z0-9_-]{0,62}"),
      flag_case("type_empty", "specialist type", {"check", "--specialist-type", ""},
                "model-monitor: usage error: --specialist-type is required (a type or 'all')"),
  };
  {
    BadInputCase c;
    c.id = "type_shell_metacharacters";
    c.category = "specialist type";
    c.input = "`retrain --specialist-type 'tech;touch <file>'`";
    c.message = "model-monitor: error: invalid --specialist-type 'tech;touch ";
    c.exit_code = 2;
    c.run = [](BadInputWorld& w) {
      return w.run({"retrain", "--specialist-type", "tech;touch " + w.marker().string()});
    };
    cases.push_back(c);
  }
  {
    // A well-formed name nobody registered: the real MLflow server says the experiment is missing.
    BadInputCase c;
    c.id = "type_unknown_to_mlflow";
    c.category = "specialist type";
    c.input = "`--specialist-type nosuch-badinput` (valid name, nothing in the real MLflow)";
    c.message = "experiment 'nosuch-badinput-specialist' not found at http://";
    c.exit_code = 3;
    c.run = [](BadInputWorld& w) {
      return w.run({"check", "--specialist-type", "nosuch-badinput"},
                   {{"MLFLOW_TRACKING_URI", require_service_env("MLFLOW_TRACKING_URI")}});
    };
    cases.push_back(c);
  }
  return cases;
}

} // namespace mm::test
