#include "core/promotion.hpp"
#include "core/retrain_decision.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mm {
namespace {

ModelScores scores(std::string run, double p, double r, double f1) {
  return {std::move(run), "", p, r, f1};
}

TEST(PromotionGate, BetterByTheMarginIsPromoted) {
  auto d = decide_promotion(scores("new", 0.85, 0.80, 0.82), scores("old", 0.84, 0.79, 0.80), {});
  EXPECT_TRUE(d.promote) << d.decided_by;
  EXPECT_EQ(d.checks.size(), 6U);
}

TEST(PromotionGate, ImprovementExactlyAtTheMarginPasses) {
  auto d = decide_promotion(scores("new", 0.85, 0.80, 0.82), scores("old", 0.85, 0.80, 0.80), {});
  EXPECT_TRUE(d.promote) << d.decided_by;
}

TEST(PromotionGate, ImprovementBelowTheMarginIsRejected) {
  auto d = decide_promotion(scores("new", 0.85, 0.80, 0.8199), scores("old", 0.85, 0.80, 0.80), {});
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.decided_by.find("f1_score >= baseline f1_score + 0.02"), std::string::npos)
      << d.decided_by;
}

TEST(PromotionGate, ZeroImprovementMeansStrictlyGreaterAsTheSpec) {
  PromotionPolicy p;
  p.improvement = 0.0;
  EXPECT_FALSE(
      decide_promotion(scores("n", 0.85, 0.80, 0.80), scores("o", 0.85, 0.80, 0.80), p).promote);
  EXPECT_TRUE(
      decide_promotion(scores("n", 0.85, 0.80, 0.8001), scores("o", 0.85, 0.80, 0.80), p).promote);
}

TEST(PromotionGate, PrecisionOrRecallMayNotDropMoreThanOnePoint) {
  // F1 up by 0.05 but precision down by 0.02.
  auto d = decide_promotion(scores("n", 0.83, 0.90, 0.86), scores("o", 0.85, 0.80, 0.81), {});
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.decided_by.find("precision >= baseline precision"), std::string::npos);
  // Exactly one point lower is allowed.
  auto ok = decide_promotion(scores("n", 0.84, 0.90, 0.86), scores("o", 0.85, 0.80, 0.81), {});
  EXPECT_TRUE(ok.promote) << ok.decided_by;
  auto r = decide_promotion(scores("n", 0.95, 0.7799, 0.86), scores("o", 0.85, 0.79, 0.81), {});
  EXPECT_FALSE(r.promote);
}

TEST(PromotionGate, CandidateMustPassTheThresholdsEvenWhenBetter) {
  auto d = decide_promotion(scores("n", 0.74, 0.90, 0.80), scores("o", 0.60, 0.60, 0.60), {});
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.decided_by.find("PRECISION_THRESHOLD"), std::string::npos);
}

TEST(PromotionGate, NoBaselineUsesThresholdsAlone) {
  EXPECT_TRUE(decide_promotion(scores("n", 0.80, 0.75, 0.77), std::nullopt, {}).promote);
  EXPECT_FALSE(decide_promotion(scores("n", 0.80, 0.69, 0.77), std::nullopt, {}).promote);
}

TEST(PromotionGate, NeverComparesARunWithItself) {
  auto d = decide_promotion(scores("same", 0.9, 0.9, 0.9), scores("same", 0.5, 0.5, 0.5), {});
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.decided_by.find("itself"), std::string::npos);
}

TEST(PromotionGate, MissingOrNonFiniteCandidateMetricsAreRejected) {
  ModelScores c = scores("n", 0.9, 0.9, 0.9);
  c.recall.reset();
  EXPECT_FALSE(decide_promotion(c, std::nullopt, {}).promote);
  c.recall = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(decide_promotion(c, std::nullopt, {}).promote);
}

TEST(PromotionGate, BaselineWithoutMetricsBlocksPromotion) {
  ModelScores b = scores("o", 0.8, 0.8, 0.8);
  b.f1_score.reset();
  auto d = decide_promotion(scores("n", 0.9, 0.9, 0.9), b, {});
  EXPECT_FALSE(d.promote);
  EXPECT_NE(d.decided_by.find("baseline"), std::string::npos);
}

TEST(PromotionGate, RecordsBothMetricSets) {
  auto d = decide_promotion(scores("n", 0.9, 0.9, 0.9), scores("o", 0.8, 0.8, 0.8), {});
  ASSERT_TRUE(d.baseline);
  EXPECT_EQ(d.baseline->run_id, "o");
  EXPECT_EQ(d.candidate.run_id, "n");
}

// ---- retrain decision

PerformanceReport report(bool degraded, bool feedback_available = true) {
  PerformanceReport r;
  r.is_degraded = degraded;
  r.feedback_available = feedback_available;
  if (degraded) {
    r.reasons.push_back({Metric::recall, 0.5, 0.7});
  }
  return r;
}

const TimePoint k_now = TimePoint(std::chrono::hours(500000));

TEST(RetrainDecision, HealthyIsSkipped) {
  auto r = report(false);
  auto d = decide_retrain({&r, false, false, std::nullopt, 24, k_now});
  EXPECT_EQ(d.verdict, RetrainVerdict::healthy);
}

TEST(RetrainDecision, DegradedRetrains) {
  auto r = report(true);
  auto d = decide_retrain({&r, false, false, std::nullopt, 24, k_now});
  EXPECT_EQ(d.verdict, RetrainVerdict::retrain);
  EXPECT_EQ(d.trigger, "degradation");
  EXPECT_NE(d.explanation.find("recall"), std::string::npos);
}

TEST(RetrainDecision, CooldownBoundaries) {
  auto r = report(true);
  auto inside = decide_retrain(
      {&r, false, false, k_now - std::chrono::hours(24) + std::chrono::seconds(1), 24, k_now});
  EXPECT_EQ(inside.verdict, RetrainVerdict::cooldown);
  ASSERT_TRUE(inside.cooldown_until);
  auto exactly = decide_retrain({&r, false, false, k_now - std::chrono::hours(24), 24, k_now});
  EXPECT_EQ(exactly.verdict, RetrainVerdict::retrain);
  auto zero = decide_retrain({&r, false, false, k_now, 0, k_now});
  EXPECT_EQ(zero.verdict, RetrainVerdict::retrain);
}

TEST(RetrainDecision, ForceIgnoresThresholdsAndCooldown) {
  auto r = report(false);
  auto d = decide_retrain({&r, false, true, k_now - std::chrono::minutes(5), 24, k_now});
  EXPECT_EQ(d.verdict, RetrainVerdict::retrain);
  EXPECT_EQ(d.trigger, "forced");
}

TEST(RetrainDecision, NeverOnIncompleteDataEvenForced) {
  auto r = report(true, /*feedback_available=*/false);
  EXPECT_EQ(decide_retrain({&r, false, false, std::nullopt, 24, k_now}).verdict,
            RetrainVerdict::incomplete_data);
  EXPECT_EQ(decide_retrain({&r, false, true, std::nullopt, 24, k_now}).verdict,
            RetrainVerdict::incomplete_data);
  EXPECT_EQ(decide_retrain({nullptr, true, true, std::nullopt, 24, k_now}).verdict,
            RetrainVerdict::incomplete_data);
}

} // namespace
} // namespace mm
