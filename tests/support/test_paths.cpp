#include "support/test_paths.hpp"

namespace mm::test {

// MM_TEST_SOURCE_DIR and MM_TEST_BINARY are defined for this file only (CMakeLists.txt).
const char* source_dir() {
  return MM_TEST_SOURCE_DIR;
}

const char* binary() {
  return MM_TEST_BINARY;
}

} // namespace mm::test
