// Issue 5 item 9: API keys, the Slack webhook URL, the SMTP password and the credentials inside
// MONGODB_URI / MLFLOW_TRACKING_URI (and PROMETHEUS_PUSHGATEWAY_URL, LLM_BASE_URL, the MLflow
// basic-auth password and token) never appear in logs, errors, --print-config, notifications or
// MLflow. The real binary runs with a distinctive value planted in each (secrets_fixture.hpp);
// every output of the run is then grepped for every form of every secret (leak_scan.hpp).
//
// Outputs grepped: stdout and stderr of every invocation (text and JSON reports, JSON and text
// logs); the body and headers of every Slack message; every email as the SMTP server stored it;
// what the LLM received besides its key header; the MLflow runs model-monitor created (runs/get:
// tags, params, metrics, inputs), every artifact of those runs and of their logged models (listing
// and content), the registered models and their versions (tags, description, source); every
// document of model_monitor_state in the test's database; the Pushgateway's /metrics; every
// file under DATA_DIR (datasets, training logs) and the Parquet metadata and string columns of
// each dataset as pyarrow reads them.
//
// Not grepped, on purpose: the stand-ins' record of where a secret legitimately goes (the
// webhook path Slack was posted to, the LLM key header; both are checked to hold exactly the
// planted value), and the SMTP AUTH exchange itself.
#include "integration/secrets/secrets_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mm::test {
namespace {

using Json = nlohmann::json;

std::string both(const ProcessResult& r) {
  return "stdout:\n" + r.out + "\nstderr:\n" + r.err;
}

bool mentions(const ProcessResult& r, const std::string& text) {
  return r.out.find(text) != std::string::npos || r.err.find(text) != std::string::npos;
}

// --print-config of both commands, and the start-up error of an invalid value of every variable
// that holds a secret (the message names the variable and shows the value masked).
TEST_F(SecretsTest, PrintConfigAndInvalidValuesShowNoSecret) {
  const std::string llm_url =
      with_userinfo("http://127.0.0.1:11434", "llmuser", k_llm_url_password);
  for (const char* command : {"check", "retrain"}) {
    for (const char* format : {"json", "text"}) {
      auto r = run("all secrets planted", {command, "--print-config"},
                   {{"LOG_FORMAT", format}, {"LLM_BASE_URL", llm_url}});
      ASSERT_EQ(r.exit_code, 0) << both(r);
      EXPECT_NE(r.out.find("OPENAI_API_KEY=***"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("SMTP_PASSWORD=***"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("SLACK_WEBHOOK_URL=***"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("MONGODB_URI=mongodb://***:***@"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("MLFLOW_TRACKING_URI=http://***:***@"), std::string::npos) << r.out;
    }
  }

  struct Invalid {
    const char* variable;
    std::string value;
  };
  const std::vector<Invalid> invalid = {
      {"MONGODB_URI", std::string("http://mmuser:") + k_mongo_password + "@127.0.0.1:27117/"},
      {"MLFLOW_TRACKING_URI", std::string("mlflow://mmuser:") + k_mlflow_uri_password + "@h:5000"},
      {"PROMETHEUS_PUSHGATEWAY_URL", std::string("tcp://pguser:") + k_pushgateway_password + "@h"},
      {"LLM_BASE_URL", std::string("ollama://llmuser:") + k_llm_url_password + "@h:11434"},
      {"SLACK_WEBHOOK_URL", std::string("hooks.slack.com") + k_slack_path},
  };
  for (const auto& [variable, value] : invalid) {
    for (const char* format : {"json", "text"}) {
      auto r = run(std::string("invalid ") + variable, {"check", "--specialist-type", "all"},
                   {{variable, value}, {"LOG_FORMAT", format}});
      EXPECT_EQ(r.exit_code, 2) << variable << "\n" << both(r);
      EXPECT_TRUE(mentions(r, variable)) << both(r);
    }
  }
  expect_no_leaks();
}

// The full run: check of a small fleet (JSON and text, metrics pushed with credentials in the
// URL), a real retrain of a degraded specialist with LLM_PROVIDER=openai (dataset → `mlflow run`
// → promotion → Slack + email) and a failing retrain with LLM_PROVIDER=anthropic (the training
// project fails; Slack refuses the message with 404 no_service; the email goes out).
TEST_F(SecretsTest, FullRunLeaksNoSecretAnywhere) {
  const std::string healthy = specialist("sech", 0.92, 0.90, 0.91);
  const std::string degraded = specialist("secd", 0.45, 0.40, 0.42);
  const std::string failing = specialist("secf", 0.45, 0.40, 0.42);

  // Metrics pushed with basic-auth credentials in the URL (the Pushgateway ignores them): from
  // --export-metrics here, from PROMETHEUS_PUSHGATEWAY_URL in the text run.
  const std::string export_url = with_userinfo(m_pushgateway, "pguser", k_pushgateway_password);
  auto json = run("the fleet", {"check", "--specialist-type", "all", "--output-format", "json",
                                "--export-metrics", export_url});
  ASSERT_EQ(json.exit_code, 1) << both(json);
  const Json report = json_of(json);
  EXPECT_EQ(report["summary"]["degraded"], 2) << report.dump(2);
  for (const auto& r : report["reports"]) {
    EXPECT_TRUE(r["push_error"].is_null()) << r.dump(2);
    EXPECT_TRUE(r["feedback_stats"]["available"].get<bool>()) << r.dump(2);
  }
  auto text = run("the fleet", {"check", "--specialist-type", "all", "--lang", "en"},
                  {{"LOG_FORMAT", "text"}});
  EXPECT_EQ(text.exit_code, 1) << both(text);
  EXPECT_NE(text.out.find("PERFORMANCE REPORT - " + healthy), std::string::npos) << text.out;

  for (const char* format : {"json", "text"}) {
    auto plan =
        run("the plan",
            {"retrain", "--specialist-type", degraded, "--dry-run", "--output-format", format},
            {{"LOG_FORMAT", format}});
    EXPECT_EQ(plan.exit_code, 0) << both(plan);
    EXPECT_TRUE(mentions(plan, "mlflow")) << both(plan);
  }

  auto promoted = run("real training, OpenAI",
                      {"retrain", "--specialist-type", degraded, "--output-format", "json"});
  ASSERT_EQ(promoted.exit_code, 0) << both(promoted);
  const Json p = json_of(promoted);
  EXPECT_EQ(p["result"], "promoted") << p.dump(2);
  EXPECT_EQ(p["notifications"]["slack"], "sent") << p.dump(2);
  EXPECT_EQ(p["notifications"]["email"], "sent") << p.dump(2);
  const std::string promoted_run = p["training"]["run_id"];
  m_mlflow.adopt_run(promoted_run);

  slack().control(R"({"mode": "no_service", "count": 1})");
  auto failed = run("failing training, Anthropic", {"retrain", "--specialist-type", failing},
                    {{"LOG_FORMAT", "text"},
                     {"LLM_PROVIDER", "anthropic"},
                     {"LLM_BASE_URL", "http://127.0.0.1:" + std::to_string(m_llm_port)},
                     {"LLM_MODEL", "claude-3-5-haiku-latest"},
                     {"DATASET_NUM_SAMPLES", "100"},
                     {"RETRAINING_MLFLOW_PROJECT_URI",
                      std::string(MM_SOURCE_DIR) + "/tests/data/failing_project"}});
  EXPECT_EQ(failed.exit_code, 1) << both(failed);
  EXPECT_TRUE(mentions(failed, "no_service")) << "the Slack error path was not taken\n"
                                              << both(failed);
  // The failed run, found as the binary tagged it (its text report is not parsed).
  const Json search = m_mlflow.call_ok(
      "POST", "runs/search",
      Json{{"experiment_ids", {m_mlflow.get_or_create_experiment(failing + "-specialist")}},
           {"filter", "tags.`model_monitor.failure` = 'training_failed'"}});
  ASSERT_EQ(search.value("runs", Json::array()).size(), 1U) << search.dump(2);
  const std::string failed_run = search["runs"][0]["info"]["run_id"];
  m_mlflow.adopt_run(failed_run);

  collect_mlflow_run(promoted_run);
  collect_mlflow_run(failed_run);
  collect_registered_model(degraded + "-specialist");
  collect_registered_model(failing + "-specialist");
  collect_mongo_state();
  collect_pushgateway();
  collect_data_dir();
  collect_notifications();
  EXPECT_EQ(slack().records().size(), 2U) << "one Slack message per retrain";
  EXPECT_EQ(m_smtp->messages().size(), 2U) << "one email per retrain";
  expect_llm_keys_only_in_headers(1, 1);
  expect_no_leaks();
}

// Every service unreachable or refusing, with credentials in its URL, in both log formats.
TEST_F(SecretsTest, ErrorPathsLeakNoSecret) {
  const std::string type = specialist("sece", 0.92, 0.90, 0.91);
  const std::string closed = "127.0.0.1:" + std::to_string(closed_local_port());
  const std::string mlflow_down =
      with_userinfo("http://" + closed, k_mlflow_user, k_mlflow_uri_password);
  const std::string pushgateway_down =
      with_userinfo("http://" + closed, "pguser", k_pushgateway_password);
  const std::string mongo_down = std::string("mongodb://") + k_mongo_user + ":" + k_mongo_password +
                                 "@" + closed +
                                 "/?authMechanism=PLAIN&authSource=%24external&"
                                 "serverSelectionTimeoutMS=1500&connectTimeoutMS=1000";
  // libmongoc's default mechanism (SCRAM) against the real FerretDB, which refuses it.
  const std::string mongo_scram = with_userinfo(uri(), k_mongo_user, k_mongo_password);
  const std::string echo = start_echo_server();
  const std::string mongo_bad_option = mongo_uri_with_credentials(uri()) + "&authMechanism=BOGUS";

  for (const char* format : {"json", "text"}) {
    const std::vector<std::string> check = {"check", "--specialist-type", type, "--output-format",
                                            format};
    auto r = run("MLflow and the Pushgateway unreachable", check,
                 {{"LOG_FORMAT", format},
                  {"MLFLOW_TRACKING_URI", mlflow_down},
                  {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"},
                  {"PROMETHEUS_PUSHGATEWAY_URL", pushgateway_down}});
    EXPECT_EQ(r.exit_code, 3) << both(r);
    EXPECT_TRUE(mentions(r, "cannot connect")) << both(r);

    r = run("MongoDB unreachable", check, {{"LOG_FORMAT", format}, {"MONGODB_URI", mongo_down}});
    EXPECT_EQ(r.exit_code, 3) << both(r);

    // Rejected credentials are a configuration error (exit 2: "check the user, password and
    // authSource in MONGODB_URI").
    r = run("MongoDB refuses SCRAM", check, {{"LOG_FORMAT", format}, {"MONGODB_URI", mongo_scram}});
    EXPECT_EQ(r.exit_code, 2) << both(r);
    EXPECT_TRUE(mentions(r, "authentication")) << both(r);

    // The driver cannot parse the password (a bad %-escape): exit 2 at start-up.
    r = run("libmongoc cannot parse the URI", check,
            {{"LOG_FORMAT", format},
             {"MONGODB_URI", with_userinfo(uri(), k_mongo_user, "LEAKCANARY-mongo%ZZ")}});
    EXPECT_EQ(r.exit_code, 2) << both(r);

    r = run("libmongoc refuses the URI", check,
            {{"LOG_FORMAT", format}, {"MONGODB_URI", mongo_bad_option}});
    EXPECT_TRUE(r.exit_code == 2 || r.exit_code == 3) << both(r);

    r = run("the Pushgateway unreachable", check,
            {{"LOG_FORMAT", format}, {"PROMETHEUS_PUSHGATEWAY_URL", pushgateway_down}});
    EXPECT_EQ(r.exit_code, 3) << both(r);

    // The LLM, Slack and SMTP unreachable: dataset generation fails, both notifications fail.
    r = run(
        "LLM, Slack and SMTP unreachable",
        {"retrain", "--specialist-type", type, "--force", "--output-format", format},
        {{"LOG_FORMAT", format},
         {"LLM_BASE_URL", with_userinfo("http://" + closed + "/v1", "llmuser", k_llm_url_password)},
         {"DATASET_NUM_SAMPLES", "20"},
         {"DATASET_GENERATION_TIMEOUT", "20"},
         {"SLACK_WEBHOOK_URL", "http://" + closed + k_slack_path},
         {"SMTP_PORT", closed.substr(closed.find(':') + 1)}});
    EXPECT_EQ(r.exit_code, 1) << both(r);
    EXPECT_TRUE(mentions(r, "slack_notification_failed")) << both(r);
    EXPECT_TRUE(mentions(r, "email_notification_failed")) << both(r);

    // Servers that quote the credentials they received in their error body (echo_server.py).
    r = run(
        "MLflow and the Pushgateway quote the credentials", check,
        {{"LOG_FORMAT", format},
         {"MLFLOW_TRACKING_URI", with_userinfo(echo, k_mlflow_user, k_mlflow_uri_password)},
         {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"},
         {"PROMETHEUS_PUSHGATEWAY_URL", with_userinfo(echo, "pguser", k_pushgateway_password)}});
    EXPECT_EQ(r.exit_code, 2) << both(r); // 401: "check MLFLOW_TRACKING_TOKEN or ..."

    r = run(
        "the Pushgateway quotes the credentials", check,
        {{"LOG_FORMAT", format},
         {"PROMETHEUS_PUSHGATEWAY_URL", with_userinfo(echo, "pguser", k_pushgateway_password)}});
    EXPECT_EQ(r.exit_code, 3) << both(r);

    for (const char* provider : {"openai", "anthropic"}) {
      r = run(std::string("the LLM (") + provider + ") and Slack quote the credentials",
              {"retrain", "--specialist-type", type, "--force", "--output-format", format},
              {{"LOG_FORMAT", format},
               {"LLM_PROVIDER", provider},
               {"LLM_BASE_URL", std::string(provider) == "openai" ? echo + "/v1" : echo},
               {"DATASET_NUM_SAMPLES", "20"},
               {"DATASET_GENERATION_TIMEOUT", "20"},
               {"SLACK_WEBHOOK_URL", echo + k_slack_path},
               {"SMTP_PORT", closed.substr(closed.find(':') + 1)}});
      EXPECT_EQ(r.exit_code, 2) << both(r); // 401: "check OPENAI_API_KEY", a configuration error
      EXPECT_TRUE(mentions(r, "slack_notification_failed")) << both(r);
    }

    r = run("MLflow unreachable", {"retrain", "--specialist-type", type, "--output-format", format},
            {{"LOG_FORMAT", format},
             {"MLFLOW_TRACKING_URI", mlflow_down},
             {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"}});
    EXPECT_EQ(r.exit_code, 3) << both(r);
  }
  collect_mongo_state();
  collect_pushgateway();
  collect_data_dir(/*must_have_files=*/false);
  expect_no_leaks();
}

} // namespace
} // namespace mm::test
