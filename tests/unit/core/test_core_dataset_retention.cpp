#include "core/dataset_retention.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

using namespace std::chrono;

const TimePoint k_now = TimePoint(sys_days(year{2026} / 11 / 24).time_since_epoch() + hours(9));

DatasetFile file(int days_old) {
  const TimePoint t = k_now - hours(24 * days_old);
  return {std::filesystem::path("/d/technical") / dataset_file_name(t), t};
}

TEST(DatasetRetention, RemovesOnlyFilesOlderThanRetention) {
  auto removed = datasets_to_remove({file(1), file(89), file(91), file(200)}, k_now, 90, {});
  ASSERT_EQ(removed.size(), 2U);
  EXPECT_EQ(removed[0], file(91).path);
  EXPECT_EQ(removed[1], file(200).path);
}

TEST(DatasetRetention, NeverTheNewestEvenIfOld) {
  EXPECT_TRUE(datasets_to_remove({file(500)}, k_now, 90, {}).empty());
  auto removed = datasets_to_remove({file(400), file(500)}, k_now, 90, {});
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0], file(500).path);
}

TEST(DatasetRetention, NeverOneInUse) {
  auto removed = datasets_to_remove({file(1), file(100), file(120)}, k_now, 90, {file(100).path});
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0], file(120).path);
}

TEST(DatasetRetention, ExactlyAtTheCutoffIsKept) {
  EXPECT_TRUE(datasets_to_remove({file(1), file(90)}, k_now, 90, {}).empty());
}

TEST(DatasetFileName, RoundTrips) {
  EXPECT_EQ(dataset_file_name(k_now), "20261124T090000Z.parquet");
  EXPECT_EQ(parse_dataset_file_name("20261124T090000Z.parquet"), k_now);
  for (const char* bad :
       {"", "x.parquet", "20261124T090000Z.csv", "20261324T090000Z.parquet",
        "20261124T250000Z.parquet", "2026112AT090000Z.parquet", "20261124T090000Z.parquet.tmp"}) {
    EXPECT_FALSE(parse_dataset_file_name(bad).has_value()) << bad;
  }
}

} // namespace
} // namespace mm
