#pragma once
// Where the tests find the checkout and the binary under test. Every test file sees this header
// (CMakeLists.txt force-includes it): MM_SOURCE_DIR and MM_BINARY read like the string literals
// they once were. The paths themselves are compiled into test_paths.cpp alone, so the command
// line of every other test file is the same in any checkout, and a compiler cache (ccache with
// CCACHE_BASEDIR, scripts/build.sh) serves them to a fresh clone elsewhere.

namespace mm::test {
const char* source_dir(); // the checkout
const char* binary();     // the model-monitor binary of this build tree
} // namespace mm::test

#define MM_SOURCE_DIR (::mm::test::source_dir())
#define MM_BINARY (::mm::test::binary())
