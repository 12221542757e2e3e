#pragma once
// Training datasets as Parquet files (DESIGN §5), written and read with Apache Arrow C++.
// This is the only header of mm_parquet the rest of the program includes: Arrow stays inside.
//
// File layout, in this order (the Python training project reads it with pandas/pyarrow):
//   26 features  float64, k_feature_names order          required (no nulls)
//   label        int64, 0..3 (Label)                      required
//   source       string, "llm" | "feedback"               required
//   created_at   timestamp[us, tz=UTC]                    required
// Microseconds, not nanoseconds: every Parquet reader handles them (Spark, DuckDB, pandas) and
// their range is not limited to 1677..2262; a creation time needs no finer resolution. Times are
// truncated to the microsecond on write. Read accepts any unit (pandas writes ns), and takes a
// timestamp without time zone as UTC, with a warning.
//
// File key/value metadata (strings): specialist_type, provider, model, prompt_hash, temperature,
// schema_version ("1.0.0"), row_count. Compression: snappy, as pyarrow's default.

#include "core/dataset.hpp"
#include "core/result.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mm {

// Version of the layout above. A file whose major version differs is refused; bump the minor
// for additions readers may ignore (e.g. a new optional column).
inline constexpr std::string_view k_dataset_schema_version = "1.0.0";

// A dataset and what the reader noticed without refusing the file: unknown extra columns (ignored,
// e.g. pandas' `__index_level_0__`), provenance keys missing from the metadata, a timestamp
// without time zone. Worth logging; never a reason to stop.
struct DatasetReadReport {
  Dataset dataset;
  std::vector<std::string> warnings;
};

// What a dry run or a validation step needs to know about a file without loading it.
struct DatasetSummary {
  std::int64_t row_count = 0;
  std::array<std::int64_t, k_max_label + 1> label_counts{}; // index = label value
  DatasetMetadata metadata;
  std::string schema_version; // as written in the file; "" when it does not say
  std::vector<std::string> warnings;
};

// Writes `dataset` to `path` atomically: to `<path>.tmp` in the same directory, fsync, rename, so
// a crash leaves either the previous state or the complete file under `path`, never half a file.
// A `<path>.tmp` left by an earlier crash is overwritten. Concurrent writers to one path are not
// supported (retrain holds a lease per specialist).
// Refuses, writing nothing, a dataset it would refuse to read: no rows, a label outside 0..3 or a
// feature that is not finite (→ internal: the generator should have dropped such rows).
// Errors: not_found (the directory does not exist), config (permission denied, read-only file
// system: check DATA_DIR), unavailable (disk full, I/O error), internal.
Status write_dataset(const std::filesystem::path& path, const Dataset& dataset);

// Reads and validates a whole file. Refused files name the column, row and what was found:
// a missing or duplicated required column, a wrong type (e.g. features as int64), a null in any
// required column, a label outside 0..3, a feature that is NaN or infinite, a source other than
// llm|feedback, zero rows, a row_count or schema_version in the metadata that disagrees.
// Errors: not_found (no such file), bad_response (empty, truncated, not Parquet, or invalid as
// above), with the path and what to do (regenerate / check DATASET_GENERATOR_COMMAND).
Result<DatasetReadReport> read_dataset(const std::filesystem::path& path);

// Cheap look at a file: reads the footer (schema, metadata) and the label column only. Success
// means the schema is right (every required column with its type), the labels are valid and the
// file has rows; it does NOT look at feature values (NaN, nulls): read_dataset does. Same errors
// as read_dataset.
Result<DatasetSummary> inspect_dataset(const std::filesystem::path& path);

} // namespace mm
