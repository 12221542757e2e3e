#pragma once
// The platform's training schema (DESIGN §5): 26 float64 features, an int64 label, provenance.

#include "core/metrics.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

inline constexpr std::size_t k_feature_count = 26;

// Column order of the Parquet file, fixed by the platform.
inline constexpr std::array<std::string_view, k_feature_count> k_feature_names = {
    "num_tasks",
    "priority_score",
    "total_duration_ms",
    "avg_duration_ms",
    "risk_score",
    "complexity_score",
    "domain_risk_weight",
    "avg_task_complexity_factor",
    "num_patterns_detected",
    "num_anti_patterns_detected",
    "avg_pattern_quality",
    "total_anti_pattern_penalty",
    "num_nodes",
    "num_edges",
    "density",
    "avg_in_degree",
    "max_in_degree",
    "critical_path_length",
    "max_parallelism",
    "num_levels",
    "avg_coupling",
    "num_bottlenecks",
    "graph_complexity_score",
    "mean_norm",
    "std_norm",
    "avg_diversity",
};

// Labels (DESIGN §5): 0 reject, 1 approve, 2 review_required, 3 conditional.
enum class Label : std::int64_t { reject = 0, approve = 1, review_required = 2, conditional = 3 };

inline constexpr std::int64_t k_max_label = 3;

enum class RowSource { llm, feedback };

const char* to_string(RowSource s) noexcept;

struct TrainingRow {
  std::array<double, k_feature_count> features{};
  std::int64_t label = 0;
  RowSource source = RowSource::llm;
  TimePoint created_at;
};

// File-level key/value metadata of a dataset (provenance).
struct DatasetMetadata {
  std::string specialist_type;
  std::string provider;    // llm provider, "feedback" or "external" (DATASET_GENERATOR_COMMAND)
  std::string model;       // LLM model
  std::string prompt_hash; // sha256 of the prompt template + parameters
  double temperature = 0.0;
};

struct Dataset {
  DatasetMetadata metadata;
  std::vector<TrainingRow> rows;
};

} // namespace mm
