# Apache Arrow / Parquet C++ taken from the pyarrow wheel in our venv (DESIGN §5).
#
# Why the wheel: Debian 12 packages neither Arrow nor Parquet C++, and the venv that
# scripts/setup.sh creates already pins pyarrow (requirements-dev.txt). The wheel ships the C++
# headers and the shared libraries libarrow.so.<SO> / libparquet.so.<SO>, built with the C++11 ABI
# (_GLIBCXX_USE_CXX11_ABI=1, g++'s default) for manylinux_2_28, which Debian 12 satisfies.
#
# Defines the imported targets mm::arrow and mm::parquet (link them PRIVATE: no module exposes
# Arrow headers to the rest of the program) and the variables MM_PYTHON, MM_ARROW_VERSION,
# MM_ARROW_LIB_DIR.
#
# We link the SONAME files (libarrow.so.2200) by full path instead of calling
# pyarrow.create_library_symlinks(): that needs write access to site-packages, must run only once
# and only prints (does not fail) on PermissionError. Linking the SONAME file gives the same
# DT_NEEDED entry and leaves the venv untouched.

include_guard(GLOBAL)

# The venv python, found the way scripts/env.sh finds the venv (MM_VENV, MM_TOOLS, XDG_DATA_HOME).
if(DEFINED ENV{MM_VENV} AND NOT "$ENV{MM_VENV}" STREQUAL "")
  set(_mm_venv "$ENV{MM_VENV}")
elseif(DEFINED ENV{MM_TOOLS} AND NOT "$ENV{MM_TOOLS}" STREQUAL "")
  set(_mm_venv "$ENV{MM_TOOLS}/venv")
elseif(DEFINED ENV{XDG_DATA_HOME} AND NOT "$ENV{XDG_DATA_HOME}" STREQUAL "")
  set(_mm_venv "$ENV{XDG_DATA_HOME}/model-monitor/venv")
else()
  set(_mm_venv "$ENV{HOME}/.local/share/model-monitor/venv")
endif()
set(MM_PYTHON "${_mm_venv}/bin/python"
    CACHE FILEPATH "Python of the model-monitor venv; its pyarrow wheel provides Arrow C++")

set(_mm_arrow_hint "run scripts/setup.sh (it creates the venv with pyarrow from \
requirements-dev.txt), or point -DMM_PYTHON=... at a python that has pyarrow")

if(NOT EXISTS "${MM_PYTHON}")
  message(FATAL_ERROR "Arrow C++: no python at MM_PYTHON=${MM_PYTHON}; ${_mm_arrow_hint}")
endif()

# One line per value, so paths with spaces survive; so_version names the files to link.
execute_process(
  COMMAND "${MM_PYTHON}" -c "import pyarrow as pa
b = pa.cpp_build_info
print(pa.__version__)
print(b.so_version)
print(pa.get_include())
print(pa.get_library_dirs()[0])"
  RESULT_VARIABLE _mm_rc
  OUTPUT_VARIABLE _mm_out
  ERROR_VARIABLE _mm_err
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _mm_rc EQUAL 0)
  message(FATAL_ERROR "Arrow C++: ${MM_PYTHON} cannot import pyarrow (${_mm_err}); "
                      "${_mm_arrow_hint}")
endif()
string(REPLACE "\n" ";" _mm_out "${_mm_out}")
list(GET _mm_out 0 MM_ARROW_VERSION)
list(GET _mm_out 1 _mm_so_version)
list(GET _mm_out 2 _mm_include_dir)
list(GET _mm_out 3 MM_ARROW_LIB_DIR)

foreach(_mm_file "${_mm_include_dir}/arrow/api.h" "${_mm_include_dir}/parquet/arrow/reader.h"
        "${MM_ARROW_LIB_DIR}/libarrow.so.${_mm_so_version}"
        "${MM_ARROW_LIB_DIR}/libparquet.so.${_mm_so_version}")
  if(NOT EXISTS "${_mm_file}")
    message(FATAL_ERROR "Arrow C++: pyarrow ${MM_ARROW_VERSION} has no ${_mm_file} (not a wheel "
                        "install?); ${_mm_arrow_hint}")
  endif()
endforeach()

# pip rewrites this header when it installs another pyarrow: configure again then, so that the
# new SONAME is linked instead of a file that no longer exists.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                                      "${_mm_include_dir}/arrow/util/config.h")

# The headers need C++17 (Arrow >= 10) and no definitions for the shared libraries. They are
# SYSTEM includes so that -Wconversion/-Wshadow report our code, not Arrow's. The RPATH to the
# wheel's directory lets our binaries run without LD_LIBRARY_PATH; libparquet then finds libarrow
# through its own RUNPATH $ORIGIN.
foreach(_mm_lib arrow parquet)
  add_library(mm::${_mm_lib} SHARED IMPORTED GLOBAL)
  set_target_properties(
    mm::${_mm_lib}
    PROPERTIES IMPORTED_LOCATION "${MM_ARROW_LIB_DIR}/lib${_mm_lib}.so.${_mm_so_version}"
               IMPORTED_SONAME "lib${_mm_lib}.so.${_mm_so_version}"
               INTERFACE_INCLUDE_DIRECTORIES "${_mm_include_dir}"
               INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_mm_include_dir}"
               INTERFACE_COMPILE_FEATURES cxx_std_17
               INTERFACE_LINK_OPTIONS "LINKER:-rpath,${MM_ARROW_LIB_DIR}")
endforeach()
set_property(TARGET mm::parquet PROPERTY INTERFACE_LINK_LIBRARIES mm::arrow)

message(STATUS "Arrow C++ ${MM_ARROW_VERSION} from pyarrow: ${MM_ARROW_LIB_DIR}")

# The wheel's C++ API passes std::string (C++11 ABI: std::__cxx11::basic_string) everywhere; a
# build with -D_GLIBCXX_USE_CXX11_ABI=0 would compile and then fail to link with cryptic
# undefined references, so say it here.
include(CheckCXXSourceCompiles)
check_cxx_source_compiles(
  "#include <string>
#if !defined(_GLIBCXX_USE_CXX11_ABI) || !_GLIBCXX_USE_CXX11_ABI
#error old ABI
#endif
int main() { return 0; }"
  MM_CXX11_ABI)
if(NOT MM_CXX11_ABI)
  message(FATAL_ERROR "Arrow C++: the pyarrow wheel is built with _GLIBCXX_USE_CXX11_ABI=1; "
                      "remove -D_GLIBCXX_USE_CXX11_ABI=0 from the compiler flags")
endif()
