// MLflow stopped, slow, rate limiting (429 + Retry-After) and failing (503), for `check` and
// `retrain`: what the user sees, the exit code (DESIGN §1), the retry policy of
// src/adapters/http/retry_policy.hpp as the server sees it, and that nothing is started, lost
// or done twice.
#include "integration/faults/fault_fixture.hpp"

namespace mm::test {
namespace {

using namespace std::chrono;

constexpr const char* k_error_body =
    R"({"error_code":"TEMPORARILY_UNAVAILABLE","message":"injected by the fault proxy"})";

class MlflowFaults : public FaultTest {};

TEST_F(MlflowFaults, StoppedMlflowCheckExitsThreeNamingTheMaskedUrlAndCountsTheFailure) {
  const std::string port = std::to_string(closed_local_port());
  Env env = check_env();
  env["MLFLOW_TRACKING_URI"] = "http://admin:hunter2@127.0.0.1:" + port;
  env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "2";
  env["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "0";
  auto r = run_mm(
      {"check", "--specialist-type", m_type, "--lang", "en", "--export-metrics", m_pushgateway},
      env);
  EXPECT_EQ(r.exit_code(), 3) << r.all();
  // What failed, where (credentials masked), what to do; in the report and in the log.
  EXPECT_NE(r.process.out.find("Status: ❌ ERROR"), std::string::npos) << r.process.out;
  EXPECT_NE(r.process.out.find("http://***:***@127.0.0.1:" + port), std::string::npos)
      << r.process.out;
  EXPECT_NE(r.process.out.find("cannot connect"), std::string::npos) << r.process.out;
  EXPECT_NE(r.process.out.find("(after 3 attempts)"), std::string::npos) << r.process.out;
  EXPECT_NE(r.process.out.find("check that the service is running"), std::string::npos);
  EXPECT_NE(r.process.err.find("\"event\":\"specialist_check_failed\""), std::string::npos)
      << r.process.err;
  EXPECT_EQ(r.all().find("hunter2"), std::string::npos) << r.all();
  EXPECT_LT(r.elapsed, seconds(20)) << "2 retries of a refused connection, backoff factor 0";
  // Counted where the counter lives, and pushed (MLflowConnectionFailed alert).
  EXPECT_EQ(stored_counter("neural_hive_mlflow_connection_errors_total", {}), 1.0);
  EXPECT_NE(pushed_series().find("neural_hive_mlflow_connection_errors_total{instance=\"\",job="
                                 "\"model-performance-monitor\",specialist_type=\"" +
                                 m_type + "\"} 1"),
            std::string::npos)
      << pushed_series();
}

TEST_F(MlflowFaults, StoppedMlflowRetrainStartsNothingEvenForcedAndExitsThree) {
  production(0.78, 0.62, 0.69); // degraded
  feedback(5, 0.5);
  auto llm = proxy_for(m_llm, FaultProxy::Protocol::http);
  auto slack = proxy_for(m_slack, FaultProxy::Protocol::http);
  const std::string port = std::to_string(closed_local_port());
  Env env = retrain_env();
  env["MLFLOW_TRACKING_URI"] = "http://admin:hunter2@127.0.0.1:" + port;
  env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "1";
  env["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "0";
  env["LLM_BASE_URL"] = llm->http_url();
  env["SLACK_WEBHOOK_URL"] = slack->http_url() + "/services/T000/B000/XXXX";
  auto r = run_mm(retrain_args({"--force"}), env);
  EXPECT_EQ(r.exit_code(), 3) << r.all();
  Json j = json_of(r);
  EXPECT_EQ(j["result"], "error");
  EXPECT_EQ(j["decision"]["verdict"], "incomplete_data");
  const std::string error = str(j["check_error"]);
  EXPECT_NE(error.find("http://***:***@127.0.0.1:" + port), std::string::npos) << error;
  EXPECT_NE(error.find("cannot connect"), std::string::npos) << error;
  EXPECT_EQ(r.all().find("hunter2"), std::string::npos);
  // Nothing started: no ledger record, no LLM request, no dataset, no run, no notification.
  EXPECT_TRUE(ledger().empty());
  EXPECT_EQ(llm->request_count(), 0);
  EXPECT_TRUE(files_in_data_dir().empty());
  EXPECT_EQ(runs_in_experiment(), 1U) << "only the production run";
  EXPECT_EQ(alias_version("production"), m_baseline_version);
  EXPECT_EQ(slack->request_count(), 0);
  // The failure is counted like check's and pushed without erasing the last good gauges (POST).
  EXPECT_EQ(stored_counter("neural_hive_mlflow_connection_errors_total", {}), 1.0);
  EXPECT_NE(pushed_series().find("neural_hive_mlflow_connection_errors_total{instance=\"\",job="
                                 "\"model-performance-monitor\",specialist_type=\"" +
                                 m_type + "\"} 1"),
            std::string::npos);
}

TEST_F(MlflowFaults, SlowMlflowTimesOutAfterTheConfiguredAttemptsInBoundedTime) {
  production(0.86, 0.82, 0.84);
  auto mlflow = proxy_for(m_mlflow.tracking_uri(), FaultProxy::Protocol::http);
  mlflow->delay(milliseconds(4000)); // every answer 4 s late; the timeout is 1 s
  Env env = check_env();
  env["MLFLOW_TRACKING_URI"] = mlflow->http_url();
  env["MLFLOW_HTTP_REQUEST_TIMEOUT"] = "1";
  env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "1";
  env["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "0";
  auto r = run_mm({"check", "--specialist-type", m_type, "--output-format", "json"}, env);
  EXPECT_EQ(r.exit_code(), 3) << r.all();
  Json j = json_of(r);
  EXPECT_EQ(j["status"], "error");
  EXPECT_EQ(j["error"]["kind"], "timeout");
  const std::string message = str(j["error"]["message"]);
  EXPECT_NE(message.find("no answer in time"), std::string::npos) << message;
  EXPECT_NE(message.find("total 1000 ms"), std::string::npos) << message;
  EXPECT_NE(message.find("(after 2 attempts)"), std::string::npos) << message;
  EXPECT_NE(message.find(mlflow->address()), std::string::npos) << message;
  // One timed-out request and its one retry (a GET: idempotent), nothing after.
  const auto requests = mlflow->requests();
  ASSERT_EQ(requests.size(), 2U) << r.all();
  EXPECT_EQ(requests[0].label, requests[1].label);
  EXPECT_LT(r.elapsed, seconds(10)) << "2 attempts of 1 s + one retry's jitter (< 1 s)";
}

TEST_F(MlflowFaults, RateLimitedMlflowHonoursRetryAfterThenSucceeds) {
  production(0.86, 0.82, 0.84);
  feedback(4, 0.9);
  auto mlflow = proxy_for(m_mlflow.tracking_uri(), FaultProxy::Protocol::http);
  mlflow->answer_http(429, {{"Retry-After", "1"}}, k_error_body, 2);
  Env env = check_env();
  env["MLFLOW_TRACKING_URI"] = mlflow->http_url();
  auto r = run_mm({"check", "--specialist-type", m_type, "--output-format", "json"}, env);
  EXPECT_EQ(r.exit_code(), 0) << r.all();
  Json j = json_of(r);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_DOUBLE_EQ(j["mlflow_metrics"]["precision"].get<double>(), 0.86);
  EXPECT_EQ(j["feedback_stats"]["total_count"], 4);
  const auto requests = mlflow->requests();
  ASSERT_GE(requests.size(), 3U);
  // The first request was answered 429 twice and sent again each time, 1 s later
  // (Retry-After replaces the exponential backoff), then relayed.
  EXPECT_FALSE(requests[0].relayed);
  EXPECT_FALSE(requests[1].relayed);
  EXPECT_TRUE(requests[2].relayed);
  EXPECT_EQ(requests[0].label, requests[1].label);
  EXPECT_EQ(requests[1].label, requests[2].label);
  EXPECT_GE(requests[1].at - requests[0].at, milliseconds(1000));
  EXPECT_GE(requests[2].at - requests[1].at, milliseconds(1000));
  EXPECT_LT(requests[2].at - requests[0].at, milliseconds(4000)) << "not the 2 s + 4 s backoff";
  EXPECT_GE(r.elapsed, milliseconds(2000));
}

TEST_F(MlflowFaults, PersistentlyUnavailableMlflowExitsThreeAfterExactlyTheConfiguredAttempts) {
  production(0.86, 0.82, 0.84);
  auto mlflow = proxy_for(m_mlflow.tracking_uri(), FaultProxy::Protocol::http);
  mlflow->answer_http(503, {}, k_error_body, -1);
  Env env = check_env();
  env["MLFLOW_TRACKING_URI"] = mlflow->http_url();
  env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "3";
  env["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "0.1";
  auto r = run_mm({"check", "--specialist-type", m_type, "--lang", "en"}, env);
  EXPECT_EQ(r.exit_code(), 3) << r.all();
  EXPECT_NE(r.process.out.find("HTTP 503 (after 4 attempts)"), std::string::npos) << r.process.out;
  EXPECT_NE(r.process.out.find("TEMPORARILY_UNAVAILABLE"), std::string::npos) << r.process.out;
  EXPECT_NE(r.process.out.find("retry later"), std::string::npos) << r.process.out;
  EXPECT_NE(r.process.out.find(mlflow->address()), std::string::npos) << r.process.out;
  // Exactly 1 + MLFLOW_HTTP_REQUEST_MAX_RETRIES attempts of the same request, then nothing:
  // a 503 on the alias lookup is not mistaken for "no alias" (which would go on to the legacy
  // stage and the runs).
  const auto requests = mlflow->requests();
  ASSERT_EQ(requests.size(), 4U) << r.all();
  for (const auto& req : requests) {
    EXPECT_EQ(req.label, requests[0].label);
  }
  // Backoff factor 0.1: 0, then 0.2 s and 0.4 s plus up to 1 s of jitter each.
  EXPECT_LT(r.elapsed, seconds(10));
}

TEST_F(MlflowFaults, UnavailableRunsCreateIsSentOnceAndLeavesNoRun) {
  production(0.78, 0.62, 0.69); // degraded
  feedback_with_opinions();
  auto mlflow = proxy_for(m_mlflow.tracking_uri(), FaultProxy::Protocol::http);
  mlflow->answer_http(503, {}, k_error_body, -1, "POST /api/2.0/mlflow/runs/create");
  Env env = retrain_env();
  env["MLFLOW_TRACKING_URI"] = mlflow->http_url();
  env["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "0";
  auto r = run_mm(retrain_args(), env);
  EXPECT_EQ(r.exit_code(), 1) << r.all();
  Json j = json_of(r);
  EXPECT_EQ(j["result"], "failed");
  EXPECT_EQ(j["error"]["step"], "training");
  const std::string message = str(j["error"]["message"]);
  EXPECT_NE(message.find("503"), std::string::npos) << message;
  EXPECT_NE(message.find(mlflow->address()), std::string::npos) << message;
  // runs/create is not idempotent (a resent one makes a second run): sent once, not retried,
  // although the GETs of the same run are retried up to MLFLOW_HTTP_REQUEST_MAX_RETRIES times.
  EXPECT_EQ(mlflow->request_count("POST /api/2.0/mlflow/runs/create"), 1);
  EXPECT_EQ(runs_in_experiment(), 1U) << "only the production run";
  EXPECT_EQ(alias_version("production"), m_baseline_version);
  // The ledger closes the attempt as failed before training (no run id: no cooldown).
  const auto records = ledger();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].state(), "failed");
  EXPECT_EQ(records[0].run_id(), "");
  EXPECT_TRUE(records[0].finished());
  // The dataset was written whole (atomic rename), nothing else is left behind.
  const auto files = files_in_data_dir();
  ASSERT_EQ(files.size(), 1U);
  EXPECT_EQ(files[0].extension(), ".parquet");
  EXPECT_EQ(files[0].string(), j["dataset"]["path"].get<std::string>());
  EXPECT_EQ(stored_counter("neural_hive_auto_retrain_triggered_total",
                           {{"reason", "degradation"}, {"status", "failed"}}),
            1.0);
}

} // namespace
} // namespace mm::test
