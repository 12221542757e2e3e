#include "core/performance.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace mm {
namespace {

MlflowMetrics healthy_metrics() {
  MlflowMetrics m;
  m.precision = 0.90;
  m.recall = 0.85;
  m.f1_score = 0.87;
  m.accuracy = 0.88;
  m.run_id = "run1";
  return m;
}

FeedbackStats feedback_with_avg(double avg, std::int64_t n = 100) {
  FeedbackStats f;
  f.total_count = n;
  f.rating_sum = avg * static_cast<double>(n);
  f.positive_count = n;
  return f;
}

const TimePoint k_now = TimePoint(std::chrono::seconds(1'764'000'000));

bool has_reason(const PerformanceReport& r, Metric m) {
  for (const auto& d : r.reasons) {
    if (d.metric == m) {
      return true;
    }
  }
  return false;
}

TEST(AggregateScore, WeightsF1SeventyAndFeedbackThirtyPercent) {
  EXPECT_DOUBLE_EQ(aggregate_score(0.8, 0.5), 0.7 * 0.8 + 0.3 * 0.5);
  EXPECT_DOUBLE_EQ(aggregate_score(1.0, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(aggregate_score(0.0, 0.0), 0.0);
  EXPECT_NEAR(aggregate_score(0.776, 0.68), 0.7472, 1e-12);
}

TEST(AggregateScore, UnknownFeedbackFallsBackToF1AloneNotZero) {
  EXPECT_DOUBLE_EQ(aggregate_score(0.8, std::nullopt), 0.8);
}

TEST(EffectiveF1, PrefersLoggedF1) {
  MlflowMetrics m = healthy_metrics();
  m.f1_score = 0.5;
  EXPECT_DOUBLE_EQ(*effective_f1(m), 0.5);
}

TEST(EffectiveF1, DerivesHarmonicMeanWhenF1Missing) {
  MlflowMetrics m;
  m.precision = 0.8;
  m.recall = 0.6;
  EXPECT_NEAR(*effective_f1(m), 2 * 0.8 * 0.6 / 1.4, 1e-12);
  m.precision = 0.0;
  m.recall = 0.0;
  EXPECT_DOUBLE_EQ(*effective_f1(m), 0.0);
}

TEST(EffectiveF1, NoneWithoutF1AndOneOfPrecisionRecall) {
  MlflowMetrics m;
  m.precision = 0.8;
  EXPECT_FALSE(effective_f1(m).has_value());
}

// Every threshold at, just below and just above its boundary (spec "Thresholds").
struct BoundaryCase {
  const char* name;
  Metric metric;
  double value;
  bool breached;
};

class ThresholdBoundary : public ::testing::TestWithParam<BoundaryCase> {};

TEST_P(ThresholdBoundary, BreachOnlyStrictlyBelow) {
  const BoundaryCase& c = GetParam();
  MlflowMetrics m = healthy_metrics();
  FeedbackStats f = feedback_with_avg(0.9);
  switch (c.metric) {
  case Metric::precision:
    m.precision = c.value;
    break;
  case Metric::recall:
    m.recall = c.value;
    break;
  case Metric::f1_score:
    m.f1_score = c.value;
    break;
  case Metric::feedback_avg:
    f = feedback_with_avg(c.value);
    break;
  case Metric::aggregate:
    // Aggregate only: f1 and feedback both healthy individually but chosen so the aggregate is
    // around 0.65 is impossible with default thresholds (f1 >= 0.72, fb >= 0.6 gives >= 0.684),
    // so lower the component thresholds for this case.
    break;
  }
  Thresholds t;
  if (c.metric == Metric::aggregate) {
    t.f1 = 0.0;
    t.feedback_avg = 0.0;
    m.f1_score = c.value;
    f = feedback_with_avg(c.value);
  }
  const PerformanceReport r = evaluate_performance("technical", k_now, m, f, t);
  EXPECT_EQ(has_reason(r, c.metric), c.breached) << c.name;
  EXPECT_EQ(r.is_degraded, c.breached) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    AllThresholds, ThresholdBoundary,
    ::testing::Values(BoundaryCase{"precision_at", Metric::precision, 0.75, false},
                      BoundaryCase{"precision_below", Metric::precision, 0.7499, true},
                      BoundaryCase{"precision_above", Metric::precision, 0.7501, false},
                      BoundaryCase{"recall_at", Metric::recall, 0.70, false},
                      BoundaryCase{"recall_below", Metric::recall, 0.6999, true},
                      BoundaryCase{"recall_above", Metric::recall, 0.7001, false},
                      BoundaryCase{"f1_at", Metric::f1_score, 0.72, false},
                      BoundaryCase{"f1_below", Metric::f1_score, 0.7199, true},
                      BoundaryCase{"f1_above", Metric::f1_score, 0.7201, false},
                      BoundaryCase{"feedback_at", Metric::feedback_avg, 0.6, false},
                      BoundaryCase{"feedback_below", Metric::feedback_avg, 0.5999, true},
                      BoundaryCase{"feedback_above", Metric::feedback_avg, 0.6001, false},
                      // 0.7*0.65 + 0.3*0.65 is 0.6499999999999999 in binary: still "at".
                      BoundaryCase{"aggregate_at", Metric::aggregate, 0.65, false},
                      BoundaryCase{"aggregate_below", Metric::aggregate, 0.6499, true},
                      BoundaryCase{"aggregate_above", Metric::aggregate, 0.6501, false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(EvaluatePerformance, HealthyHasNoReasons) {
  const auto r =
      evaluate_performance("technical", k_now, healthy_metrics(), feedback_with_avg(0.8), {});
  EXPECT_FALSE(r.is_degraded);
  EXPECT_TRUE(r.reasons.empty());
  EXPECT_NEAR(r.aggregate_score, 0.7 * 0.87 + 0.3 * 0.8, 1e-12);
  EXPECT_EQ(r.aggregate_basis, AggregateBasis::f1_and_feedback);
  EXPECT_TRUE(r.data_gaps.empty());
}

TEST(EvaluatePerformance, EachBreachBecomesAReasonWithValueAndThreshold) {
  MlflowMetrics m;
  m.precision = 0.5;
  m.recall = 0.4;
  m.f1_score = 0.45;
  m.accuracy = 0.5;
  const auto r = evaluate_performance("behavior", k_now, m, feedback_with_avg(0.3), {});
  ASSERT_EQ(r.reasons.size(), 5U);
  EXPECT_EQ(r.reasons[0].metric, Metric::precision);
  EXPECT_DOUBLE_EQ(r.reasons[0].value, 0.5);
  EXPECT_DOUBLE_EQ(r.reasons[0].threshold, 0.75);
  EXPECT_EQ(r.reasons[1].metric, Metric::recall);
  EXPECT_EQ(r.reasons[2].metric, Metric::f1_score);
  EXPECT_EQ(r.reasons[3].metric, Metric::feedback_avg);
  EXPECT_DOUBLE_EQ(r.reasons[3].value, 0.3);
  EXPECT_EQ(r.reasons[4].metric, Metric::aggregate);
  EXPECT_NEAR(r.reasons[4].value, 0.7 * 0.45 + 0.3 * 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(r.reasons[4].threshold, 0.65);
}

TEST(EvaluatePerformance, NoFeedbackIsUnknownNotZeroAndNeverDegradation) {
  FeedbackStats empty;
  const auto r = evaluate_performance("technical", k_now, healthy_metrics(), empty, {});
  EXPECT_FALSE(r.is_degraded);
  EXPECT_DOUBLE_EQ(r.aggregate_score, 0.87);
  EXPECT_EQ(r.aggregate_basis, AggregateBasis::f1_only);
  EXPECT_TRUE(r.has_gap(DataGap::no_feedback_in_window));
  EXPECT_FALSE(has_reason(r, Metric::feedback_avg));
}

TEST(EvaluatePerformance, FeedbackCountsFromFeedbackMinCountRatingsOn) {
  // A single unhappy rating must not read as a degraded specialist (and trigger a retrain).
  Thresholds t;
  ASSERT_EQ(t.feedback_min_count, 10);
  const auto too_few =
      evaluate_performance("technical", k_now, healthy_metrics(), feedback_with_avg(0.0, 9), t);
  EXPECT_FALSE(too_few.is_degraded);
  EXPECT_FALSE(has_reason(too_few, Metric::feedback_avg));
  EXPECT_TRUE(too_few.has_gap(DataGap::too_few_feedback_ratings));
  EXPECT_FALSE(too_few.has_gap(DataGap::no_feedback_in_window));
  EXPECT_EQ(too_few.aggregate_basis, AggregateBasis::f1_only);
  EXPECT_DOUBLE_EQ(too_few.aggregate_score, 0.87);
  EXPECT_EQ(too_few.feedback_avg_used, std::nullopt);
  EXPECT_EQ(too_few.feedback.avg_rating(), 0.0); // what the window holds stays in the report

  const auto at_min =
      evaluate_performance("technical", k_now, healthy_metrics(), feedback_with_avg(0.0, 10), t);
  EXPECT_TRUE(at_min.is_degraded);
  EXPECT_TRUE(has_reason(at_min, Metric::feedback_avg));
  EXPECT_FALSE(at_min.has_gap(DataGap::too_few_feedback_ratings));
  EXPECT_EQ(at_min.aggregate_basis, AggregateBasis::f1_and_feedback);
  EXPECT_EQ(at_min.feedback_avg_used, 0.0);

  t.feedback_min_count = 1; // the spec's bare rule: any rating counts
  EXPECT_TRUE(
      evaluate_performance("technical", k_now, healthy_metrics(), feedback_with_avg(0.0, 1), t)
          .is_degraded);
  EXPECT_STREQ(to_string(DataGap::too_few_feedback_ratings), "too_few_feedback_ratings");
}

TEST(EvaluatePerformance, FeedbackUnavailableIsReportedAsSuch) {
  const auto r = evaluate_performance("technical", k_now, healthy_metrics(), feedback_with_avg(0.1),
                                      {}, /*feedback_available=*/false);
  EXPECT_FALSE(r.is_degraded);
  EXPECT_TRUE(r.has_gap(DataGap::feedback_unavailable));
  EXPECT_FALSE(r.has_gap(DataGap::no_feedback_in_window));
  EXPECT_DOUBLE_EQ(r.aggregate_score, 0.87);
}

TEST(EvaluatePerformance, MissingPrecisionIsAGapNotABreach) {
  MlflowMetrics m = healthy_metrics();
  m.precision.reset();
  m.accuracy.reset();
  const auto r = evaluate_performance("technical", k_now, m, feedback_with_avg(0.8), {});
  EXPECT_FALSE(r.is_degraded);
  EXPECT_TRUE(r.has_gap(DataGap::precision_missing));
  EXPECT_TRUE(r.has_gap(DataGap::accuracy_missing));
}

TEST(EvaluatePerformance, DerivedF1IsUsedAndFlagged) {
  MlflowMetrics m = healthy_metrics();
  m.f1_score.reset();
  m.precision = 0.6;
  m.recall = 0.6;
  const auto r = evaluate_performance("technical", k_now, m, feedback_with_avg(0.8), {});
  EXPECT_TRUE(r.has_gap(DataGap::f1_derived));
  EXPECT_NEAR(r.f1_used, 0.6, 1e-12);
  EXPECT_TRUE(has_reason(r, Metric::f1_score));
}

TEST(EvaluatePerformance, InvalidFeedbackDocumentsAreAGap) {
  FeedbackStats f = feedback_with_avg(0.8);
  f.invalid_count = 3;
  const auto r = evaluate_performance("technical", k_now, healthy_metrics(), f, {});
  EXPECT_TRUE(r.has_gap(DataGap::invalid_feedback_documents));
  EXPECT_FALSE(r.is_degraded);
}

TEST(EvaluatePerformance, UndatedFeedbackDocumentsAreAGapOnlyWhenThereAreSome) {
  FeedbackStats f;     // an empty window...
  f.undated_count = 4; // ...because the producer wrote submitted_at as strings
  const auto r = evaluate_performance("technical", k_now, healthy_metrics(), f, {});
  EXPECT_TRUE(r.has_gap(DataGap::undated_feedback_documents));
  EXPECT_TRUE(r.has_gap(DataGap::no_feedback_in_window));
  EXPECT_FALSE(r.is_degraded); // still unknown feedback, never a breach
  EXPECT_EQ(r.aggregate_basis, AggregateBasis::f1_only);
  f.undated_count = 0;
  EXPECT_FALSE(evaluate_performance("technical", k_now, healthy_metrics(), f, {})
                   .has_gap(DataGap::undated_feedback_documents));
  f.undated_count.reset(); // not read
  EXPECT_FALSE(evaluate_performance("technical", k_now, healthy_metrics(), f, {})
                   .has_gap(DataGap::undated_feedback_documents));
  EXPECT_STREQ(to_string(DataGap::undated_feedback_documents), "undated_feedback_documents");
}

TEST(EvaluatePerformance, CustomThresholdsApply) {
  Thresholds t;
  t.precision = 0.95;
  const auto r =
      evaluate_performance("technical", k_now, healthy_metrics(), feedback_with_avg(0.8), t);
  EXPECT_TRUE(has_reason(r, Metric::precision));
}

TEST(FeedbackStats, AverageIsSumOverValidCount) {
  FeedbackStats f;
  EXPECT_FALSE(f.avg_rating().has_value());
  f.total_count = 4;
  f.rating_sum = 2.6;
  EXPECT_NEAR(*f.avg_rating(), 0.65, 1e-12);
}

} // namespace
} // namespace mm
