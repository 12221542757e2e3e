#pragma once
// The binary's side of model-monitor-parquet.so (parquet_module_abi.hpp): finds, loads and checks
// the module, and offers what it holds. Links no Arrow: this and external_generator are the
// mm_parquet library every command links; the Arrow code is in the module.
//
// Where the module is looked for, in order:
//   1. the directory of the running binary (/proc/self/exe): build trees, tests;
//   2. <that directory>/../lib/model-monitor: installed layout (the image's /app/bin/model-monitor
//      and /app/lib/model-monitor/model-monitor-parquet.so).
// Libarrow and libparquet are found through the module's own RUNPATH (the pyarrow wheel in the
// venv, cmake/ArrowFromPyarrow.cmake).
//
// Every failure is a config error (exit 2, DESIGN §1): an installation that lacks the module, a
// module that cannot load its libraries (the venv with pyarrow is missing), or a module from
// another build. Messages say what, where, and what to do.

#include "adapters/parquet/parquet_dataset.hpp"
#include "core/result.hpp"
#include "ports/dataset_store.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mm {

struct ParquetModuleV1;

// The places above for a binary in binary_dir, in the order they are tried.
std::vector<std::filesystem::path>
parquet_module_candidates(const std::filesystem::path& binary_dir);

// Loads the module from the first candidate that exists, once per process (later calls return the
// same table; a failure is retried next time). Thread-safe. The module is never unloaded.
Result<const ParquetModuleV1*> load_parquet_module();

// Loads and checks the module at `file` (no search, no caching); for tests and diagnostics.
Result<const ParquetModuleV1*> load_parquet_module_from(const std::filesystem::path& file);

// A DatasetStore over Parquet files in data_dir (ParquetDatasetStore, from the module).
Result<std::unique_ptr<DatasetStore>>
make_parquet_dataset_store(const std::filesystem::path& data_dir,
                           std::function<void(const std::string&)> on_warning = {});

// read_dataset() of parquet_dataset.hpp, from the module.
Result<DatasetReadReport> read_dataset_with_module(const std::filesystem::path& path);

} // namespace mm
