// write_dataset / read_dataset / inspect_dataset on files this module writes, and the files
// no writer should leave behind (empty, truncated, not Parquet). Needs nothing running.

#include "adapters/parquet/parquet_dataset.hpp"
#include "parquet_test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

namespace mm {
namespace {

using parquet_test::sample_dataset;
using parquet_test::TempDir;

void expect_same_rows(const std::vector<TrainingRow>& got, const std::vector<TrainingRow>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t r = 0; r < want.size(); ++r) {
    SCOPED_TRACE("row " + std::to_string(r));
    EXPECT_EQ(got[r].features, want[r].features); // bit-exact: float64 all the way
    EXPECT_EQ(got[r].label, want[r].label);
    EXPECT_EQ(got[r].source, want[r].source);
    EXPECT_EQ(got[r].created_at, want[r].created_at);
  }
}

TEST(ParquetWrite, RoundTripKeepsRowsAndMetadata) {
  TempDir dir;
  const auto path = dir / "technical.parquet";
  const Dataset dataset = sample_dataset(9);

  ASSERT_TRUE(write_dataset(path, dataset)) << write_dataset(path, dataset).error().message;
  auto read = read_dataset(path);
  ASSERT_TRUE(read) << read.error().message;

  expect_same_rows(read->dataset.rows, dataset.rows);
  const DatasetMetadata& meta = read->dataset.metadata;
  EXPECT_EQ(meta.specialist_type, "technical");
  EXPECT_EQ(meta.provider, "openai");
  EXPECT_EQ(meta.model, "gpt-4o-mini");
  EXPECT_EQ(meta.prompt_hash, "9f86d081884c7d65");
  EXPECT_EQ(meta.temperature, 0.7);
  EXPECT_TRUE(read->warnings.empty()) << read->warnings.front();
}

TEST(ParquetWrite, TemperatureKeepsEveryDigit) {
  TempDir dir;
  Dataset dataset = sample_dataset(1);
  dataset.metadata.temperature = 0.1 + 0.2; // 0.30000000000000004
  ASSERT_TRUE(write_dataset(dir / "t.parquet", dataset));
  auto read = read_dataset(dir / "t.parquet");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->dataset.metadata.temperature, 0.1 + 0.2);
}

TEST(ParquetWrite, CreatedAtIsTruncatedToTheMicrosecond) {
  TempDir dir;
  const Dataset dataset = sample_dataset(2, 0.5, std::chrono::nanoseconds{123456789});
  ASSERT_TRUE(write_dataset(dir / "t.parquet", dataset));
  auto read = read_dataset(dir / "t.parquet");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->dataset.rows[1].created_at, parquet_test::base_time() + std::chrono::seconds{1} +
                                                  std::chrono::microseconds{123456});
}

TEST(ParquetWrite, AtomicWriteLeavesNoTemporaryFile) {
  TempDir dir;
  const auto path = dir / "technical.parquet";
  ASSERT_TRUE(write_dataset(path, sample_dataset(3)));
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(dir / "technical.parquet.tmp"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1U);
}

TEST(ParquetWrite, ReplacesAnExistingFileAndAStaleTemporary) {
  TempDir dir;
  const auto path = dir / "technical.parquet";
  ASSERT_TRUE(write_dataset(path, sample_dataset(3)));
  std::ofstream(dir / "technical.parquet.tmp") << "half a file from a crash";

  ASSERT_TRUE(write_dataset(path, sample_dataset(5)));
  EXPECT_FALSE(std::filesystem::exists(dir / "technical.parquet.tmp"));
  auto summary = inspect_dataset(path);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->row_count, 5);
}

TEST(ParquetWrite, MissingDirectoryIsNotFoundAndWritesNothing) {
  TempDir dir;
  const auto path = dir / "absent" / "technical.parquet";
  const Status s = write_dataset(path, sample_dataset(1));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::not_found);
  EXPECT_NE(s.error().message.find(path.string() + ".tmp"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("DATA_DIR"), std::string::npos);
}

struct Unwritable {
  const char* name;
  void (*spoil)(Dataset&);
  const char* says;
};

void PrintTo(const Unwritable& u, std::ostream* os) {
  *os << u.name;
}

class ParquetWriteRefuses : public ::testing::TestWithParam<Unwritable> {};

