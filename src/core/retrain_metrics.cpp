#include "core/retrain_metrics.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <string>

namespace mm {

const std::vector<double>& generation_duration_buckets() {
  static const std::vector<double> buckets = {30, 60, 120, 300, 600, 900, 1200, 1800, 3600};
  return buckets;
}

namespace {

std::string le_label(double bound) {
  return fmt::format("{}", bound);
}

} // namespace

std::vector<CounterValue> generation_histogram_increments(double seconds) {
  std::vector<CounterValue> out;
  const std::string base = k_metric_generation_duration;
  for (double b : generation_duration_buckets()) {
    out.push_back({base + "_bucket", {{"le", le_label(b)}}, seconds <= b ? 1.0 : 0.0});
  }
  out.push_back({base + "_bucket", {{"le", "+Inf"}}, 1.0});
  out.push_back({base + "_sum", {}, seconds});
  out.push_back({base + "_count", {}, 1.0});
  return out;
}

std::vector<MetricFamily> retrain_metric_families(const std::vector<CounterValue>& counters,
                                                  std::optional<TimePoint> last_trigger,
                                                  std::optional<double> last_duration_seconds) {
  MetricFamily triggered{k_metric_retrain_triggered,
                         "Automatic retrains started, by reason and final status",
                         MetricType::counter,
                         {}};
  MetricFamily success{k_metric_retrain_success,
                       "Retrains that completed, by whether the model improved (was promoted)",
                       MetricType::counter,
                       {}};
  MetricFamily errors{
      k_metric_generation_errors, "Dataset generations that failed", MetricType::counter, {}};
  MetricFamily histogram{
      k_metric_generation_duration, "Duration of dataset generation", MetricType::histogram, {}};
  const std::string hist = k_metric_generation_duration;
  for (const auto& c : counters) {
    if (c.name == k_metric_retrain_triggered) {
      triggered.samples.push_back({c.labels, c.value, ""});
    } else if (c.name == k_metric_retrain_success) {
      success.samples.push_back({c.labels, c.value, ""});
    } else if (c.name == k_metric_generation_errors) {
      errors.samples.push_back({c.labels, c.value, ""});
    } else if (c.name.starts_with(hist + "_")) {
      histogram.samples.push_back({c.labels, c.value, c.name.substr(hist.size())});
    }
  }
  // Exposition order of a histogram: buckets by increasing bound (+Inf last), then _sum, _count.
  auto rank = [](const Sample& smp) {
    const int suffix = smp.suffix == "_bucket" ? 0 : smp.suffix == "_sum" ? 1 : 2;
    double le = 0.0;
    if (suffix == 0) {
      const auto it = smp.labels.find("le");
      le = (it == smp.labels.end() || it->second == "+Inf") ? 1e300 : std::stod(it->second);
    }
    return std::pair<int, double>(suffix, le);
  };
  std::sort(histogram.samples.begin(), histogram.samples.end(),
            [&](const Sample& a, const Sample& b) { return rank(a) < rank(b); });
  // Counters that never moved are still exposed at 0, so rate() and absent() behave from the
  // first run on.
  if (errors.samples.empty()) {
    errors.samples.push_back({{}, 0.0, ""});
  }
  std::vector<MetricFamily> out;
  for (auto* f : {&triggered, &success, &errors, &histogram}) {
    if (!f->samples.empty()) {
      out.push_back(std::move(*f));
    }
  }
  if (last_trigger) {
    out.push_back(
        {k_metric_last_trigger,
         "Unix time the last retrain of this specialist started",
         MetricType::gauge,
         {Sample{
             {}, std::chrono::duration<double>(last_trigger->time_since_epoch()).count(), ""}}});
  }
  if (last_duration_seconds) {
    out.push_back({k_metric_retrain_duration,
                   "Duration of the last retrain, seconds",
                   MetricType::gauge,
                   {Sample{{}, *last_duration_seconds, ""}}});
  }
  return out;
}

} // namespace mm
