#include "adapters/pushgateway/text_format.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mm {
namespace {

TEST(TextFormat, EncodesFamiliesAsTheExpositionFormat) {
  std::vector<MetricFamily> fs = {
      {"neural_hive_model_performance_score",
       "Aggregate score",
       MetricType::gauge,
       {Sample{{}, 0.685, ""}}},
      {"neural_hive_auto_retrain_triggered_total",
       "Retrains",
       MetricType::counter,
       {Sample{{{"reason", "degraded"}, {"status", "success"}}, 3, ""}}},
  };
  EXPECT_EQ(encode_text(fs), "# HELP neural_hive_model_performance_score Aggregate score\n"
                             "# TYPE neural_hive_model_performance_score gauge\n"
                             "neural_hive_model_performance_score 0.685\n"
                             "# HELP neural_hive_auto_retrain_triggered_total Retrains\n"
                             "# TYPE neural_hive_auto_retrain_triggered_total counter\n"
                             "neural_hive_auto_retrain_triggered_total{reason=\"degraded\","
                             "status=\"success\"} 3\n");
}

TEST(TextFormat, EscapesAsTheDocumentationSays) {
  // https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
  EXPECT_EQ(escape_label_value("C:\\DIR\\FILE.TXT"), "C:\\\\DIR\\\\FILE.TXT");
  EXPECT_EQ(escape_label_value("Cannot find file:\n\"FILE.TXT\""),
            "Cannot find file:\\n\\\"FILE.TXT\\\"");
  EXPECT_EQ(escape_help("Escaping in HELP: \\ and \n, not \""),
            "Escaping in HELP: \\\\ and \\n, not \"");
}

TEST(TextFormat, SpecialValues) {
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(1.0), "1");
  EXPECT_EQ(format_sample_value(1764000000.5), "1764000000.5");
}

TEST(PushGroupPath, PlainAndBase64) {
  EXPECT_EQ(push_group_path("model-performance-monitor", "specialist_type", "technical"),
            "/metrics/job/model-performance-monitor/specialist_type/technical");
  // Examples from the Pushgateway README: a value with '/' uses @base64 (URL-safe alphabet).
  EXPECT_EQ(push_group_path("directory_cleaner", "path", "/var/tmp"),
            "/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA=");
  EXPECT_EQ(push_group_path("example", "first_label", ""),
            "/metrics/job/example/first_label@base64/=");
}

} // namespace
} // namespace mm
