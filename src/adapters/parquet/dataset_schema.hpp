#pragma once
// The Arrow schema of a dataset file (DESIGN §5, layout in parquet_dataset.hpp) and the checks of
// a file's schema and metadata. Internal to mm_parquet (includes Arrow).

#include "core/dataset.hpp"
#include "core/result.hpp"

#include <arrow/type_fwd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mm::parquet_io {

inline constexpr std::string_view k_label_column = "label";
inline constexpr std::string_view k_source_column = "source";
inline constexpr std::string_view k_created_at_column = "created_at";

// File key/value metadata keys.
inline constexpr std::string_view k_key_specialist_type = "specialist_type";
inline constexpr std::string_view k_key_provider = "provider";
inline constexpr std::string_view k_key_model = "model";
inline constexpr std::string_view k_key_prompt_hash = "prompt_hash";
inline constexpr std::string_view k_key_temperature = "temperature";
inline constexpr std::string_view k_key_schema_version = "schema_version";
inline constexpr std::string_view k_key_row_count = "row_count";

// The schema write_dataset writes, with the file metadata attached.
std::shared_ptr<arrow::Schema> dataset_schema(const DatasetMetadata& metadata,
                                              std::int64_t row_count);

// Where the required columns are in a file (indices of top-level fields).
struct ColumnLayout {
  std::array<int, k_feature_count> features{};
  int label = -1;
  int source = -1;
  int created_at = -1;
};

// Every required column present once with an accepted type; unknown columns are ignored with a
// warning. Accepted: features float64; label int64; source string, large_string or a dictionary
// of strings (pandas' category); created_at a timestamp of any unit (naive → UTC, warned).
Result<ColumnLayout> check_schema(const arrow::Schema& schema, const std::filesystem::path& path,
                                  std::vector<std::string>& warnings);

struct FileProvenance {
  DatasetMetadata metadata;
  std::string schema_version;
};

// Reads the provenance keys. Missing keys are warnings (a DATASET_GENERATOR_COMMAND may not
// write them); a temperature that is not a number, a row_count that differs from the file's row
// count or a schema_version of another major version are errors.
Result<FileProvenance> parse_metadata(const arrow::KeyValueMetadata* kv, std::int64_t num_rows,
                                      const std::filesystem::path& path,
                                      std::vector<std::string>& warnings);

} // namespace mm::parquet_io
