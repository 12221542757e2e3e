#include "core/dataset_retention.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace mm {

std::vector<std::filesystem::path>
datasets_to_remove(std::vector<DatasetFile> files, TimePoint now, int retention_days,
                   const std::set<std::filesystem::path>& in_use) {
  std::vector<std::filesystem::path> out;
  if (files.size() <= 1) {
    return out; // the newest is always kept
  }
  std::sort(files.begin(), files.end(),
            [](const DatasetFile& a, const DatasetFile& b) { return a.created > b.created; });
  const TimePoint cutoff = now - std::chrono::hours(24) * retention_days;
  for (size_t i = 1; i < files.size(); ++i) {
    if (files[i].created < cutoff && in_use.count(files[i].path) == 0) {
      out.push_back(files[i].path);
    }
  }
  return out;
}

std::string dataset_file_name(TimePoint t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day ymd{days};
  const hh_mm_ss hms{secs - days};
  return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}Z.parquet", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<TimePoint> parse_dataset_file_name(const std::string& name) {
  // YYYYmmddTHHMMSSZ.parquet: exactly 24 characters.
  if (name.size() != 24 || name[8] != 'T' || name[15] != 'Z' || name.substr(16) != ".parquet") {
    return std::nullopt;
  }
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}) {
    if (name[i] < '0' || name[i] > '9') {
      return std::nullopt;
    }
  }
  using namespace std::chrono;
  const int y = std::stoi(name.substr(0, 4));
  const unsigned mo = static_cast<unsigned>(std::stoi(name.substr(4, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(name.substr(6, 2)));
  const int h = std::stoi(name.substr(9, 2));
  const int mi = std::stoi(name.substr(11, 2));
  const int s = std::stoi(name.substr(13, 2));
  const year_month_day ymd{year{y}, month{mo}, day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  return TimePoint(sys_days(ymd).time_since_epoch() + hours(h) + minutes(mi) + seconds(s));
}

} // namespace mm
