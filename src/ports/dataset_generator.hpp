#pragma once
// Port: produces a labelled training dataset for a specialist (DESIGN §5).

#include "core/dataset.hpp"
#include "core/result.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace mm {

struct GenerationRequest {
  std::string specialist_type;
  int num_samples = 1000;             // DATASET_NUM_SAMPLES
  std::chrono::seconds timeout{1800}; // DATASET_GENERATION_TIMEOUT, for the whole step
};

// How many reasons for dropped rows a report keeps (GenerationReport::examples_of_drops).
inline constexpr std::size_t k_max_drop_examples = 5;

// What happened to every row asked for: nothing is dropped silently.
struct GenerationReport {
  Dataset dataset;
  int requested = 0;
  int accepted = 0;
  int dropped_not_json = 0;    // an answer (or part of it) that is not JSON
  int dropped_schema = 0;      // missing / extra / wrongly typed fields
  int dropped_label = 0;       // unknown label
  int dropped_implausible = 0; // ranges or relations (core/plan_features.hpp)
  int dropped_duplicate = 0;   // same features as an earlier row
  int batches_failed = 0;      // requests that failed after retries
  bool timed_out = false;      // the step's deadline stopped generation early
  double duration_s = 0.0;
  std::vector<std::string> examples_of_drops; // a few reasons, for the logs
};

class DatasetGenerator {
public:
  virtual ~DatasetGenerator() = default;
  // An error only when nothing usable came out (every batch failed, or fewer rows than the
  // minimum); partial success is a report with counts.
  virtual Result<GenerationReport> generate(const GenerationRequest& request) = 0;
};

} // namespace mm
