// model-monitor: thin entry point. Exceptions are not used for expected failures; anything that
// still escapes (a bug, std::bad_alloc) is caught once here and reported as exit code 4.
#include "cli/cli.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return mm::run_cli(args, stdout, stderr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "model-monitor: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "model-monitor: internal error: unknown exception\n");
  }
  return 4;
}
