#pragma once
// The boundary between model-monitor and model-monitor-parquet.so, the module that holds all of
// mm_parquet's Arrow/Parquet code (DESIGN §5 datasets).
//
// Why a module: only `retrain` reads and writes Parquet, but a binary linked against libarrow and
// libparquet maps them at every start: `check` and `version` paid ~10 ms of CPU and ~25 MB of RSS
// for them (docs/performance.md). The binary now dlopen()s the module when retrain builds its
// DatasetStore (parquet_module.hpp), so the other commands never map Arrow.
//
// The entry point is found by its C name, mm_parquet_module_v1; what it returns is a table of C++
// function pointers whose arguments are our own C++ types (paths, strings, Dataset, Result). That
// is sound only when the binary and the module come from one build: same compiler, flags and
// headers. Both sides therefore compute k_parquet_module_fingerprint from the layout of the types
// that cross and from MM_PARQUET_MODULE_STAMP (CMake: a hash of the headers that declare them),
// and the loader refuses a module whose fingerprint differs, before calling anything else.

#include "adapters/parquet/parquet_dataset.hpp"
#include "ports/dataset_store.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#ifndef MM_PARQUET_MODULE_STAMP
#error "MM_PARQUET_MODULE_STAMP is defined by CMakeLists.txt (mm_parquet block)"
#endif

namespace mm {

// Bump when the table below changes shape (a member added, removed or retyped).
inline constexpr std::uint32_t k_parquet_module_abi_version = 1;

// File name of the module and of its entry point.
inline constexpr std::string_view k_parquet_module_file = "model-monitor-parquet.so";
inline constexpr const char* k_parquet_module_entry = "mm_parquet_module_v1";

using DatasetWarningSink = std::function<void(const std::string&)>;

struct ParquetModuleV1 {
  std::uint32_t abi_version; // k_parquet_module_abi_version of the module's build
  std::uint64_t fingerprint; // k_parquet_module_fingerprint of the module's build
  // A ParquetDatasetStore over data_dir; on_warning as its constructor's.
  std::unique_ptr<DatasetStore> (*make_store)(const std::filesystem::path& data_dir,
                                              DatasetWarningSink on_warning);
  // read_dataset() of parquet_dataset.hpp.
  Result<DatasetReadReport> (*read_dataset)(const std::filesystem::path& path);
};

namespace parquet_module_detail {

constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ULL) {
  for (const char c : s) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return h;
}

constexpr std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    h = (h ^ ((v >> (8 * i)) & 0xffU)) * 1099511628211ULL;
  }
  return h;
}

constexpr std::uint64_t fingerprint() {
  std::uint64_t h = fnv1a(MM_PARQUET_MODULE_STAMP);
  for (const std::uint64_t v :
       {sizeof(std::string), sizeof(std::filesystem::path), sizeof(DatasetWarningSink),
        sizeof(Error), sizeof(Status), sizeof(Result<DatasetReadReport>), sizeof(Dataset),
        sizeof(TrainingRow), sizeof(DatasetMetadata), sizeof(DatasetReadReport),
        sizeof(DatasetFile), sizeof(TimePoint), alignof(TrainingRow), sizeof(ParquetModuleV1),
        sizeof(std::unique_ptr<DatasetStore>), static_cast<std::uint64_t>(__GNUC__),
        static_cast<std::uint64_t>(_GLIBCXX_USE_CXX11_ABI)}) {
    h = mix(h, v);
  }
  return h;
}

} // namespace parquet_module_detail

inline constexpr std::uint64_t k_parquet_module_fingerprint = parquet_module_detail::fingerprint();

} // namespace mm

// Defined by the module only (parquet_module_entry.cpp); never null.
extern "C" const mm::ParquetModuleV1* mm_parquet_module_v1() noexcept;
