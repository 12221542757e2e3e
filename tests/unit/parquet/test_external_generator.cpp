// DATASET_GENERATOR_COMMAND: a team's own generator, here a shell command that uses the venv's
// pandas/pyarrow (as a real team generator would) to write the Parquet file.
#include "adapters/parquet/external_generator.hpp"
#include "parquet_test_support.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

using namespace parquet_test;

std::string python() {
  return MM_PYTHON;
}

TEST(ExternalGenerator, ReadsAndValidatesWhatTheCommandWrote) {
  TempDir dir;
  const std::string cmd = shell_quote(python()) + " " +
                          shell_quote(test_script("make_fixtures.py").string()) + " " +
                          shell_quote(dir.path().string()) + " && cp " +
                          shell_quote((dir.path() / "pandas_good.parquet").string()) +
                          " \"$MM_DATASET_OUTPUT\" && test \"$MM_SPECIALIST_TYPE\" = technical" +
                          " && test \"$MM_DATASET_NUM_SAMPLES\" = 5";
  ExternalCommandGenerator gen(cmd, dir.path() / "scratch");
  auto r = gen.generate({"technical", 5, std::chrono::seconds(120)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->accepted, 5);
  EXPECT_EQ(r->dataset.rows.size(), 5U);
  EXPECT_EQ(r->dataset.metadata.specialist_type, "technical");
  for (const auto& row : r->dataset.rows) {
    EXPECT_EQ(row.source, RowSource::llm);
  }
}

TEST(ExternalGenerator, FailingCommandIsABadResponseWithItsLog) {
  TempDir dir;
  ExternalCommandGenerator gen("echo broken generator >&2; exit 7", dir.path());
  auto r = gen.generate({"technical", 5, std::chrono::seconds(30)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("exit status 7"), std::string::npos) << r.error().message;
}

TEST(ExternalGenerator, GarbageOutputIsRejected) {
  TempDir dir;
  ExternalCommandGenerator gen("echo not parquet > \"$MM_DATASET_OUTPUT\"", dir.path());
  auto r = gen.generate({"technical", 5, std::chrono::seconds(30)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("MM_DATASET_OUTPUT"), std::string::npos);
}

TEST(ExternalGenerator, TimeoutKillsTheCommand) {
  TempDir dir;
  ExternalCommandGenerator gen("sleep 30", dir.path());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = gen.generate({"technical", 5, std::chrono::seconds(1)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

} // namespace
} // namespace mm
