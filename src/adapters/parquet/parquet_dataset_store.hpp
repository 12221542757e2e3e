#pragma once
// DatasetStore over Parquet files in DATA_DIR/{type}/ (DESIGN §5).

#include "ports/dataset_store.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace mm {

class ParquetDatasetStore : public DatasetStore {
public:
  // on_warning receives what the reader noticed but accepted (extra columns, naive timestamps).
  explicit ParquetDatasetStore(std::filesystem::path data_dir,
                               std::function<void(const std::string&)> on_warning = {});

  std::filesystem::path path_for(const std::string& specialist_type, TimePoint now) const override;
  Status write(const std::filesystem::path& path, const Dataset& dataset) override;
  Result<Dataset> read(const std::filesystem::path& path) override;
  Result<std::vector<DatasetFile>> list(const std::string& specialist_type) override;
  Status remove(const std::filesystem::path& path) override;

private:
  std::filesystem::path m_data_dir;
  std::function<void(const std::string&)> m_on_warning;
};

} // namespace mm
