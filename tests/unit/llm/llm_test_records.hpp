#pragma once
// Plausible plan records as JSON text, for the LLM tests (the same plan as
// tests/unit/core/test_core_plan_features.cpp, varied by `variant` so records differ).

#include <nlohmann/json.hpp>

#include <string>

namespace mm::test {

inline nlohmann::json plan_record(int variant = 0, const std::string& label = "approve") {
  return {
      {"num_tasks", 10},
      {"priority_score", 0.5},
      {"total_duration_ms", 50000},
      {"avg_duration_ms", 5000},
      {"risk_score", 0.3},
      {"complexity_score", 0.4},
      {"domain_risk_weight", 0.2},
      {"avg_task_complexity_factor", 0.5},
      {"num_patterns_detected", 2},
      {"num_anti_patterns_detected", 1},
      {"avg_pattern_quality", 0.8},
      {"total_anti_pattern_penalty", 0.5},
      {"num_nodes", 10},
      {"num_edges", 15},
      {"density", 0.1667},
      {"avg_in_degree", 1.5},
      {"max_in_degree", 3},
      {"critical_path_length", 5},
      {"max_parallelism", 3},
      {"num_levels", 5},
      {"avg_coupling", 0.3},
      {"num_bottlenecks", 1},
      {"graph_complexity_score", 0.4},
      {"mean_norm", 1.0 + 0.001 * variant},
      {"std_norm", 0.3},
      {"avg_diversity", 0.6},
      {"label", label},
  };
}

// {"records": [plan_record(first), ..., plan_record(first + n - 1)]}
inline std::string records_answer(int n, int first = 0) {
  nlohmann::json records = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    records.push_back(plan_record(first + i));
  }
  return nlohmann::json{{"records", records}}.dump();
}

} // namespace mm::test
