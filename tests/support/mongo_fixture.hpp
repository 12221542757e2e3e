#pragma once
// Helpers for integration tests against the real MongoDB-compatible server (FerretDB locally,
// MongoDB in CI or by hand) named by MONGODB_URI.
//
// Uses libmongoc directly, not mm_mongo: tests/support/*.cpp is built into every test program,
// and only the mongo ones link mm_mongo. Also, setting up data with the driver keeps the code
// under test out of the test's own preparation.

#include "adapters/mongo/mongo_handles.hpp"
#include "core/dataset.hpp"
#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm::test {

// MONGODB_URI from the environment. FAILS the calling test (never skips) with a message saying
// how to start the services when it is unset; then returns a URI where nothing listens.
std::string mongodb_uri_from_env();

// A specialist_feedback document with every DESIGN §4 field and sensible defaults; setters
// chain. IDs are unique per process; submitted_at defaults to "now".
class FeedbackDoc {
public:
  FeedbackDoc();

  FeedbackDoc& feedback_id(std::string v);
  FeedbackDoc& opinion_id(std::string v);
  const std::string& opinion_id() const { return m_opinion_id; }
  FeedbackDoc& plan_id(std::string v);
  const std::string& plan_id() const { return m_plan_id; }
  FeedbackDoc& specialist_type(std::string v);
  const std::string& specialist_type() const { return m_specialist_type; }
  FeedbackDoc& rating(double v); // stored as a BSON double
  FeedbackDoc& rating_int(std::int32_t v);
  // Any extended-JSON value for human_rating: R"("0.8")", "null", "true",
  // R"({"$numberDouble": "NaN"})", "[0.5]" ...
  FeedbackDoc& rating_json(std::string json_value);
  FeedbackDoc& without_rating();
  FeedbackDoc& recommendation(std::string v);
  FeedbackDoc& notes(std::string v);
  FeedbackDoc& submitted_by(std::string v);
  FeedbackDoc& submitted_at(TimePoint v);
  // Any extended-JSON value for submitted_at (e.g. a date written as a string by a bad writer).
  FeedbackDoc& submitted_at_json(std::string json_value);
  FeedbackDoc& without_submitted_at();
  FeedbackDoc& source(std::string v);
  FeedbackDoc& metadata_json(std::string json_object);

  // Canonical extended JSON of the whole document.
  std::string json() const;

private:
  std::string m_feedback_id;
  std::string m_schema_version = "1.0.0";
  std::string m_opinion_id;
  std::string m_plan_id;
  std::string m_specialist_type = "technical";
  std::optional<std::string> m_rating_json; // nullopt: field absent
  std::string m_recommendation = "approve";
  std::string m_notes = "integration test";
  std::string m_submitted_by = "reviewer@example.com";
  TimePoint m_submitted_at;
  std::optional<std::string> m_submitted_at_json; // overrides m_submitted_at
  bool m_has_submitted_at = true;
  std::string m_source = "human_expert";
  std::string m_metadata_json = "{}";
};

// A cognitive_ledger (OPINIONS_MONGODB_COLLECTION) document as scripts/seed_demo.py writes it
// (DESIGN §4): opinion_id, plan_id, specialist_type, recommendation, confidence_score,
// features (an object with the 26 names of k_feature_names, all doubles by default) and
// created_at. Setters chain. IDs are unique per process, and so is the default num_tasks (the
// first feature), which tells rows apart; the other features default to (index + 1) / 2.
class OpinionDoc {
public:
  OpinionDoc();

  OpinionDoc& opinion_id(std::string v);
  const std::string& opinion_id() const { return m_opinion_id; }
  OpinionDoc& plan_id(std::string v);
  OpinionDoc& specialist_type(std::string v);
  OpinionDoc& recommendation(std::string v);
  OpinionDoc& created_at(TimePoint v);
  // Set one feature as a BSON double (a name outside k_feature_names adds an extra field).
  OpinionDoc& feature(std::string_view name, double v);
  // Any extended-JSON value for one feature: R"("3.5")", "null", "true",
  // R"({"$numberInt": "4"})", R"({"$numberLong": "5"})", R"({"$numberDecimal": "1.5"})" ...
  OpinionDoc& feature_json(std::string_view name, std::string json_value);
  OpinionDoc& without_feature(std::string_view name);
  // Any extended-JSON value for the whole features field ("null", "[1, 2]", "{}" ...).
  OpinionDoc& features_json(std::string json_value);
  OpinionDoc& without_features();
  // The opinion `feedback` rates: same opinion_id, plan_id and specialist_type.
  static OpinionDoc of(const FeedbackDoc& feedback);

  // The features a training row built from this document holds, in k_feature_names order
  // (meaningful while every feature is a double set by default or by feature()).
  const std::array<double, k_feature_count>& feature_values() const { return m_values; }

  // Canonical extended JSON of the whole document.
  std::string json() const;

private:
  std::string m_opinion_id;
  std::string m_plan_id;
  std::string m_specialist_type = "technical";
  std::string m_recommendation = "approve";
  TimePoint m_created_at;
  std::array<double, k_feature_count> m_values{};
  // name → raw extended JSON, or nullopt for "absent"; overrides m_values.
  std::map<std::string, std::optional<std::string>, std::less<>> m_overrides;
  std::optional<std::string> m_features_json; // overrides the whole object
  bool m_has_features = true;
};

// Base fixture: connects with MONGODB_URI (failing the test when unset or unreachable), gives
// each test its own database (dropped at the end; kept when MM_KEEP_TEST_DB=1, for debugging).
class MongoTest : public ::testing::Test {
protected:
  static constexpr const char* k_collection = "specialist_feedback";
  static constexpr const char* k_opinions_collection = "cognitive_ledger";
  static constexpr const char* k_state_collection = "model_monitor_state";

  void SetUp() override;
  void TearDown() override;

  const std::string& uri() const { return m_uri; }
  const std::string& database() const { return m_database; }

  // Fail the test on error.
  void insert(const FeedbackDoc& doc);
  void insert(const std::vector<FeedbackDoc>& docs);
  // Into k_opinions_collection.
  void insert(const OpinionDoc& doc);
  void insert(const std::vector<OpinionDoc>& docs);
  void insert_json(std::string_view json);
  // Extended-JSON documents into any collection of the test database (one insert_many).
  void insert_json_into(std::string_view collection, const std::vector<std::string>& jsons);
  // Returns the server's refusal ("" when stored): some values (NaN on FerretDB) cannot be.
  std::string try_insert_json(std::string_view json);
  // The four indexes of DESIGN §4: opinion_id; {specialist_type: 1, submitted_at: -1};
  // human_rating; unique feedback_id.
  void create_feedback_indexes();
  // Documents of k_collection matching an extended-JSON filter.
  std::int64_t count(std::string_view filter_json = "{}");
  // The same in any collection of the test database.
  std::int64_t count_in(std::string_view collection, std::string_view filter_json = "{}");
  // Relaxed extended JSON of the documents of `collection` matching the filter, by _id.
  std::vector<std::string> find_json(std::string_view collection,
                                     std::string_view filter_json = "{}");
  // Names of the indexes of `collection` (empty, and a test failure, if it cannot be listed).
  std::vector<std::string> index_names(std::string_view collection);

private:
  mongoc_collection_t* collection();
  mongo::CollectionPtr open(std::string_view collection);

  std::string m_uri;
  std::string m_database;
  mongo::ClientPtr m_client;
  mongo::CollectionPtr m_collection;
};

// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
int closed_local_port();

} // namespace mm::test
