// The binary's side of model-monitor-parquet.so: where it is looked for, what a missing, broken
// or foreign module says, and that the real one works through its table.
#include "adapters/parquet/external_generator.hpp"
#include "adapters/parquet/parquet_module.hpp"
#include "adapters/parquet/parquet_module_abi.hpp"
#include "parquet_test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace mm {
namespace {

using namespace parquet_test;

TEST(ParquetModule, LooksBesideTheBinaryThenInLibModelMonitor) {
  const auto c = parquet_module_candidates("/app/bin");
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[0], std::filesystem::path("/app/bin/model-monitor-parquet.so"));
  EXPECT_EQ(c[1], std::filesystem::path("/app/lib/model-monitor/model-monitor-parquet.so"));
}

TEST(ParquetModule, TheBuiltModuleLoadsAndMatchesThisBuild) {
  auto module = load_parquet_module_from(MM_PARQUET_MODULE);
  ASSERT_TRUE(module.ok()) << module.error().message;
  EXPECT_EQ((*module)->abi_version, k_parquet_module_abi_version);
  EXPECT_EQ((*module)->fingerprint, k_parquet_module_fingerprint);
  // The search finds the same file: the tests run beside it, as the binary does.
  auto found = load_parquet_module();
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(*found, *module);
}

TEST(ParquetModule, DatasetStoreFromTheModuleWritesAndReadsBack) {
  TempDir dir;
  std::vector<std::string> warnings;
  auto store =
      make_parquet_dataset_store(dir.path(), [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_TRUE(store.ok()) << store.error().message;
  const Dataset data = sample_dataset(7);
  const auto path = (*store)->path_for("technical", data.rows.front().created_at);
  ASSERT_TRUE((*store)->write(path, data).ok());
  auto back = (*store)->read(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->rows.size(), 7U);
  auto listed = (*store)->list("technical");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1U);
  auto read = read_dataset_with_module(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->dataset.rows.size(), 7U);
}

TEST(ParquetModule, AModuleFromAnotherBuildIsRefusedWithWhatToDo) {
  auto module = load_parquet_module_from(MM_PARQUET_OTHER_BUILD_MODULE);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().kind, ErrorKind::config); // exit 2: an installation problem
  EXPECT_NE(module.error().message.find("another build"), std::string::npos)
      << module.error().message;
  EXPECT_NE(module.error().message.find("same build"), std::string::npos);
}

TEST(ParquetModule, AFileThatIsNotASharedObjectIsAConfigErrorNamingIt) {
  TempDir dir;
  const auto file = dir.path() / "model-monitor-parquet.so";
  std::ofstream(file) << "not an ELF file\n";
  auto module = load_parquet_module_from(file);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().kind, ErrorKind::config);
  EXPECT_NE(module.error().message.find(file.string()), std::string::npos)
      << module.error().message;
  EXPECT_NE(module.error().message.find("cannot load the Parquet module"), std::string::npos);
}

TEST(ParquetModule, ASharedObjectWithoutTheEntryIsRefused) {
  // libc is a shared object, but no model-monitor module.
  auto module = load_parquet_module_from("libc.so.6");
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().kind, ErrorKind::config);
  EXPECT_NE(module.error().message.find("mm_parquet_module_v1"), std::string::npos)
      << module.error().message;
}

TEST(ParquetModule, ExternalGeneratorUsesTheReaderItIsGiven) {
  TempDir dir;
  int calls = 0;
  ExternalCommandGenerator gen("echo x > \"$MM_DATASET_OUTPUT\"", dir.path(),
                               [&calls](const std::filesystem::path&) -> Result<DatasetReadReport> {
                                 ++calls;
                                 return Error::config("the Parquet module is not installed");
                               });
  auto r = gen.generate({"technical", 5, std::chrono::seconds(30)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 1);
  // A missing module is the installation's problem (exit 2), not the command's bad output.
  EXPECT_EQ(r.error().kind, ErrorKind::config);
  EXPECT_EQ(r.error().message, "the Parquet module is not installed");
}

} // namespace
} // namespace mm
