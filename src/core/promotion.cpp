#include "core/promotion.hpp"

#include <cmath>
#include <fmt/format.h>

namespace mm {

namespace {

// Same tolerance as the degradation thresholds: decimal equality must not fail in binary.
constexpr double k_tolerance = 1e-9;

bool usable(const std::optional<double>& v) {
  return v && std::isfinite(*v);
}

void at_least(PromotionDecision& d, std::string rule, double value, double bound) {
  d.checks.push_back({std::move(rule), value, bound, value >= bound - k_tolerance});
}

void strictly_above(PromotionDecision& d, std::string rule, double value, double bound) {
  d.checks.push_back({std::move(rule), value, bound, value > bound + k_tolerance});
}

} // namespace

PromotionDecision decide_promotion(const ModelScores& candidate,
                                   const std::optional<ModelScores>& baseline,
                                   const PromotionPolicy& policy) {
  PromotionDecision d;
  d.candidate = candidate;
  d.baseline = baseline;

  if (!usable(candidate.precision) || !usable(candidate.recall) || !usable(candidate.f1_score)) {
    d.decided_by = "candidate run lacks a finite precision, recall or f1_score";
    return d;
  }
  if (baseline && !baseline->run_id.empty() && baseline->run_id == candidate.run_id) {
    d.decided_by = "candidate is the production run itself (never compare a run with itself)";
    return d;
  }
  const double p = *candidate.precision;
  const double r = *candidate.recall;
  const double f1 = *candidate.f1_score;
  at_least(d, "precision >= PRECISION_THRESHOLD", p, policy.thresholds.precision);
  at_least(d, "recall >= RECALL_THRESHOLD", r, policy.thresholds.recall);
  at_least(d, "f1_score >= F1_THRESHOLD", f1, policy.thresholds.f1);

  const bool has_baseline = baseline && usable(baseline->f1_score) && usable(baseline->precision) &&
                            usable(baseline->recall);
  if (has_baseline) {
    const double bf1 = *baseline->f1_score;
    if (policy.improvement > 0.0) {
      at_least(d, fmt::format("f1_score >= baseline f1_score + {}", policy.improvement), f1,
               bf1 + policy.improvement);
    } else {
      strictly_above(d, "f1_score > baseline f1_score", f1, bf1);
    }
    at_least(d, fmt::format("precision >= baseline precision - {}", policy.regression_margin), p,
             *baseline->precision - policy.regression_margin);
    at_least(d, fmt::format("recall >= baseline recall - {}", policy.regression_margin), r,
             *baseline->recall - policy.regression_margin);
  } else if (baseline) {
    // A production model whose run lacks metrics cannot be beaten "by a margin": promoting on
    // the thresholds alone would replace it on partial information.
    d.decided_by = "production baseline lacks precision, recall or f1_score: cannot compare";
    return d;
  }

  for (const auto& c : d.checks) {
    if (!c.passed) {
      d.decided_by = fmt::format("{} failed ({:.4f} vs {:.4f})", c.rule, c.value, c.bound);
      return d;
    }
  }
  d.promote = true;
  d.decided_by = has_baseline ? "all rules passed" : "all rules passed (no production baseline)";
  return d;
}

} // namespace mm
