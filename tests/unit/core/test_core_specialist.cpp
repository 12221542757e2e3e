#include "core/specialist.hpp"
#include "core/time_format.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(SpecialistType, AcceptsThePattern) {
  for (const char* ok : {"technical", "a", "b2", "my_type", "my-type", "z0_-"}) {
    EXPECT_TRUE(is_valid_specialist_type(ok)) << ok;
  }
  EXPECT_TRUE(is_valid_specialist_type(std::string(63, 'a')));
}

TEST(SpecialistType, RejectsEverythingElse) {
  for (const char* bad : {"", "Technical", "1abc", "_a", "-a", "a b", "a/b", "a.b", "a$", "a\n",
                          "téc", "a'b", "a\"", "a{b}"}) {
    EXPECT_FALSE(is_valid_specialist_type(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_specialist_type(std::string(64, 'a')));
}

TEST(ModelName, AppliesTemplate) {
  EXPECT_EQ(model_name_for("{type}-specialist", "technical"), "technical-specialist");
  EXPECT_EQ(model_name_for("{type}-evaluator", "business"), "business-evaluator");
  EXPECT_EQ(model_name_for("models.{type}.{type}", "x"), "models.x.x");
  EXPECT_EQ(experiment_name_for("behavior"), "behavior-specialist");
}

TEST(ModelName, InverseForDiscovery) {
  EXPECT_EQ(type_from_model_name("{type}-specialist", "technical-specialist"), "technical");
  EXPECT_EQ(type_from_model_name("{type}-evaluator", "business-evaluator"), "business");
  EXPECT_FALSE(type_from_model_name("{type}-specialist", "technical-evaluator"));
  EXPECT_FALSE(type_from_model_name("{type}-specialist", "-specialist"));
  EXPECT_FALSE(type_from_model_name("{type}-specialist", "Bad Name-specialist"));
  EXPECT_EQ(type_from_model_name("models.{type}", "models.x"), "x");
  // Discovery needs a template with exactly one placeholder (config enforces it).
  EXPECT_FALSE(type_from_model_name("models.{type}.{type}", "models.x.x"));
}

TEST(TimeFormat, Iso8601Utc) {
  EXPECT_EQ(format_iso8601_utc(TimePoint(std::chrono::seconds(0))), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601_utc(TimePoint(std::chrono::seconds(1763893800))),
            "2025-11-23T10:30:00Z");
}

} // namespace
} // namespace mm
