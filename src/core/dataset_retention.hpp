#pragma once
// Which dataset files a retrain may delete (DESIGN §5): older than DATASET_RETENTION_DAYS, never
// the newest, never one in use. Pure.

#include "core/metrics.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mm {

struct DatasetFile {
  std::filesystem::path path;
  TimePoint created; // from the file name's UTC timestamp (not the mtime, which copies change)
};

std::vector<std::filesystem::path>
datasets_to_remove(std::vector<DatasetFile> files, TimePoint now, int retention_days,
                   const std::set<std::filesystem::path>& in_use);

// "20261124T093000Z.parquet" ↔ time. nullopt for names we did not write.
std::string dataset_file_name(TimePoint t);
std::optional<TimePoint> parse_dataset_file_name(const std::string& name);

} // namespace mm
