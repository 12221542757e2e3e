#pragma once
// Helpers of the mm_parquet unit tests: temporary directories, the venv's python, sample data.

#include "core/dataset.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <sys/wait.h>

namespace mm::parquet_test {

// A fresh directory per test, removed afterwards unless the test failed (kept for a look, as
// ccache's unit tests do).
class TempDir {
public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mm_parquet_tests-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << pattern;
    }
    m_path = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (keep()) {
      std::cerr << "kept " << m_path << " for inspection\n";
      return;
    }
    std::error_code ignored; // a leftover in /tmp is no reason to fail a test
    std::filesystem::remove_all(m_path, ignored);
  }

  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
  static bool keep() {
    const auto* unit = ::testing::UnitTest::GetInstance();
    if (unit->current_test_info() != nullptr) {
      return ::testing::Test::HasFailure();
    }
    return unit->current_test_suite() != nullptr && unit->current_test_suite()->Failed();
  }

  std::filesystem::path m_path;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the venv's python (MM_PYTHON, set by CMake) with `args`; its output goes to `log`.
// Returns the exit status, -1 when it did not exit normally.
inline int run_python(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::string command = shell_quote(MM_PYTHON);
  for (const std::string& arg : args) {
    command += ' ' + shell_quote(arg);
  }
  command += " >" + shell_quote(log.string()) + " 2>&1";
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

inline std::filesystem::path test_script(const char* name) {
  return std::filesystem::path(MM_SOURCE_DIR) / "tests/unit/parquet" / name;
}

// 2026-01-02T03:04:05Z
inline TimePoint base_time() {
  using namespace std::chrono;
  return sys_days{year{2026} / January / 2} + hours{3} + minutes{4} + seconds{5};
}

// Row r: feature f = r * 100 + f + offset, label r % 4, source llm for even r else feedback,
// created_at base_time() + r seconds + `fraction`.
inline Dataset sample_dataset(std::size_t rows, double offset = 0.5,
                              TimePoint::duration fraction = std::chrono::microseconds{123456}) {
  Dataset d;
  d.metadata = {"technical", "openai", "gpt-4o-mini", "9f86d081884c7d65", 0.7};
  for (std::size_t r = 0; r < rows; ++r) {
    TrainingRow row;
    for (std::size_t f = 0; f < k_feature_count; ++f) {
      row.features[f] = static_cast<double>(r * 100 + f) + offset;
    }
    row.label = static_cast<std::int64_t>(r % 4);
    row.source = r % 2 == 0 ? RowSource::llm : RowSource::feedback;
    row.created_at = base_time() + std::chrono::seconds{static_cast<std::int64_t>(r)} + fraction;
    d.rows.push_back(row);
  }
  return d;
}

} // namespace mm::parquet_test
