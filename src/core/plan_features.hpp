#pragma once
// Ranges and relations of the 26 plan features (DESIGN §5), used to drop generated rows that no
// real plan could have. The same table feeds the LLM prompt, so the model is told exactly what is
// checked. Pure.

#include "core/dataset.hpp"

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

struct FeatureRange {
  std::string_view name;
  double min;
  double max;
  bool integer;             // counts must be whole numbers
  std::string_view meaning; // for the prompt
};

// In k_feature_names order.
const std::array<FeatureRange, k_feature_count>& feature_ranges();

// Why a row is not a plausible plan, or nullopt when it is. Checks every range, integrality and
// the relations: num_nodes == num_tasks; avg_duration_ms ≈ total_duration_ms / num_tasks;
// num_edges ≤ num_nodes·(num_nodes−1); density ≈ num_edges / (num_nodes·(num_nodes−1));
// avg_in_degree ≈ num_edges / num_nodes; avg_in_degree ≤ max_in_degree ≤ num_nodes−1;
// critical_path_length, max_parallelism, num_levels, num_bottlenecks ≤ num_nodes;
// no anti-patterns ⇒ zero penalty; no patterns ⇒ zero pattern quality.
// "≈" allows 10 % relative or a small absolute difference: LLMs round.
std::optional<std::string> implausible_features(const std::array<double, k_feature_count>& f);

// The index of a feature by name, or nullopt.
std::optional<std::size_t> feature_index(std::string_view name);

// Rows of a generator that is not ours (DATASET_GENERATOR_COMMAND), screened the way the
// built-in generator screens the LLM's records (DESIGN §5: "validated the same way"): a row
// that no real plan could have (implausible_features) or that repeats an earlier row's features
// is dropped and counted, never trained on.
struct ScreenedRows {
  std::vector<TrainingRow> kept; // in the order given
  int implausible = 0;
  int duplicate = 0;
  std::vector<std::string> examples; // "row 3: num_nodes=12 differs from num_tasks=10", at most
                                     // max_examples, rows numbered from 0 as in the file
};

ScreenedRows screen_generated_rows(std::vector<TrainingRow> rows, std::size_t max_examples);

// The same screening one row at a time, for a generator whose rows arrive in batches (the LLM's):
// one screen per generation remembers every kept row's features, so a repeat is refused
// whichever batch it comes in. Not thread-safe: the caller serialises admit().
class GeneratedRowScreen {
public:
  enum class Drop { implausible, duplicate };
  struct Refusal {
    Drop kind;
    std::string why; // "implausible: ..." or "duplicate of an earlier row's features"
  };

  // nullopt: keep the row (its features are remembered); else why it is dropped.
  std::optional<Refusal> admit(const std::array<double, k_feature_count>& features);

private:
  std::set<std::array<double, k_feature_count>> m_seen;
};

} // namespace mm
