#pragma once
// Shared by the libFuzzer targets of tests/fuzz (docs/fuzzing.md). A broken invariant prints what
// was expected and aborts, which libFuzzer reports as a crash and saves the input.

#include "core/result.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace mm::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* what,
                              std::string_view detail) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n  detail: %.*s\n", file, line, what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// No line break nor other control character: the text is one log line.
inline bool is_one_printable_line(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return false;
    }
  }
  return true;
}

// What every error a parser of outside data returns must look like: the expected kind (which
// decides the exit code) and a message saying what failed.
// Not checked: that the message is valid UTF-8. Messages quote what a service sent, cut at a
// byte count; the writers of the JSON report and log lines replace invalid bytes
// (tests/unit/cli/test_cli_render_invalid_utf8.cpp), so every producer need not.
inline void check_error(const char* file, int line, const Error& e, ErrorKind expected) {
  if (e.kind != expected) {
    fail(file, line, "unexpected error kind", std::string(to_string(e.kind)) + ": " + e.message);
  }
  if (e.message.empty()) {
    fail(file, line, "error without a message", to_string(e.kind));
  }
}

} // namespace mm::fuzz

#define MM_FUZZ_CHECK(cond, detail)                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      ::mm::fuzz::fail(__FILE__, __LINE__, #cond, (detail));                                       \
    }                                                                                              \
  } while (false)

#define MM_FUZZ_CHECK_ERROR(error, kind)                                                           \
  ::mm::fuzz::check_error(__FILE__, __LINE__, (error), (kind))
