#pragma once
// BSON helpers shared by the mongo unit tests.

#include "adapters/mongo/mongo_handles.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <vector>

namespace mm::mongo::test {

inline BsonPtr from_json(const std::string& json) {
  bson_error_t error{};
  BsonPtr doc(bson_new_from_json(reinterpret_cast<const std::uint8_t*>(json.data()),
                                 static_cast<ssize_t>(json.size()), &error));
  EXPECT_TRUE(doc) << error.message << " in " << json;
  return doc;
}

// Compares through relaxed extended JSON re-serialised by nlohmann (ordered_json): field order
// and int-versus-double ("1" vs "1.0") still matter, doubles print shortest ("0.6"), dates as
// {"$date": "ISO-8601"}. (libbson's own JSON parser cannot read {"$type": "array"}: it takes it
// for legacy binary, so expected documents are never parsed by libbson.)
inline void expect_bson_eq(const bson_t* actual, const std::string& expected_json) {
  const std::string actual_json = to_json(actual);
  EXPECT_EQ(nlohmann::ordered_json::parse(actual_json).dump(),
            nlohmann::ordered_json::parse(expected_json).dump())
      << "actual (libbson): " << actual_json;
}

inline std::vector<BsonPtr> docs(std::initializer_list<std::string> jsons) {
  std::vector<BsonPtr> out;
  for (const auto& j : jsons) {
    out.push_back(from_json(j));
  }
  return out;
}

} // namespace mm::mongo::test
