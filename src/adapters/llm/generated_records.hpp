#pragma once
// Reading the records an LLM wrote (DESIGN §5). The model's output is data, never instructions:
// it is only parsed as JSON and validated field by field; nothing in it is executed, used to
// build a command, a path or a query, or interpolated into another prompt. Pure.
//
// Expected: {"records": [{<the 26 features as JSON numbers>, "label": "approve"}, ...]}.
// Tolerated around it: leading or trailing prose and ``` / ```json fences; also accepted: a bare
// array of records, or a single record object. A record is kept only when it has exactly the 26
// feature fields and "label", every feature a finite JSON number (a number written as a string
// is a schema error: the prompt asks for numbers, and guessing at "1,5" or "12ms" would invent
// data), the label one of the four words, and the features a plausible plan
// (implausible_features). Labels are words only: an integer label is dropped, because the
// platform's codes (0 reject, 1 approve) are easy to guess wrong and a wrong guess would train
// the model on flipped labels.

#include "core/dataset.hpp"
#include "ports/dataset_generator.hpp" // k_max_drop_examples

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

struct GeneratedRecord {
  std::array<double, k_feature_count> features{};
  std::int64_t label = 0; // Label codes (core/dataset.hpp)
};

// Why records were dropped. not_json counts answers (or the cut-off tail of a truncated answer),
// since how many records broken text meant to hold is unknown; the others count records.
struct RecordDrops {
  int not_json = 0;
  int schema = 0;
  int label = 0;
  int implausible = 0;
  std::vector<std::string> examples; // at most k_max_drop_examples, one line each
};

struct ParsedRecords {
  std::vector<GeneratedRecord> records;
  RecordDrops drops;
  bool salvaged = false; // the JSON was incomplete (truncated): complete records were recovered
};

// "approve" → 1, "reject" → 0, "review_required" → 2, "conditional" → 3; case, surrounding
// blanks and "review required" / "review-required" spellings are tolerated. nullopt otherwise.
std::optional<std::int64_t> label_from_word(std::string_view word);

// The word of a label code ("approve" for 1), "" for an unknown code.
std::string_view label_word(std::int64_t label) noexcept;

ParsedRecords parse_generated_records(std::string_view text);

} // namespace mm
