// The outputs failing: the Pushgateway down (check and retrain), the SMTP server down and the
// Slack webhook answering 500 during a real retrain (one real `mlflow run` training). What a run
// produced must not be lost nor undone because it could not be reported.
#include "integration/faults/fault_fixture.hpp"

namespace mm::test {
namespace {

using namespace std::chrono;

class SinkFaults : public FaultTest {};

TEST_F(SinkFaults, PushgatewayDownCheckPrintsTheReportAndExitsThreeNamingTheUrl) {
  production(0.86, 0.82, 0.84);
  feedback(3, 0.9);
  const std::string port = std::to_string(closed_local_port());
  auto r = run_mm({"check", "--specialist-type", m_type, "--lang", "en", "--export-metrics",
                   "http://push:p4ss@127.0.0.1:" + port},
                  check_env());
  EXPECT_EQ(r.exit_code(), 3) << r.all();
  const std::string& out = r.process.out;
  // The report is complete and healthy; only the export failed.
  EXPECT_NE(out.find("PERFORMANCE REPORT - " + m_type), std::string::npos) << out;
  EXPECT_NE(out.find("Status: ✅ OK"), std::string::npos) << out;
  EXPECT_NE(out.find("Average: 0.90"), std::string::npos) << out;
  EXPECT_NE(out.find("Metrics export failed: pushing metrics of '" + m_type +
                     "' to the Pushgateway failed: PUT http://***:***@127.0.0.1:" + port +
                     "/metrics/job/model-performance-monitor/specialist_type/" + m_type),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("cannot connect"), std::string::npos) << out;
  EXPECT_NE(out.find("--export-metrics or PROMETHEUS_PUSHGATEWAY_URL"), std::string::npos);
  EXPECT_NE(r.process.err.find("\"event\":\"metrics_push_failed\""), std::string::npos);
  EXPECT_EQ(r.all().find("p4ss"), std::string::npos) << r.all();
  EXPECT_LT(r.elapsed, seconds(20)) << "3 attempts of a refused connection";
}

TEST_F(SinkFaults, PushgatewayDownRetrainStillRecordsItsOutcomeAndPushesItLater) {
  production(0.86, 0.82, 0.84); // healthy: only --force retrains
  feedback(3, 0.9);
  const std::string port = std::to_string(closed_local_port());
  Env env = retrain_env();
  env["PROMETHEUS_PUSHGATEWAY_URL"] = "http://127.0.0.1:" + port;
  // A retrain that fails fast, at the dataset step: there is no dataset to reuse.
  auto r = run_mm(retrain_args({"--force", "--skip-dataset-generation"}), env);
  EXPECT_EQ(r.exit_code(), 1) << r.all();
  Json j = json_of(r);
  EXPECT_EQ(j["result"], "failed");
  EXPECT_EQ(j["error"]["step"], "dataset_generation");
  EXPECT_NE(r.process.err.find("\"event\":\"metrics_push_failed\""), std::string::npos)
      << r.process.err;
  EXPECT_NE(r.process.err.find("http://127.0.0.1:" + port), std::string::npos) << r.process.err;
  // The outcome is recorded where it lives, whatever happened to the push.
  const auto records = ledger();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].state(), "failed");
  EXPECT_TRUE(records[0].finished());
  EXPECT_EQ(stored_counter("neural_hive_auto_retrain_triggered_total",
                           {{"reason", "forced"}, {"status", "failed"}}),
            1.0);
  EXPECT_EQ(pushed_series(), "") << "nothing reached the real Pushgateway";
  // The next run, with the Pushgateway back (nothing to retrain: healthy), pushes the counters
  // whole from model_monitor_state: the failure is not lost.
  auto next = run_mm(retrain_args(), retrain_env());
  EXPECT_EQ(next.exit_code(), 0) << next.all();
  EXPECT_EQ(json_of(next)["decision"]["verdict"], "healthy");
  EXPECT_NE(
      pushed_series().find("neural_hive_auto_retrain_triggered_total{instance=\"\",job=\""
                           "model-performance-monitor\",reason=\"forced\",specialist_type=\"" +
                           m_type + "\",status=\"failed\"} 1"),
      std::string::npos)
      << pushed_series();
  EXPECT_EQ(ledger().size(), 1U) << "the healthy run recorded no retrain";
}

