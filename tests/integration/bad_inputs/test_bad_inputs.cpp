// Every row of docs/bad-inputs.md: the real binary given one bad input must print the exact
// message (or its fixed fragment) and exit with the documented code; never crash, never report
// an internal error, never hang (each run is bounded by `timeout`).
#include "integration/bad_inputs/bad_input_world.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <ostream>

namespace mm::test {

// GoogleTest prints a failing case's parameter with this.
void PrintTo(const BadInputCase& c, std::ostream* os) {
  *os << c.id;
}

namespace {

class BadInput : public BadInputWorld, public ::testing::WithParamInterface<BadInputCase> {};

TEST_P(BadInput, Case) {
  const BadInputCase& c = GetParam();
  const ProcessResult r = c.run(*this);
  if (const char* v = std::getenv("MM_BADIN_VERBOSE"); v != nullptr && *v == '1') { // NOLINT
    std::cout << "--- " << c.id << ": exit " << r.exit_code << "\n" << r.out << r.err;
  }
  const std::string context = "\ninput: " + c.input + "\n--- stdout\n" + r.out.substr(0, 4000) +
                              "\n--- stderr\n" + r.err.substr(0, 4000);
  EXPECT_EQ(r.exit_code, c.exit_code) << context;
  EXPECT_NE((r.out + r.err).find(c.message), std::string::npos)
      << "expected message: " << c.message << context;
  // A clear error, never a crash: no signal, no internal error (exit 4), no exception text.
  EXPECT_GE(r.exit_code, 0) << "killed by a signal or timed out" << context;
  EXPECT_EQ((r.out + r.err).find("internal error"), std::string::npos) << context;
  EXPECT_EQ((r.out + r.err).find("terminate called"), std::string::npos) << context;
}

INSTANTIATE_TEST_SUITE_P(All, BadInput, ::testing::ValuesIn(bad_input_cases()),
                         [](const ::testing::TestParamInfo<BadInputCase>& param) {
                           return param.param.id;
                         });

} // namespace
} // namespace mm::test
