// A stand-in for a model-monitor-parquet.so left over from another build: the same entry point,
// compiled with another MM_PARQUET_MODULE_STAMP (CMakeLists.txt), so its fingerprint differs.
// The loader must refuse it before calling anything in its table (left empty here).

#include "adapters/parquet/parquet_module_abi.hpp"

namespace {

constexpr mm::ParquetModuleV1 k_module{mm::k_parquet_module_abi_version,
                                       mm::k_parquet_module_fingerprint, nullptr, nullptr};

} // namespace

extern "C" const mm::ParquetModuleV1* mm_parquet_module_v1() noexcept {
  return &k_module;
}
