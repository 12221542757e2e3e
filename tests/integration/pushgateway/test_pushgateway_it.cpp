// PushgatewaySink against the real Prometheus Pushgateway started by scripts/services.sh;
// what it holds afterwards is checked by the real promtool.
#include "adapters/http/http_client.hpp"
#include "adapters/pushgateway/pushgateway_sink.hpp"
#include "core/check_metrics.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace mm {
namespace {

std::string unique_type() {
  std::random_device rd;
  return "pg" + std::to_string(std::uniform_int_distribution<int>(100000, 999999)(rd));
}

std::string scrape(const std::string& base) {
  HttpClient http;
  auto r = http.send(HttpRequest::get(base + "/metrics"));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->body : "";
}

PerformanceReport sample_report(const std::string& type) {
  MlflowMetrics m;
  m.precision = 0.8;
  m.recall = 0.6;
  m.f1_score = 0.69;
  m.run_id = "r";
  FeedbackStats f;
  f.total_count = 10;
  f.rating_sum = 7.0;
  return evaluate_performance(type, std::chrono::system_clock::now(), m, f, {});
}

TEST(PushgatewayIT, PushedGroupIsScrapedBackWithTheSpecialistLabel) {
  const std::string base = test::require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  const std::string type = unique_type();
  PushgatewaySink sink(base, pushgateway_http_options());
  auto families = check_metric_families(sample_report(type));
  families.push_back(last_success_family(std::chrono::system_clock::now()));
  Status s = sink.push_group(type, families);
  ASSERT_TRUE(s.ok()) << s.error().message;

  const std::string body = scrape(base);
  const std::string labels =
      "{instance=\"\",job=\"model-performance-monitor\",specialist_type=\"" + type + "\"}";
  for (const char* name :
       {"neural_hive_model_performance_score", "neural_hive_model_degradation_detected",
        "neural_hive_mlflow_model_precision", "neural_hive_mlflow_model_recall",
        "neural_hive_mlflow_model_f1", "neural_hive_feedback_avg_rating",
        "neural_hive_feedback_count_current",
        "neural_hive_monitor_last_success_timestamp_seconds"}) {
    EXPECT_NE(body.find(std::string(name) + labels), std::string::npos) << name;
  }
  EXPECT_NE(body.find("neural_hive_model_degradation_detected" + labels + " 1"), std::string::npos);
}

TEST(PushgatewayIT, PutReplacesTheGroupAndLeavesOtherSpecialistsAlone) {
  const std::string base = test::require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  const std::string a = unique_type();
  const std::string b = unique_type() + "b";
  PushgatewaySink sink(base, pushgateway_http_options());
  ASSERT_TRUE(sink.push_group(a, check_metric_families(sample_report(a))).ok());
  ASSERT_TRUE(sink.push_group(b, check_metric_families(sample_report(b))).ok());
  // Second push of a without feedback: its feedback gauge must disappear (PUT semantics).
  MlflowMetrics m;
  m.f1_score = 0.9;
  m.precision = 0.9;
  m.recall = 0.9;
  auto no_feedback = evaluate_performance(a, std::chrono::system_clock::now(), m, {}, {});
  ASSERT_TRUE(sink.push_group(a, check_metric_families(no_feedback)).ok());
  const std::string body = scrape(base);
  EXPECT_EQ(
      body.find("neural_hive_feedback_avg_rating{instance=\"\",job=\"model-performance-monitor\","
                "specialist_type=\"" +
                a + "\"}"),
      std::string::npos);
  EXPECT_NE(
      body.find("neural_hive_feedback_avg_rating{instance=\"\",job=\"model-performance-monitor\","
                "specialist_type=\"" +
                b + "\"}"),
      std::string::npos);
}

TEST(PushgatewayIT, PromtoolAcceptsWhatThePushgatewayHolds) {
  const std::string base = test::require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  const std::string type = unique_type();
  PushgatewaySink sink(base, pushgateway_http_options());
  ASSERT_TRUE(sink.push_group(type, check_metric_families(sample_report(type))).ok());
  // Only our families: the Pushgateway's own go_* metrics are not ours to lint.
  std::string ours;
  std::istringstream in(scrape(base));
  for (std::string line; std::getline(in, line);) {
    if (line.find("neural_hive_") != std::string::npos) {
      ours += line + "\n";
    }
  }
  ASSERT_FALSE(ours.empty());
  const auto file = std::filesystem::temp_directory_path() / (type + ".prom");
  std::ofstream(file) << ours;
  auto r = test::run_process({"sh", "-c", "promtool check metrics < " + file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::filesystem::remove(file);
}

TEST(PushgatewayIT, UnreachablePushgatewayNamesTheUrl) {
  HttpOptions o = pushgateway_http_options();
  o.max_retries = 0;
  PushgatewaySink sink("http://user:secret@127.0.0.1:1", o);
  Status s = sink.push_group("technical", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(exit_code_for(s.error().kind), 3);
  EXPECT_NE(s.error().message.find("127.0.0.1:1"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("secret"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("PROMETHEUS_PUSHGATEWAY_URL"), std::string::npos);
}

} // namespace
} // namespace mm
