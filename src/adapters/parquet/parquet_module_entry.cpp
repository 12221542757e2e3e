// The entry point of model-monitor-parquet.so (parquet_module_abi.hpp). Compiled into the module
// only; the module is linked with every other symbol hidden, so this is all it exports.

#include "adapters/parquet/parquet_dataset_store.hpp"
#include "adapters/parquet/parquet_module_abi.hpp"

namespace {

std::unique_ptr<mm::DatasetStore> make_store(const std::filesystem::path& data_dir,
                                             mm::DatasetWarningSink on_warning) {
  return std::make_unique<mm::ParquetDatasetStore>(data_dir, std::move(on_warning));
}

constexpr mm::ParquetModuleV1 k_module{mm::k_parquet_module_abi_version,
                                       mm::k_parquet_module_fingerprint, &make_store,
                                       &mm::read_dataset};

} // namespace

extern "C" __attribute__((visibility("default"))) const mm::ParquetModuleV1*
mm_parquet_module_v1() noexcept {
  return &k_module;
}
