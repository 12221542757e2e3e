#pragma once
// Port: where datasets live (DESIGN §5): Parquet files under DATA_DIR/{type}/, named with a UTC
// timestamp.

#include "core/dataset.hpp"
#include "core/dataset_retention.hpp"
#include "core/result.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace mm {

class DatasetStore {
public:
  virtual ~DatasetStore() = default;

  // DATA_DIR/{type}/{YYYYmmddTHHMMSSZ}.parquet for a dataset created at `now` (no I/O).
  virtual std::filesystem::path path_for(const std::string& specialist_type,
                                         TimePoint now) const = 0;

  // Writes atomically (temp file + rename) and validates by reading it back.
  virtual Status write(const std::filesystem::path& path, const Dataset& dataset) = 0;

  // Reads and validates (schema, row count, label set).
  virtual Result<Dataset> read(const std::filesystem::path& path) = 0;

  // The specialist's dataset files, any order; an absent directory is an empty list.
  virtual Result<std::vector<DatasetFile>> list(const std::string& specialist_type) = 0;

  virtual Status remove(const std::filesystem::path& path) = 0;
};

} // namespace mm
