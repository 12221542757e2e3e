#include "core/plan_features.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace mm {

const std::array<FeatureRange, k_feature_count>& feature_ranges() {
  // Ranges of the platform's plan features. Scores and weights are normalised to [0, 1]; counts
  // are bounded by what a plan of at most 500 tasks can have.
  static const std::array<FeatureRange, k_feature_count> ranges = {{
      {"num_tasks", 1, 500, true, "number of tasks in the plan"},
      {"priority_score", 0, 1, false, "plan priority, normalised"},
      {"total_duration_ms", 0, 1e9, false, "sum of the tasks' estimated durations in ms"},
      {"avg_duration_ms", 0, 1e9, false, "total_duration_ms / num_tasks"},
      {"risk_score", 0, 1, false, "overall risk, normalised"},
      {"complexity_score", 0, 1, false, "overall complexity, normalised"},
      {"domain_risk_weight", 0, 1, false, "risk weight of the plan's business domain"},
      {"avg_task_complexity_factor", 0, 1, false, "mean complexity factor of the tasks"},
      {"num_patterns_detected", 0, 100, true, "good design patterns detected"},
      {"num_anti_patterns_detected", 0, 100, true, "anti-patterns detected"},
      {"avg_pattern_quality", 0, 1, false, "mean quality of detected patterns (0 if none)"},
      {"total_anti_pattern_penalty", 0, 100, false, "sum of anti-pattern penalties (0 if none)"},
      {"num_nodes", 1, 500, true, "nodes of the task graph (equals num_tasks)"},
      {"num_edges", 0, 249500, true, "dependencies between tasks"},
      {"density", 0, 1, false, "num_edges / (num_nodes * (num_nodes - 1))"},
      {"avg_in_degree", 0, 499, false, "num_edges / num_nodes"},
      {"max_in_degree", 0, 499, true, "largest number of dependencies of one task"},
      {"critical_path_length", 1, 500, true, "tasks on the longest dependency chain"},
      {"max_parallelism", 1, 500, true, "most tasks that can run at once"},
      {"num_levels", 1, 500, true, "levels of the topological order"},
      {"avg_coupling", 0, 1, false, "mean coupling between tasks, normalised"},
      {"num_bottlenecks", 0, 500, true, "tasks many others depend on"},
      {"graph_complexity_score", 0, 1, false, "structural complexity of the graph, normalised"},
      {"mean_norm", 0, 1000, false, "mean norm of the task embeddings"},
      {"std_norm", 0, 1000, false, "standard deviation of the task embedding norms"},
      {"avg_diversity", 0, 1, false, "mean pairwise diversity of the tasks"},
  }};
  return ranges;
}

std::optional<std::size_t> feature_index(std::string_view name) {
  for (std::size_t i = 0; i < k_feature_names.size(); ++i) {
    if (k_feature_names[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

namespace {

bool close_enough(double actual, double expected, double absolute) {
  const double diff = std::fabs(actual - expected);
  return diff <= absolute || diff <= 0.10 * std::fabs(expected);
}

double at(const std::array<double, k_feature_count>& f, std::string_view name) {
  return f[*feature_index(name)];
}

} // namespace

std::optional<std::string> implausible_features(const std::array<double, k_feature_count>& f) {
  const auto& ranges = feature_ranges();
  for (std::size_t i = 0; i < k_feature_count; ++i) {
    const double v = f[i];
    const FeatureRange& r = ranges[i];
    if (!std::isfinite(v)) {
      return fmt::format("{} is not a finite number", r.name);
    }
    if (v < r.min || v > r.max) {
      return fmt::format("{}={} outside [{}, {}]", r.name, v, r.min, r.max);
    }
    if (r.integer && v != std::floor(v)) {
      return fmt::format("{}={} is not a whole number", r.name, v);
    }
  }
  const double tasks = at(f, "num_tasks");
  const double nodes = at(f, "num_nodes");
  const double edges = at(f, "num_edges");
  if (nodes != tasks) {
    return fmt::format("num_nodes={} differs from num_tasks={}", nodes, tasks);
  }
  if (!close_enough(at(f, "avg_duration_ms"), at(f, "total_duration_ms") / tasks, 1.0)) {
    return fmt::format("avg_duration_ms={} is not total_duration_ms / num_tasks={}",
                       at(f, "avg_duration_ms"), at(f, "total_duration_ms") / tasks);
  }
  const double max_edges = nodes * (nodes - 1);
  if (edges > max_edges) {
    return fmt::format("num_edges={} exceeds num_nodes*(num_nodes-1)={}", edges, max_edges);
  }
  const double density = max_edges > 0 ? edges / max_edges : 0.0;
  if (!close_enough(at(f, "density"), density, 0.02)) {
    return fmt::format("density={} is not num_edges/(num_nodes*(num_nodes-1))={:.4f}",
                       at(f, "density"), density);
  }
  const double avg_in = edges / nodes;
  if (!close_enough(at(f, "avg_in_degree"), avg_in, 0.05)) {
    return fmt::format("avg_in_degree={} is not num_edges/num_nodes={:.4f}", at(f, "avg_in_degree"),
                       avg_in);
  }
  const double max_in = at(f, "max_in_degree");
  if (max_in + 0.05 < at(f, "avg_in_degree") || max_in > std::max(0.0, nodes - 1)) {
    return fmt::format("max_in_degree={} outside [avg_in_degree, num_nodes-1]", max_in);
  }
  for (std::string_view name :
       {"critical_path_length", "max_parallelism", "num_levels", "num_bottlenecks"}) {
    if (at(f, name) > nodes) {
      return fmt::format("{}={} exceeds num_nodes={}", name, at(f, name), nodes);
    }
  }
  if (at(f, "num_anti_patterns_detected") == 0 && at(f, "total_anti_pattern_penalty") != 0) {
    return std::string("total_anti_pattern_penalty is not 0 although no anti-pattern was detected");
  }
  if (at(f, "num_patterns_detected") == 0 && at(f, "avg_pattern_quality") != 0) {
    return std::string("avg_pattern_quality is not 0 although no pattern was detected");
  }
  return std::nullopt;
}

std::optional<GeneratedRowScreen::Refusal>
GeneratedRowScreen::admit(const std::array<double, k_feature_count>& features) {
  if (auto why = implausible_features(features)) {
    return Refusal{Drop::implausible, "implausible: " + *why};
  }
  if (!m_seen.insert(features).second) {
    return Refusal{Drop::duplicate, "duplicate of an earlier row's features"};
  }
  return std::nullopt;
}

ScreenedRows screen_generated_rows(std::vector<TrainingRow> rows, std::size_t max_examples) {
  ScreenedRows out;
  out.kept.reserve(rows.size());
  GeneratedRowScreen screen;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto refusal = screen.admit(rows[i].features);
    if (!refusal) {
      out.kept.push_back(std::move(rows[i]));
      continue;
    }
    ++(refusal->kind == GeneratedRowScreen::Drop::implausible ? out.implausible : out.duplicate);
    if (out.examples.size() < max_examples) {
      out.examples.push_back(fmt::format("row {}: {}", i, refusal->why));
    }
  }
  return out;
}

} // namespace mm
