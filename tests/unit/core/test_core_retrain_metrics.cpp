#include "core/retrain_metrics.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(RetrainMetrics, HistogramIncrementsFillEveryBucketAtOrAboveTheValue) {
  auto inc = generation_histogram_increments(100.0);
  double count_at_60 = -1;
  double count_at_120 = -1;
  double inf = -1;
  double sum = -1;
  for (const auto& c : inc) {
    if (c.name.ends_with("_bucket") && c.labels.at("le") == "60") {
      count_at_60 = c.value;
    }
    if (c.name.ends_with("_bucket") && c.labels.at("le") == "120") {
      count_at_120 = c.value;
    }
    if (c.name.ends_with("_bucket") && c.labels.at("le") == "+Inf") {
      inf = c.value;
    }
    if (c.name.ends_with("_sum")) {
      sum = c.value;
    }
  }
  EXPECT_EQ(count_at_60, 0.0);
  EXPECT_EQ(count_at_120, 1.0);
  EXPECT_EQ(inf, 1.0);
  EXPECT_EQ(sum, 100.0);
}

TEST(RetrainMetrics, FamiliesFromStoredCountersInExpositionOrder) {
  std::vector<CounterValue> stored = {
      {k_metric_retrain_triggered, {{"reason", "degradation"}, {"status", "success"}}, 3},
      {k_metric_retrain_success, {{"improved", "true"}}, 2},
  };
  auto inc = generation_histogram_increments(45);
  // Stored order is arbitrary; the family must still be ordered.
  stored.insert(stored.end(), inc.rbegin(), inc.rend());
  const TimePoint t(std::chrono::seconds(1700000000));
  auto fams = retrain_metric_families(stored, t, 12.5);
  ASSERT_EQ(fams.size(), 6U);
  EXPECT_EQ(fams[0].name, k_metric_retrain_triggered);
  EXPECT_EQ(fams[0].type, MetricType::counter);
  EXPECT_EQ(fams[0].samples[0].value, 3);
  EXPECT_EQ(fams[2].name, k_metric_generation_errors);
  EXPECT_EQ(fams[2].samples[0].value, 0.0) << "a counter that never moved is exposed at 0";
  const MetricFamily& h = fams[3];
  EXPECT_EQ(h.type, MetricType::histogram);
  EXPECT_EQ(h.samples.front().labels.at("le"), "30");
  EXPECT_EQ(h.samples[h.samples.size() - 3].labels.at("le"), "+Inf");
  EXPECT_EQ(h.samples[h.samples.size() - 2].suffix, "_sum");
  EXPECT_EQ(h.samples.back().suffix, "_count");
  EXPECT_EQ(fams[4].name, k_metric_last_trigger);
  EXPECT_EQ(fams[4].samples[0].value, 1700000000.0);
  EXPECT_EQ(fams[5].name, k_metric_retrain_duration);
}

} // namespace
} // namespace mm