TEST_F(SinkFaults, SmtpDownAndSlack500DoNotUndoARealRetrain) {
  production(0.45, 0.40, 0.42); // degraded even against the 0.5 thresholds below
  feedback_with_opinions();
  auto slack = proxy_for(m_slack, FaultProxy::Protocol::http);
  slack->answer_http(500, {}, "internal_error", -1);
  const std::string smtp_port = std::to_string(closed_local_port());
  Env env = retrain_env();
  env["SLACK_WEBHOOK_URL"] = slack->http_url() + "/services/T000/B000/XXXX";
  env["SMTP_PORT"] = smtp_port;
  env["DATASET_NUM_SAMPLES"] = "600";
  // As in tests/integration/retrain: team thresholds at 0.5 so that the candidate trained on the
  // stand-in's rows passes them; the promotion itself is not what this test is about.
  env["PRECISION_THRESHOLD"] = "0.5";
  env["RECALL_THRESHOLD"] = "0.5";
  env["F1_THRESHOLD"] = "0.5";
  env["AGGREGATE_THRESHOLD"] = "0.5";
  auto r = run_mm(retrain_args(), env, seconds(600));
  EXPECT_EQ(r.exit_code(), 0) << "notification failures are not retrain failures\n" << r.all();
  Json j = json_of(r);
  const std::string result = str(j["result"]);
  ASSERT_TRUE(result == "promoted" || result == "rejected") << j.dump(2);
  const std::string run_id = str(j["training"]["run_id"]);
  m_mlflow.adopt_run(run_id);

  // Both failures reported, each naming what failed and where, the webhook's secret path masked.
  const std::string slack_error = str(j["notifications"]["slack"]);
  EXPECT_NE(slack_error.find("Slack notification for '" + m_type + "' not delivered"),
            std::string::npos)
      << slack_error;
  EXPECT_NE(slack_error.find("HTTP 500"), std::string::npos) << slack_error;
  const std::string email_error = str(j["notifications"]["email"]);
  EXPECT_NE(email_error.find("email notification for '" + m_type + "'"), std::string::npos)
      << email_error;
  EXPECT_NE(email_error.find("SMTP server " + m_smtp_host + ":" + smtp_port), std::string::npos)
      << email_error;
  EXPECT_NE(email_error.find("cannot connect"), std::string::npos) << email_error;
  EXPECT_NE(r.process.err.find("\"event\":\"slack_notification_failed\""), std::string::npos);
  EXPECT_NE(r.process.err.find("\"event\":\"email_notification_failed\""), std::string::npos);
  EXPECT_EQ(r.all().find("T000/B000/XXXX"), std::string::npos) << "the webhook path is a secret";
  // A 500 is retried (the webhook is sent as idempotent: a duplicate beats a lost message):
  // 1 + 3 attempts (slack_http_options), no more.
  EXPECT_EQ(slack->request_count("POST /services/T000/B000/XXXX"), 4);

  // The retrain itself stands: the run finished, the decision is applied and recorded.
  EXPECT_EQ(m_mlflow.get_run(run_id)["info"]["status"], "FINISHED");
  const auto prod = alias_version("production");
  ASSERT_TRUE(prod);
  if (result == "promoted") {
    EXPECT_NE(*prod, m_baseline_version);
    EXPECT_EQ(m_mlflow.get_model_version(m_type + "-specialist", *prod)["run_id"], run_id);
    EXPECT_EQ(alias_version("previous-production"), m_baseline_version);
  } else {
    EXPECT_EQ(*prod, m_baseline_version);
  }
  const auto records = ledger();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].state(), result);
  EXPECT_EQ(records[0].run_id(), run_id);
  EXPECT_TRUE(records[0].finished());
  EXPECT_NE(pushed_series().find("neural_hive_auto_retrain_success_total{improved=\"" +
                                 std::string(result == "promoted" ? "true" : "false") +
                                 "\",instance=\"\",job=\"model-performance-monitor\","
                                 "specialist_type=\"" +
                                 m_type + "\"} 1"),
            std::string::npos)
      << pushed_series();
  for (const auto& status : run_statuses()) {
    EXPECT_NE(status, "RUNNING") << "no run left RUNNING";
  }
}

} // namespace
} // namespace mm::test
