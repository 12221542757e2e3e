#pragma once
// Opening a dataset file: existence, footer, schema and metadata checks shared by read_dataset
// and inspect_dataset. Internal to mm_parquet (includes Arrow).

#include "adapters/parquet/dataset_schema.hpp"
#include "core/result.hpp"

#include <parquet/arrow/reader.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mm::parquet_io {

struct OpenDatasetFile {
  std::unique_ptr<parquet::arrow::FileReader> reader;
  ColumnLayout layout;
  FileProvenance provenance;
  std::int64_t num_rows = 0;
  std::vector<std::string> warnings;
};

// Reads only the footer. Errors: not_found (no such file), unavailable (cannot be opened, e.g.
// permissions), bad_response (empty, not Parquet, truncated, wrong schema, bad metadata, no rows).
Result<OpenDatasetFile> open_dataset_file(const std::filesystem::path& path);

// One whole column (by top-level field index), as the reader decodes it.
Result<std::shared_ptr<arrow::ChunkedArray>> read_column(parquet::arrow::FileReader& reader,
                                                         int index, std::string_view name,
                                                         const std::filesystem::path& path);

} // namespace mm::parquet_io