TEST_P(ParquetWriteRefuses, InvalidDatasetsAsInternalErrorsWritingNothing) {
  TempDir dir;
  Dataset dataset = sample_dataset(3);
  GetParam().spoil(dataset);
  const Status s = write_dataset(dir / "bad.parquet", dataset);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::internal);
  EXPECT_NE(s.error().message.find(GetParam().says), std::string::npos) << s.error().message;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParquetWriteRefuses,
    ::testing::Values(
        Unwritable{"no_rows", [](Dataset& d) { d.rows.clear(); }, "no rows"},
        Unwritable{"label_4", [](Dataset& d) { d.rows[1].label = 4; }, "label 4 at row 1"},
        Unwritable{"label_negative", [](Dataset& d) { d.rows[2].label = -1; }, "label -1"},
        Unwritable{
            "nan",
            [](Dataset& d) { d.rows[0].features[4] = std::numeric_limits<double>::quiet_NaN(); },
            "feature risk_score is nan at row 0"},
        Unwritable{
            "infinity",
            [](Dataset& d) { d.rows[2].features[0] = -std::numeric_limits<double>::infinity(); },
            "feature num_tasks is -inf at row 2"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ParquetInspect, CountsRowsAndLabelsFromOurFile) {
  TempDir dir;
  const auto path = dir / "technical.parquet";
  ASSERT_TRUE(write_dataset(path, sample_dataset(10))); // labels 0,1,2,3,0,1,2,3,0,1
  auto summary = inspect_dataset(path);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->row_count, 10);
  EXPECT_EQ(summary->label_counts, (std::array<std::int64_t, 4>{3, 3, 2, 2}));
  EXPECT_EQ(summary->metadata.specialist_type, "technical");
  EXPECT_EQ(summary->schema_version, "1.0.0");
  EXPECT_TRUE(summary->warnings.empty());
}

// Files no correct writer leaves, made here without Python.

Error read_error(const std::filesystem::path& path) {
  auto read = read_dataset(path);
  EXPECT_FALSE(read);
  if (read) {
    return Error::internal("read succeeded");
  }
  auto inspected = inspect_dataset(path);
  EXPECT_FALSE(inspected);
  if (!inspected) {
    EXPECT_EQ(inspected.error().kind, read.error().kind);
  }
  return std::move(read).error();
}

void expect_bad_file(const Error& e, const std::filesystem::path& path, const char* says) {
  EXPECT_EQ(e.kind, ErrorKind::bad_response) << e.message;
  EXPECT_NE(e.message.find(path.string()), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(says), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("regenerate the dataset"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("DATASET_GENERATOR_COMMAND"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find('\n'), std::string::npos) << e.message; // one log line
}

TEST(ParquetReadFile, MissingFileIsNotFound) {
  TempDir dir;
  const auto path = dir / "absent.parquet";
  const Error e = read_error(path);
  EXPECT_EQ(e.kind, ErrorKind::not_found);
  EXPECT_NE(e.message.find(path.string()), std::string::npos) << e.message;
}

TEST(ParquetReadFile, EmptyFileIsRefused) {
  TempDir dir;
  const auto path = dir / "empty.parquet";
  std::ofstream{path};
  expect_bad_file(read_error(path), path, "empty (0 bytes)");
}

TEST(ParquetReadFile, TruncatedFileIsRefused) {
  TempDir dir;
  const auto path = dir / "cut.parquet";
  ASSERT_TRUE(write_dataset(path, sample_dataset(50)));
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  expect_bad_file(read_error(path), path, "not a readable Parquet file");
}

TEST(ParquetReadFile, FileWithoutItsLastByteIsRefused) {
  TempDir dir;
  const auto path = dir / "cut.parquet";
  ASSERT_TRUE(write_dataset(path, sample_dataset(5)));
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 1);
  expect_bad_file(read_error(path), path, "not a readable Parquet file");
}

// Bits flipped inside the column data, footer intact: the page checksums we write catch it.
TEST(ParquetReadFile, CorruptDataIsRefused) {
  TempDir dir;
  const auto path = dir / "corrupt.parquet";
  ASSERT_TRUE(write_dataset(path, sample_dataset(50)));
  const auto size = std::filesystem::file_size(path);
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    for (auto at = size / 3; at < size / 3 + 16; ++at) {
      file.seekg(static_cast<std::streamoff>(at));
      const auto byte = static_cast<char>(file.get() ^ 0x5a);
      file.seekp(static_cast<std::streamoff>(at));
      file.put(byte);
    }
  }
  auto read = read_dataset(path);
  ASSERT_FALSE(read);
  expect_bad_file(read.error(), path, "cannot be read");
}

TEST(ParquetReadFile, TextFileIsRefused) {
  TempDir dir;
  const auto path = dir / "dataset.csv";
  std::ofstream(path) << "num_tasks,priority_score,label\n1,0.5,1\n";
  expect_bad_file(read_error(path), path, "not a readable Parquet file");
}

TEST(ParquetReadFile, DirectoryIsRefused) {
  TempDir dir;
  expect_bad_file(read_error(dir.path()), dir.path(), "not a regular file");
}

} // namespace
} // namespace mm
