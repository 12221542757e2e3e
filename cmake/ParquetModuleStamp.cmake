# MM_PARQUET_MODULE_STAMP: a hash of the headers that declare what crosses between model-monitor
# and model-monitor-parquet.so (src/adapters/parquet/parquet_module_abi.hpp). Both are compiled
# with it; the loader refuses a module whose stamp (folded into its fingerprint) differs, so a
# module left over from another build fails with a clear message instead of crashing.
# CMake re-runs, and the stamp changes, whenever one of these headers changes.

include_guard(GLOBAL)

set(_mm_stamp_headers
    src/adapters/parquet/parquet_module_abi.hpp
    src/adapters/parquet/parquet_dataset.hpp
    src/ports/dataset_store.hpp
    src/core/dataset.hpp
    src/core/dataset_retention.hpp
    src/core/metrics.hpp
    src/core/result.hpp)
set(_mm_stamp "${PROJECT_VERSION}")
foreach(_mm_header IN LISTS _mm_stamp_headers)
  set(_mm_path "${CMAKE_CURRENT_SOURCE_DIR}/${_mm_header}")
  file(SHA256 "${_mm_path}" _mm_hash)
  string(APPEND _mm_stamp ";${_mm_hash}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_mm_path}")
endforeach()
string(SHA256 _mm_stamp "${_mm_stamp}")
string(SUBSTRING "${_mm_stamp}" 0 16 MM_PARQUET_MODULE_STAMP)
