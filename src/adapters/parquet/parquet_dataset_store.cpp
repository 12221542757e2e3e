#include "adapters/parquet/parquet_dataset_store.hpp"

#include "adapters/parquet/parquet_dataset.hpp"

#include <fmt/format.h>
#include <system_error>

namespace mm {

ParquetDatasetStore::ParquetDatasetStore(std::filesystem::path data_dir,
                                         std::function<void(const std::string&)> on_warning)
    : m_data_dir(std::move(data_dir)), m_on_warning(std::move(on_warning)) {}

std::filesystem::path ParquetDatasetStore::path_for(const std::string& type, TimePoint now) const {
  return m_data_dir / type / dataset_file_name(now);
}

Status ParquetDatasetStore::write(const std::filesystem::path& path, const Dataset& dataset) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Error::config(fmt::format("cannot create dataset directory {}: {}; check DATA_DIR and "
                                     "its permissions",
                                     path.parent_path().string(), ec.message()));
  }
  Status written = write_dataset(path, dataset);
  if (!written) {
    return written;
  }
  // Validate what is on disk, not what we meant to write (DESIGN §5: schema, rows, labels).
  Result<DatasetSummary> summary = inspect_dataset(path);
  if (!summary) {
    return summary.error();
  }
  if (summary->row_count != static_cast<std::int64_t>(dataset.rows.size())) {
    return Error::internal(fmt::format("dataset {} holds {} rows after writing {}", path.string(),
                                       summary->row_count, dataset.rows.size()));
  }
  return ok_status();
}

Result<Dataset> ParquetDatasetStore::read(const std::filesystem::path& path) {
  Result<DatasetReadReport> report = read_dataset(path);
  if (!report) {
    return report.error();
  }
  if (m_on_warning) {
    for (const auto& w : report->warnings) {
      m_on_warning(w);
    }
  }
  return std::move(report->dataset);
}

Result<std::vector<DatasetFile>> ParquetDatasetStore::list(const std::string& type) {
  std::vector<DatasetFile> out;
  const std::filesystem::path dir = m_data_dir / type;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    return out;
  }
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) {
      continue;
    }
    // Only files we named: anything else in the directory is not ours to judge or delete.
    if (auto created = parse_dataset_file_name(it->path().filename().string())) {
      out.push_back({it->path(), *created});
    }
  }
  if (ec) {
    return Error::config(
        fmt::format("cannot list datasets in {}: {}; check DATA_DIR", dir.string(), ec.message()));
  }
  return out;
}

Status ParquetDatasetStore::remove(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) {
    return Error::config(fmt::format("cannot remove dataset {}: {}", path.string(), ec.message()));
  }
  return ok_status();
}

} // namespace mm
